/**
 * vaekit sweep and compare end to end on tiny Swiss-roll and MNIST slices: run folders with metrics, a stopped sweep
 * continued to the same metrics as an uninterrupted one, compare's JSON against the runs' own files, the latent-size
 * chart's data, and bad input as one-line errors.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../src/engine/index.js';
import { configLayers } from '../src/cli/train-flags.js';
import { metricsSpec } from '../src/report/compare.js';
import { gridPoints, parseOver } from '../src/sweep/grid.js';
import { runSweep } from '../src/sweep/run.js';
import { runCli, tempDir } from './helpers.js';

const { dir, remove } = tempDir('sweep');
afterAll(remove);

const ROLL = ['--preset', 'swiss-roll-vae', '--limit', '300', '--backend', 'cpu'];

function metrics(runDir: string): { epoch: number; train: Record<string, number>; test: Record<string, number>; samplesPerSecond: number }[] {
  return readFileSync(path.join(dir, runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** The loss terms of every epoch: what must match between two runs of the same config (times differ). */
const terms = (runDir: string) => metrics(runDir).map((m) => [m.epoch, m.train.loss, m.train.reconstruction, m.train.kl, m.test.loss, m.test.reconstruction, m.test.kl]);

/** A failed command: exit 2, no stack trace, and the error as one line on stderr. */
function expectOneLine(r: { code: number; stderr: string }): string {
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('vaekit: '));
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('vaekit sweep over two values', () => {
  let result: { sweep: string; runs: { name: string; dir: string; values: Record<string, number>; epochs: number; test: { loss: number } }[]; compare: string };
  let tensorsBefore = 0;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    const r = await runCli(dir, 'sweep', ...ROLL, '--epochs', '2', '--over', 'model.latent=1,2', '--out', 'two', '--json');
    expect(r.code, r.stderr).toBe(0);
    result = JSON.parse(r.stdout);
  });

  it('leaves one normal run folder per value, each with its metrics, model and report', () => {
    expect(result.runs.map((r) => r.name)).toEqual(['1-latent-1', '2-latent-2']);
    expect(readdirSync(path.join(dir, 'two')).filter((f) => !f.includes('.')).sort()).toEqual(['1-latent-1', '2-latent-2']);
    for (const [i, run] of result.runs.entries()) {
      const folder = path.join('two', run.name);
      const config = JSON.parse(readFileSync(path.join(dir, folder, 'config.json'), 'utf8'));
      expect(config.model.latent).toBe(i + 1);
      expect(run.values).toEqual({ 'model.latent': i + 1 });
      const lines = metrics(folder);
      expect(lines.map((m) => m.epoch)).toEqual([1, 2]);
      expect(run.test.loss).toBe(lines[1].test.loss);
      for (const f of ['model/model.json', 'model/weights.bin', 'report.html', 'samples.png']) expect(existsSync(path.join(dir, folder, f)), f).toBe(true);
      expect(existsSync(path.join(dir, folder, 'run.lock'))).toBe(false);
    }
    expect(result.compare).toBe(path.join('two', 'compare.html'));
    expect(tf.memory().numTensors, 'live tensors after the sweep and its compare page').toBe(tensorsBefore);
  });

  it('compare --json gives the config differences and each run\'s final metrics from its own files', async () => {
    const r = await runCli(dir, 'compare', 'two/1-latent-1', 'two/2-latent-2', '--out', 'cmp', '--backend', 'cpu', '--nll', '--k', '20', '--nll-examples', '50', '--json');
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.page).toBe(path.join('cmp', 'compare.html'));
    expect(c.differences).toEqual([{ key: 'model.latent', values: [1, 2] }]);
    expect(c.dataWarning).toBeUndefined();
    for (const [i, run] of c.runs.entries()) {
      const lines = metrics(path.join('two', result.runs[i].name));
      expect(run.epochs).toBe(2);
      expect(run.test).toEqual(lines[1].test);
      expect(run.train).toEqual(lines[1].train);
      const rates = lines.map((m) => m.samplesPerSecond).sort((a, b) => a - b);
      expect(run.samplesPerSecond).toBeCloseTo((rates[0] + rates[1]) / 2, 6); // the median of two epochs
      expect(run.latent).toBe(i + 1);
      expect(run.activeUnits).toBeGreaterThanOrEqual(0);
      expect(run.activeUnits).toBeLessThanOrEqual(i + 1);
      expect(run.nll.k).toBe(20);
      expect(run.nll.examples).toBe(50);
      expect(Number.isFinite(run.nll.value)).toBe(true);
    }
    // One numeric difference: the metrics charted against it, each point the run's own final value.
    expect(c.byNumber.key).toBe('model.latent');
    const rec = c.byNumber.points.filter((p: { metric: string }) => p.metric === 'test reconstruction');
    expect(rec.map((p: { x: number; value: number }) => [p.x, p.value])).toEqual(c.runs.map((run: { latent: number; test: { reconstruction: number } }) => [run.latent, run.test.reconstruction]));
    const html = readFileSync(path.join(dir, 'cmp', 'compare.html'), 'utf8');
    expect(html).not.toMatch(/<script|src="(?!data:)/); // self-contained: every image inline, nothing fetched
    expect(html).toContain('model.latent');
    expect(html).not.toContain('data-warning');
  });

  it('refuses to compare runs on different data unless --force, which the page then states at the top', async () => {
    const other = await runCli(dir, 'train', '--preset', 'swiss-roll-vae', '--limit', '200', '--backend', 'cpu', '--epochs', '1', '--out', 'other', '--json');
    expect(other.code, other.stderr).toBe(0);
    const refused = await runCli(dir, 'compare', 'two/1-latent-1', 'other', '--out', 'cmp-bad');
    expect(expectOneLine(refused)).toMatch(/^vaekit: compare: the runs trained on different data: two\/1-latent-1 \(swiss-roll, limit 300, .*seed 1\) and other \(swiss-roll, limit 200, .*\); .*pass --force/);
    expect(existsSync(path.join(dir, 'cmp-bad'))).toBe(false);
    const forced = await runCli(dir, 'compare', 'two/1-latent-1', 'other', '--out', 'cmp-forced', '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).dataWarning).toMatch(/different data/);
    const html = readFileSync(path.join(dir, 'cmp-forced', 'compare.html'), 'utf8');
    expect(html.indexOf('data-warning')).toBeGreaterThan(0);
    expect(html.indexOf('data-warning')).toBeLessThan(html.indexOf('<h1>'));
  });
});

