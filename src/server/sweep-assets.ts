/** What `vaekit serve SWEEP` serves: each trained run of the sweep under /runs/N/, its list at /sweep.json, the first at /run/. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../data/index.js';
import { ModelError } from '../errors.js';
import { readSweep } from '../sweep/run.js';
import type { Asset } from './lab-server.js';

/** /sweep.json: the runs the page's picker lists, each with the URL folder of its model and its grid values. */
export interface SweepManifest {
  name: string;
  runs: { name: string; path: string; values: Record<string, unknown> }[];
}

/** One run's assets under a URL prefix (serve's runAssets), sharing loaded data through `datasets`. */
export type RunAssets = (run: string, prefix: string, datasets: Map<string, Dataset>) => Map<string, Asset>;

/**
 * Every trained run of the sweep at `dir` as assets under `/runs/1/`, `/runs/2/`, ... (the first also at `/run/`, so
 * the page opens it as it opens a single run), and `/sweep.json` listing them for the run picker; `info` hears one line.
 *
 * @example
 * const assets = sweepAssets('runs/latent-size-study', (run, prefix, ds) => runAssets(run, out, prefix, ds), out.info);
 */
export function sweepAssets(dir: string, runAssets: RunAssets, info: (line: string) => void): Map<string, Asset> {
  const record = readSweep(dir);
  if (!record) throw new ModelError(`${dir}: not a sweep folder (no valid sweep.json)`);
  const trained = record.runs.filter((r) => existsSync(path.join(dir, r.name, 'model', 'model.json')));
  if (trained.length === 0) throw new ModelError(`${dir}: the sweep has no trained run yet`);
  const datasets = new Map<string, Dataset>();
  const assets = new Map<string, Asset>(runAssets(path.join(dir, trained[0].name), '/run/', datasets));
  // The page reads /run/manifest.json first; `sweep: true` tells it to fetch /sweep.json for the picker.
  const first = assets.get('/run/manifest.json') as { bytes: Uint8Array; type: string };
  assets.set('/run/manifest.json', { ...first, bytes: Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(first.bytes).toString('utf8')), sweep: true })) });
  const manifest: SweepManifest = { name: path.basename(path.resolve(dir)), runs: [] };
  trained.forEach((r, i) => {
    for (const [url, asset] of runAssets(path.join(dir, r.name), `/runs/${i + 1}/`, datasets)) assets.set(url, asset);
    manifest.runs.push({ name: r.name, path: `runs/${i + 1}/`, values: r.values });
  });
  assets.set('/sweep.json', { bytes: Buffer.from(JSON.stringify(manifest)), type: 'application/json; charset=utf-8' });
  info(`sweep: ${trained.length} of ${record.runs.length} runs of ${dir}, picked in the page's header`);
  return assets;
}
