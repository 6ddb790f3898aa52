/** `vaekit serve [RUN]`: builds the browser lab if needed and serves it, with RUN's model, on 127.0.0.1. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ModelError, UsageError, VaekitError } from '../errors.js';
import { loadModel } from '../io/model-files.js';
import { initBackend } from '../engine/index.js';
import { buildReason, buildWeb, DIST_DIR } from '../server/build-web.js';
import { labDataFiles, LAB_EXAMPLES } from '../server/lab-data.js';
import { startLabServer, type Asset } from '../server/lab-server.js';
import { datasetFor } from './common.js';
import { makeOutput, type Output } from './output.js';
import { readRunConfig } from './run-folder.js';
import { stepLine } from './progress.js';
import { readSweep } from '../sweep/run.js';
import { sweepAssets } from '../server/sweep-assets.js';
import type { Dataset } from '../data/index.js';

/** The port used when --port is not given. */
export const DEFAULT_PORT = 5180;

function port(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n > 65535) {
    throw new UsageError(`--port: '${value}' is not a port; expected an integer from 1 to 65535 (or 0 for any free port)`);
  }
  return n;
}

/**
 * The URL paths that serve RUN under `prefix`: its model files, a manifest, and test examples when its data loads
 * (`datasets` shares loaded data between the runs of a sweep).
 */
export function runAssets(run: string, out: Output, prefix = '/run/', datasets = new Map<string, Dataset>()): Map<string, Asset> {
  if (!existsSync(run) || !statSync(run).isDirectory()) throw new UsageError(`RUN: '${run}' is not a folder`);
  const modelDir = [path.join(run, 'model'), run].find((d) => existsSync(path.join(d, 'model.json')));
  if (!modelDir) throw new ModelError(`${run}: no model found (expected ${path.join(run, 'model', 'model.json')} or ${path.join(run, 'model.json')})`);
  // The page loads these files itself; an invalid model is refused here, with the line every other command prints.
  loadModel(modelDir).model.dispose();
  const assets = new Map<string, Asset>([
    [`${prefix}model.json`, { file: path.join(modelDir, 'model.json') }],
    [`${prefix}weights.bin`, { file: path.join(modelDir, 'weights.bin') }],
  ]);
  let note: string | undefined;
  if (!existsSync(path.join(run, 'config.json'))) note = `${run} is a model folder without the run's config.json, so its data is unknown`;
  else {
    try {
      const config = readRunConfig(run);
      const key = JSON.stringify([config.data, config.train.seed]);
      if (!datasets.has(key)) datasets.set(key, datasetFor(config, {}));
      const ds = datasets.get(key)!;
      const { images, labels, positions } = labDataFiles(ds, ds.test, LAB_EXAMPLES);
      assets.set(`${prefix}test-images.idx.gz`, { bytes: images });
      if (labels) assets.set(`${prefix}test-labels.idx.gz`, { bytes: labels });
      if (positions) assets.set(`${prefix}test-positions.idx.gz`, { bytes: positions });
      out.info(`data: the first ${Math.min(LAB_EXAMPLES, ds.test.n)} test examples of ${ds.name}`);
    } catch (err) {
      if (!(err instanceof VaekitError)) throw err;
      note = `the run's data could not be loaded (${err.message})`;
    }
  }
  if (note) out.info(`data: none; ${note}`);
  // The data files served, so that the page asks for no file that is not there (a 404 is a console error).
  const files = [...assets.keys()].filter((k) => k.startsWith(`${prefix}test-`)).map((k) => k.slice(prefix.length));
  const manifest = { name: path.basename(path.resolve(run)), data: { available: note === undefined, files, ...(note && { note }) } };
  assets.set(`${prefix}manifest.json`, { bytes: Buffer.from(JSON.stringify(manifest)), type: 'application/json; charset=utf-8' });
  return assets;
}

async function runServe(run: string | undefined, flags: { port: number; rebuild?: boolean; json?: boolean }): Promise<void> {
  const out = makeOutput(flags.json === true);
  // The model check below makes a few tensors: on tfjs's CPU backend, set up as every command sets up its backend
  // (production mode), not the default one, whose first tensor prints tfjs's "install tfjs-node" banner.
  await initBackend('cpu');
  // The page asks for run/manifest.json first; with no run it learns so from the answer rather than from a 404.
  const assets = run ? (readSweep(run) ? sweepAssets(run, (r, prefix, ds) => runAssets(r, out, prefix, ds), out.info) : runAssets(run, out)) : new Map<string, Asset>([['/run/manifest.json', { bytes: Buffer.from('{"name":null}'), type: 'application/json; charset=utf-8' }]]);
  const reason = flags.rebuild ? '--rebuild was given' : buildReason();
  if (reason) {
    out.info(`building the lab page (${reason}; this takes about 3 seconds)…`);
    const started = performance.now();
    const line = stepLine('vite build', { tick: true });
    try {
      await buildWeb();
    } finally {
      line.done();
    }
    out.info(`built the lab page in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const server = await startLabServer({ distDir: DIST_DIR, assets, port: flags.port });
  out.result({ url: server.url, port: server.port, run: run ?? null }, () => {
    out.info(run ? `model: ${run}` : 'model: the bundled default (MNIST VAE, latent 2)');
    out.info(`lab: ${server.url}  (Ctrl-C stops it)`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close());
}

/** Registers `vaekit serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("serve the browser lab on 127.0.0.1 with RUN's model (default: the bundled MNIST model); builds the page if needed")
    .argument('[run]', 'run folder, model folder, or sweep folder (the page gets a picker for its runs)')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', port, DEFAULT_PORT)
    .option('--rebuild', 'rebuild the page even when the build is current')
    .option('--json', 'print one JSON object { url, port, run } once listening')
    .action(runServe);
}