describe('a stopped sweep, run again', () => {
  it('ends with the same run folders and metrics as an uninterrupted sweep', async () => {
    const flags = { preset: 'swiss-roll-vae', limit: 300, epochs: 3, backend: 'cpu' as const };
    const axes = [parseOver('model.beta=0.5,2')];
    const points = () => gridPoints(axes, { layers: (kind) => configLayers({ ...flags, model: kind as never }) });
    const sweep = (out: string, shouldStop?: (run: number, epoch: number) => boolean) =>
      runSweep({ dir: path.join(dir, out), axes, points: points(), backend: 'cpu', shouldStop: shouldStop && ((i, m) => shouldStop(i, m.epoch)) });

    const whole = await sweep('whole');
    expect(whole.stopped).toBe(false);
    // Stopped twice, as a kill would: at the end of run 1 (before its figures), then mid run 2 (after epoch 1 of 3).
    expect((await sweep('stopped', (run, epoch) => run === 0 && epoch === 3)).stopped).toBe(true);
    expect(existsSync(path.join(dir, 'stopped', '2-beta-2'))).toBe(false);
    expect((await sweep('stopped', (run, epoch) => run === 1 && epoch === 1)).stopped).toBe(true);
    expect(metrics(path.join('stopped', '2-beta-2'))).toHaveLength(1);
    const resumed = await sweep('stopped');
    expect(resumed.runs.map((r) => r.epochsRun)).toEqual([0, 2]);

    const folders = (out: string) => readdirSync(path.join(dir, out)).sort();
    expect(folders('stopped')).toEqual(folders('whole'));
    for (const run of ['1-beta-0.5', '2-beta-2']) {
      const [a, b] = [terms(path.join('whole', run)), terms(path.join('stopped', run))];
      expect(b).toHaveLength(3);
      for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) expect(b[i][j]).toBeCloseTo(a[i][j], 10);
      expect(readdirSync(path.join(dir, 'stopped', run)).sort()).toEqual(readdirSync(path.join(dir, 'whole', run)).sort());
    }
  });
});

