/**
 * The synthetic data fidelity section end to end: a tiny tabular run's report.html holds the table and both figures,
 * fidelity.json is in the data's units, `vaekit report` keeps the section and `vaekit eval --json` gives the same numbers.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/index.js';
import { fidelitySummary } from '../src/evaluate/index.js';
import { MAX_MARGINAL_PANELS, correlationFigure, fidelitySectionHtml, marginalsFigure, reportHtml, type FidelityRecord } from '../src/report/index.js';
import type { TabularColumn } from '../src/data/index.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('fidelity');
const dir = tmp.dir;
const NAMES = ['height', 'weight', 'ratio', 'wait'];
const ROWS = 400;

/** [ROWS, 4]: height ~ N(170, 10), weight = 0.9 height - 80 + N(0, 5), ratio ~ U(0, 1), wait ~ Exp(1) * 30. */
function table(): number[][] {
  const rng = new Rng(5);
  return Array.from({ length: ROWS }, () => {
    const height = 170 + 10 * rng.normal();
    return [height, 0.9 * height - 80 + 5 * rng.normal(), rng.uniform(), -30 * Math.log(1 - rng.uniform())];
  });
}

async function json(...args: string[]) {
  const r = await runCli(dir, ...args, '--json');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const rows = table();
/**
 * The columns' names in the summary: the CSV header's once the loader records a file's columns (Dataset.columns),
 * x1..x4 while it does not (fidelityColumns' names for data without columns).
 */
let names: string[] = [];
const read = (f: string) => readFileSync(path.join(dir, 'tab', f), 'utf8');
/** The part of report.html from the fidelity heading to the next h2. */
const section = (html: string) => html.slice(html.indexOf('<h2>Synthetic data fidelity</h2>'), html.indexOf('<h2>', html.indexOf('<h2>Synthetic data fidelity</h2>') + 1));

beforeAll(async () => {
  writeFileSync(path.join(dir, 'table.csv'), [NAMES.join(','), ...rows.map((r) => r.map((v) => v.toFixed(4)).join(','))].join('\n') + '\n');
  await json('train', '--data', 'table.csv', '--model', 'vae', '--likelihood', 'gaussian', '--latent', '2', '--hidden', '16', '--batch-size', '64', '--epochs', '3', '--out', 'tab');
}, 300_000);
afterAll(() => tmp.remove());

describe('synthetic data fidelity of a tabular run', () => {
  it('train writes fidelity.json in the data units: one KS per column, test rows against as many draws', () => {
    const f = JSON.parse(read('fidelity.json')) as FidelityRecord;
    names = f.columns[0]?.name === 'x1' ? ['x1', 'x2', 'x3', 'x4'] : NAMES;
    expect(f.columns.map((c) => [c.name, c.kind, c.statistic])).toEqual(names.map((n) => [n, 'numeric', 'ks']));
    expect(f.n.real).toBe(ROWS * 0.2); // the default test fraction
    expect(f.n.synthetic).toBe(f.n.real);
    for (const c of f.columns) expect(c.value).toBeGreaterThanOrEqual(0), expect(c.value).toBeLessThanOrEqual(1);
    // Real rows in the file's units, not standardized: each test mean near the whole column's (80 of 400 rows:
    // within 4 standard errors), and the synthetic means on the same scale.
    NAMES.forEach((_, j) => {
      const values = rows.map((r) => r[j]);
      const mean = values.reduce((s, v) => s + v, 0) / ROWS;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / ROWS);
      const c = f.columns[j];
      if (c.kind !== 'numeric') throw new Error('numeric expected');
      expect(Math.abs(c.real.mean - mean), NAMES[j]).toBeLessThan((4 * sd) / Math.sqrt(f.n.real));
      expect(Math.abs(c.synthetic.mean - mean), NAMES[j]).toBeLessThan(2 * sd);
    });
    // height and weight are strongly correlated in the data (0.9 * 10 / sqrt(81 + 25) = 0.87).
    expect(f.correlation.names).toEqual(names);
    expect(f.correlation.real[0][1]).toBeGreaterThan(0.75);
    const largest = Math.max(...f.correlation.diff.flat().map(Math.abs));
    expect(f.correlation.maxAbs).toBeCloseTo(largest, 12);
  });

  it('report.html has the section: a row per column, the correlation summary and both figures', () => {
    const html = read('report.html');
    const s = section(html);
    expect(s).not.toBe('');
    expect(names).toHaveLength(4);
    for (const name of names) expect(s).toMatch(new RegExp(`<tr><td style="text-align: left">${name}</td><td>KS</td><td>0\\.\\d{3}</td>`));
    expect(s).toMatch(/largest \|synthetic - real\| \d\.\d{3}, Frobenius norm of the difference \d\.\d{3}/);
    expect(s).toContain('src="fidelity-marginals.png"');
    expect(s).toContain('src="fidelity-correlation.png"');
    expect(s).toContain('href="fidelity.json"');
    // Shown in the section, not again under Figures.
    expect(html.split('src="fidelity-marginals.png"')).toHaveLength(2);
  });

  it('the figures decode: wide charts with more than one colour', () => {
    for (const f of ['fidelity-marginals.png', 'fidelity-correlation.png']) {
      const png = PNG.sync.read(readFileSync(path.join(dir, 'tab', f)));
      expect(png.width, f).toBeGreaterThan(300);
      expect(png.height, f).toBeGreaterThan(200);
      const colours = new Set<number>();
      for (let i = 0; i < png.data.length; i += 4) colours.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
      expect(colours.size, f).toBeGreaterThan(10);
      expect(read(f.replace('.png', '.svg'))).toMatch(/^<svg/);
    }
  });

  it('vaekit report rebuilds the page with the section', async () => {
    const before = section(read('report.html'));
    const out = await json('report', 'tab');
    expect(out.files).toEqual([path.join('tab', 'report.html')]);
    expect(section(read('report.html'))).toBe(before);
  });

  it('vaekit eval --json gives the same summary', async () => {
    const e = await json('eval', 'tab');
    const { seed, ...summary } = JSON.parse(read('fidelity.json')) as FidelityRecord;
    expect(seed).toBeDefined();
    expect(e.fidelity).toEqual(summary);
  });
});

