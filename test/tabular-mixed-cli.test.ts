/**
 * A mixed-type table as people have it (numeric and text columns, 5% missing cells) through vaekit: train with
 * categorical columns modelled by softmax terms, the column layout in model.json, synthetic rows and reconstructions
 * written in the file's own terms, the NLL, and new data with a category the model never saw.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/rng.js';
import { parseNpy } from '../src/data/npy.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('tabular-mixed');
afterAll(tmp.remove);

const N = 1200;
const COLOURS = ['red', 'green', 'blue'];

/** income ~ 40 + 10 a, spend = income / 2 + noise, colour by the sign of a, member yes/no; 5% of feature cells empty. */
function table(rng: Rng): { text: string; incomeMean: number; colourShare: number[] } {
  const lines = ['income,colour,spend,member'];
  let incomeSum = 0;
  const colours = [0, 0, 0];
  for (let i = 0; i < N; i++) {
    const a = rng.normal();
    const income = 40 + 10 * a;
    const colour = a < -0.5 ? 0 : a < 0.5 ? 1 : 2;
    const cells = [income.toFixed(2), COLOURS[colour], (income / 2 + rng.normal()).toFixed(2), rng.uniform() < 0.3 ? 'yes' : 'no'];
    incomeSum += income;
    colours[colour]++;
    lines.push(cells.map((c) => (rng.uniform() < 0.05 ? '' : c)).join(','));
  }
  return { text: lines.join('\n') + '\n', incomeMean: incomeSum / N, colourShare: colours.map((c) => c / N) };
}

let data: ReturnType<typeof table>;

beforeAll(() => {
  data = table(new Rng(5));
  writeFileSync(path.join(tmp.dir, 'mixed.csv'), data.text);
});

const csvRows = (file: string) =>
  readFileSync(path.join(tmp.dir, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('a mixed-type table through vaekit', () => {
  it('trains with missing cells filled, softmax terms for the text columns, and a falling loss', { timeout: 240_000 }, async () => {
    const missingError = await runCli(tmp.dir, 'train', '--data', 'mixed.csv', '--epochs', '1', '--out', 'refused');
    expect(missingError.code).toBe(2);
    expect(missingError.stderr).toMatch(/mixed\.csv: line \d+, column \d+ \([a-z]+\): missing value \(empty cell\); use --missing drop .* or --missing mean/);

    const train = await runCli(tmp.dir, 'train', '--data', 'mixed.csv', '--missing', 'mean', '--model', 'vae', '--latent', '3', '--hidden', '32,16', '--epochs', '8', '--out', 'run');
    expect(train.stderr).not.toMatch(/\n\s+at /);
    expect(train.code).toBe(0);
    expect(train.stdout + train.stderr).toContain('2 categorical column(s) (colour, member)');
    const history = readFileSync(path.join(tmp.dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { test: { loss: number } });
    expect(history.at(-1)!.test.loss).toBeLessThan(history[0].test.loss);

    const model = JSON.parse(readFileSync(path.join(tmp.dir, 'run', 'model', 'model.json'), 'utf8'));
    expect(model.inputShape).toEqual([7]); // income, 3 colours, spend, 2 member values
    expect(model.columns).toEqual([
      { name: 'income', kind: 'numeric', index: 0 },
      { name: 'colour', kind: 'categorical', start: 1, labels: ['blue', 'green', 'red'] },
      { name: 'spend', kind: 'numeric', index: 4 },
      { name: 'member', kind: 'categorical', start: 5, labels: ['no', 'yes'] },
    ]);
    expect(model.likelihood.categorical).toEqual([
      { start: 1, size: 3 },
      { start: 5, size: 2 },
    ]);
    // The report's fidelity summary: KS for the numeric columns, total variation for the categorical ones, in [0, 1].
    const fidelity = JSON.parse(readFileSync(path.join(tmp.dir, 'run', 'fidelity.json'), 'utf8'));
    expect(fidelity.columns.map((c: { name: string; statistic: string }) => `${c.name}:${c.statistic}`)).toEqual(['income:ks', 'colour:tv', 'spend:ks', 'member:tv']);
    for (const c of fidelity.columns) expect(c.value).toBeGreaterThanOrEqual(0), expect(c.value).toBeLessThan(0.5);
    // The one-hot values are not standardized.
    expect(model.preprocessing.mean.slice(1, 4)).toEqual([0, 0, 0]);
    expect(model.preprocessing.std.slice(5, 7)).toEqual([1, 1]);
  });

  it('sample --out writes synthetic rows in the file terms: column names, category labels, numbers in the original units', { timeout: 120_000 }, async () => {
    const sample = await runCli(tmp.dir, 'sample', 'run', '--n', '2000', '--out', 'synthetic.csv', '--json');
    expect(sample.code).toBe(0);
    expect(JSON.parse(sample.stdout)).toEqual({ files: ['synthetic.csv'], n: 2000 });
    const [header, ...rows] = csvRows('synthetic.csv');
    expect(header).toEqual(['income', 'colour', 'spend', 'member']);
    expect(rows).toHaveLength(2000);
    for (const r of rows) {
      expect(COLOURS).toContain(r[1]);
      expect(['yes', 'no']).toContain(r[3]);
    }
    // Original units: the synthetic income's mean near the data's (about 40; sd 10), not near 0 (standardized units).
    const incomeMean = rows.reduce((s, r) => s + Number(r[0]), 0) / rows.length;
    expect(Math.abs(incomeMean - data.incomeMean)).toBeLessThan(3);
    // Every colour appears, drawn from the softmax.
    for (const c of COLOURS) expect(rows.some((r) => r[1] === c)).toBe(true);
  });

  it('reconstruct --out writes NPY with one value per column (categories as indices); eval --nll names its density', { timeout: 120_000 }, async () => {
    const rec = await runCli(tmp.dir, 'reconstruct', 'run', '--out', 'rec.npy', '--n', '50', '--json');
    expect(rec.code).toBe(0);
    const { shape, data: values } = parseNpy(readFileSync(path.join(tmp.dir, 'rec.npy')), 'rec.npy');
    expect(shape).toEqual([50, 4]);
    for (let i = 0; i < 50; i++) {
      expect([0, 1, 2]).toContain(values[i * 4 + 1]);
      expect([0, 1]).toContain(values[i * 4 + 3]);
    }
    const evaluated = await runCli(tmp.dir, 'eval', 'run', '--nll', '--k', '50', '--json');
    expect(evaluated.code).toBe(0);
    const e = JSON.parse(evaluated.stdout);
    expect(Number.isFinite(e.nll)).toBe(true);
    expect(e.nllDensity).toContain('2 categorical column(s)');
  });

  it('new data: read into the model layout; a category the model never saw is one line naming it', { timeout: 120_000 }, async () => {
    writeFileSync(path.join(tmp.dir, 'new.csv'), 'income,colour,spend,member\n41.5,blue,20.1,no\n39,red,19.5,yes\n');
    const ok = await runCli(tmp.dir, 'anomaly', 'run', '--data', 'new.csv', '--out', 'scored', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(path.join(tmp.dir, 'scored', 'anomaly-scores.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    writeFileSync(path.join(tmp.dir, 'purple.csv'), 'income,colour,spend,member\n41.5,purple,20.1,no\n39,red,19.5,yes\n');
    const bad = await runCli(tmp.dir, 'anomaly', 'run', '--data', 'purple.csv', '--out', 'never');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n').at(-1)).toMatch(/purple\.csv: column 2 \('colour'\), row 1: category 'purple' is not one the model was trained on \(blue, green, red\)/);
  });
});