describe('the latent-size study on a tiny MNIST slice', () => {
  it("charts reconstruction error against the latent size, falling as it grows, from the runs' own metrics", async () => {
    const r = await runCli(dir, 'sweep', '--preset', 'latent-size-study', '--over', 'model.kind=autoencoder,vae', '--over', 'model.latent=2,32', '--limit', '6000', '--epochs', '2', '--out', 'latent', '--json');
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(readFileSync(path.join(dir, 'latent', 'compare.json'), 'utf8'));
    expect(c.byNumber.key).toBe('model.latent');
    expect(c.byNumber.seriesKey).toBe('model.kind');
    const rec = (kind: string, latent: number) => c.byNumber.points.find((p: { series: string; x: number; metric: string }) => p.series === kind && p.x === latent && p.metric === 'test reconstruction');
    for (const kind of ['autoencoder', 'vae']) {
      const [small, large] = [rec(kind, 2), rec(kind, 32)];
      // Each point is the run's own final test reconstruction error, read here from its metrics.jsonl.
      expect(small.value).toBe(metrics(path.join('latent', small.run)).at(-1)!.test.reconstruction);
      expect(large.value).toBe(metrics(path.join('latent', large.run)).at(-1)!.test.reconstruction);
      expect(large.value, `${kind}: reconstruction error at latent 32 against 2`).toBeLessThan(small.value);
    }
    // The figure is drawn from exactly these points.
    expect((metricsSpec(c.byNumber) as { data: { values: unknown[] } }).data.values).toEqual(c.byNumber.points);
  });
});

describe('bad input', () => {
  it('an unknown key: one line naming it, exit 2, nothing written', async () => {
    const r = await runCli(dir, 'sweep', ...ROLL, '--over', 'model.latnet=2,4', '--out', 'bad-key');
    expect(expectOneLine(r)).toBe('vaekit: --over model.latnet=2: model.latnet: unknown key; did you mean model.latent?');
    expect(existsSync(path.join(dir, 'bad-key'))).toBe(false);
  });

  it('a value the schema refuses: one line naming key and value, before any run trains', async () => {
    const r = await runCli(dir, 'sweep', ...ROLL, '--over', 'model.latent=2,0', '--out', 'bad-value', '--json');
    expect(expectOneLine(r)).toMatch(/^vaekit: --over model.latent=0 \(model.latent\): Too small/);
    expect(JSON.parse(r.stdout).error.code).toBe('usage');
    expect(existsSync(path.join(dir, 'bad-value'))).toBe(false);
  });

  it('a folder that holds another sweep is not mixed with this one', async () => {
    const r = await runCli(dir, 'sweep', ...ROLL, '--epochs', '2', '--over', 'model.latent=1,3', '--out', 'two');
    expect(expectOneLine(r)).toMatch(/^vaekit: --out two: the folder holds a different sweep/);
  });

  it('compare of one run, or of a folder that is not a run', async () => {
    expect(expectOneLine(await runCli(dir, 'compare', 'two/1-latent-1'))).toMatch(/^vaekit: compare: 1 run given/);
    expect(expectOneLine(await runCli(dir, 'compare', 'two/1-latent-1', 'nowhere'))).toBe("vaekit: RUN: 'nowhere' is not a folder; expected a run folder or a sweep folder");
  });
});