describe('vaekit report on a tabular run trained before the section existed', () => {
  const fidelityFiles = ['fidelity.json', 'fidelity-marginals.png', 'fidelity-marginals.svg', 'fidelity-correlation.png', 'fidelity-correlation.svg'];

  it('draws the section: the same summary as at the end of training', async () => {
    const kept = read('fidelity.json');
    for (const f of fidelityFiles) rmSync(path.join(dir, 'tab', f));
    const out = await json('report', 'tab');
    expect([...out.files].sort()).toEqual([...fidelityFiles, 'report.html'].map((f) => path.join('tab', f)).sort());
    expect(read('fidelity.json')).toBe(kept);
    expect(section(read('report.html'))).toContain('src="fidelity-correlation.png"');
  });

  it('leaves the section out, with a notice, when the data file has gone', async () => {
    for (const f of fidelityFiles) rmSync(path.join(dir, 'tab', f));
    renameSync(path.join(dir, 'table.csv'), path.join(dir, 'moved.csv'));
    try {
      const r = await runCli(dir, 'report', 'tab');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/notice: could not add the synthetic data fidelity section \(.*table\.csv.*\); the report is rebuilt without it/);
      expect(read('report.html')).not.toContain('Synthetic data fidelity');
    } finally {
      renameSync(path.join(dir, 'moved.csv'), path.join(dir, 'table.csv'));
    }
  });
});

describe('reportHtml', () => {
  it('has no fidelity section without a summary', () => {
    const html = reportHtml({ title: 't', config: {}, history: [], figures: [{ id: 'fidelity-marginals', title: 'm', caption: 'c', image: 'fidelity-marginals.png' }] });
    expect(html).not.toContain('Synthetic data fidelity');
    expect(html).toContain('src="fidelity-marginals.png"'); // a figure without its summary still shows under Figures
    expect(existsSync(dir)).toBe(true);
  });
});

describe('the section from a summary', () => {
  it('draws the first 12 of 14 columns and says so; the table lists all, a categorical column by its top category', () => {
    // 13 numeric columns and one categorical (colour: red, green) at the end; 6 rows, real all red, synthetic 2 of 6 red.
    const dim = 15;
    const columns: TabularColumn[] = [
      ...Array.from({ length: 13 }, (_, j) => ({ name: `n${j}`, kind: 'numeric' as const, index: j })),
      { name: 'colour', kind: 'categorical', start: 13, labels: ['red', 'green'] },
    ];
    const rows = (red: number) => Float32Array.from({ length: 6 * dim }, (_, i) => {
      const [r, j] = [Math.floor(i / dim), i % dim];
      return j < 13 ? r * (j + 1) : (j === 13) === r < red ? 1 : 0;
    });
    const data = { columns, dim, real: rows(6), synthetic: rows(2) };
    const summary = { ...fidelitySummary(data), seed: 9 };
    const figure = marginalsFigure(data, summary);
    expect(MAX_MARGINAL_PANELS).toBe(12);
    expect(figure.caption).toContain('The first 12 of 14 columns are drawn; the table lists all.');
    const svg = String(figure.files[1].bytes);
    expect(svg).toContain('n11 (KS 0.00)');
    expect(svg).not.toContain('n12');
    expect(figure.files.map((f) => f.file)).toEqual(['fidelity-marginals.png', 'fidelity-marginals.svg', 'fidelity.json']);
    const html = fidelitySectionHtml(summary, '');
    expect(html.match(/<tr><td/g)).toHaveLength(14);
    // TV = (|1 - 1/3| + |0 - 2/3|) / 2 = 2/3; the synthetic data's share of red, and its own most frequent category.
    expect(html).toContain('<td style="text-align: left">colour</td><td>TV</td><td>0.667</td><td>red 100.0%</td><td>red 33.3%; most: green 66.7%</td>');
  });

  it('draws the correlation difference of the first 30 numeric columns and says so', () => {
    const dim = 35;
    const real = new Rng(2).normalArray(50 * dim);
    const summary = fidelitySummary({ dim, real, synthetic: new Rng(3).normalArray(50 * dim) });
    const figure = correlationFigure(summary)!;
    expect(figure.caption).toContain('The first 30 of 35 numeric columns are drawn');
    const svg = String(figure.files[1].bytes);
    expect(svg).toContain('>x30<');
    expect(svg).not.toContain('>x31<');
    expect(correlationFigure(fidelitySummary({ dim: 1, real: Float32Array.of(1, 2), synthetic: Float32Array.of(1, 3) }))).toBeUndefined();
  });
});
