import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { gzip, tempFolder, thrown } from '../../test/fixtures/data/build.js';
import { parseCsv, parseLabelColumn } from './csv.js';
import { loadDataset } from './load.js';

describe('parseLabelColumn', () => {
  it('reads an integer as a 0-based index (negative from the end) and anything else as a header name', () => {
    expect(parseLabelColumn('0')).toBe(0);
    expect(parseLabelColumn('12')).toBe(12);
    expect(parseLabelColumn('species')).toBe('species');
    expect(parseLabelColumn('-1')).toBe(-1);
    expect(parseLabelColumn('2.0')).toBe('2.0');
  });
});

describe('parseCsv', () => {
  it('detects a header row', () => {
    expect(parseCsv('a,b\n1,2\n3,4\n', 'f.csv')).toEqual({ header: ['a', 'b'], rows: [[1, 2], [3, 4]] });
  });

  it('reads a first row of numbers as data', () => {
    expect(parseCsv('1,2e3\n-3.5,.25\n', 'f.csv')).toEqual({ rows: [[1, 2000], [-3.5, 0.25]] });
  });

  it('takes the label column by name', () => {
    const t = parseCsv('x,species,y\n1,setosa,2\n3,"vir,ginica",4\n', 'f.csv', { labelColumn: 'species' });
    expect(t).toEqual({ header: ['x', 'species', 'y'], rows: [[1, 2], [3, 4]], labels: ['setosa', 'vir,ginica'] });
  });

  it('takes the label column by index, text labels not mistaken for a header', () => {
    const t = parseCsv('1,2,cat\n3,4,dog\n', 'f.csv', { labelColumn: 2 });
    expect(t).toEqual({ rows: [[1, 2], [3, 4]], labels: ['cat', 'dog'] });
  });

  it('skips blank lines and a BOM, and accepts CRLF', () => {
    expect(parseCsv('\uFEFFa,b\r\n\r\n1,2\r\n', 'f.csv')).toEqual({ header: ['a', 'b'], rows: [[1, 2]] });
  });

  const malformed: [string, string, RegExp, { labelColumn?: string | number }?][] = [
    ['an empty file', '\n \n', /empty file/],
    ['ragged rows', 'a,b\n1,2\n3\n', /line 3 has 1 cells, expected 2 as on line 1/],
    ['a non-numeric cell', 'a,b\n1,2\n3,abc\n', /line 3, column 2 \(b\): 'abc' is not a number/],
    ['NaN', '1,2\n3,NaN\n', /line 2, column 2: non-finite value 'NaN'; expected a finite number/],
    ['Inf', '1,-inf\n3,4\n', /line 1, column 2: non-finite value '-inf'/],
    ['an overflowing number', '1,1e999\n', /line 1, column 2: non-finite value '1e999'/],
    ['an empty cell', 'a,b\n1,\n', /line 2, column 2 \(b\): empty cell; expected a number/],
    ['an empty label', 'a,y\n1,\n', /line 2, column 2 \(y\): empty label/, { labelColumn: 'y' }],
    ['an unknown label name', 'a,b\n1,2\n', /no column named 'y'; the header has a, b/, { labelColumn: 'y' }],
    ['a label name without a header', '1,2\n', /label column 'y' is a name, but the first row is data/, { labelColumn: 'y' }],
    ['a label index out of range', '1,2\n', /label column 2 is out of range; the file has 2 columns \(0-based 0\.\.1, or -2\.\.-1 from the end\)/, { labelColumn: 2 }],
    ['a header without data', 'a,b\n', /a header on line 1 but no data rows/],
    ['a label column and no features', 'y\nA\n', /the label column is the only column/, { labelColumn: 'y' }],
  ];
  for (const [what, text, message, opts] of malformed) {
    it(`rejects ${what} with a DataError naming the file`, () => {
      const err = thrown(() => parseCsv(text, 'in/data.csv', opts));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(/^in\/data\.csv: /);
      expect(err.message).toMatch(message);
    });
  }
});

describe('CSV datasets', () => {
  const { remove, write } = tempFolder();
  afterAll(remove);
  // 12 rows: feature a = i^2 (skewed, so the train mean differs from the whole file's), b = 5 constant, label text.
  const rows = Array.from({ length: 12 }, (_, i) => `${i * i},5,${['bird', 'ant', 'cat'][i % 3]}`);
  const file = write('animals.csv', ['a,b,kind', ...rows].join('\n'));
  const opts = { name: file, seed: 3, testFraction: 0.25, labelColumn: 'kind' };

  it('splits with the seed and names labels by their sorted distinct values', () => {
    const ds = loadDataset(opts);
    expect(ds).toMatchObject({ name: 'animals.csv', kind: 'tabular', shape: [2], labelNames: ['ant', 'bird', 'cat'] });
    expect([ds.train.n, ds.test.n]).toEqual([9, 3]);
    expect(loadDataset(opts)).toEqual(ds);
    expect(loadDataset({ ...opts, seed: 4 }).train.x).not.toEqual(ds.train.x);
    // Raw rows and their labels stay together through the shuffle.
    const raw = loadDataset({ ...opts, standardize: false });
    for (const s of [raw.train, raw.test]) {
      s.labels!.forEach((label, k) => {
        const i = Math.round(Math.sqrt(s.x[2 * k]));
        expect(raw.labelNames![label]).toBe(['bird', 'ant', 'cat'][i % 3]);
      });
    }
  });

  it('standardizes with stats from the train split only', () => {
    const raw = loadDataset({ ...opts, standardize: false });
    expect(raw.preprocessing).toEqual({ kind: 'none' });
    const trainA = Array.from({ length: raw.train.n }, (_, k) => raw.train.x[2 * k]);
    const mean = trainA.reduce((s, v) => s + v, 0) / trainA.length;
    const std = Math.sqrt(trainA.reduce((s, v) => s + (v - mean) ** 2, 0) / trainA.length);
    const fileMean = 506 / 12; // sum of i^2 for i < 12, over 12 rows
    expect(Math.abs(mean - fileMean)).toBeGreaterThan(1); // so the check below can tell the two apart

    const ds = loadDataset(opts); // standardize defaults to true for tabular data
    if (ds.preprocessing.kind !== 'standardize') throw new Error('expected standardization');
    expect(ds.preprocessing.mean[0]).toBeCloseTo(mean, 4);
    expect(ds.preprocessing.std[0]).toBeCloseTo(std, 4);
    expect(ds.preprocessing.std[1]).toBe(1); // the constant column divides by 1, not 0
    for (const [s, r] of [[ds.train, raw.train], [ds.test, raw.test]] as const) {
      for (let k = 0; k < s.n; k++) {
        expect(s.x[2 * k]).toBeCloseTo((r.x[2 * k] - mean) / std, 5);
        expect(s.x[2 * k + 1]).toBe(0);
      }
    }
  });

  it('reads gzipped CSV and labels by column index', () => {
    const ds = loadDataset({ ...opts, name: write('animals.csv.gz', gzip(Buffer.from(['a,b,kind', ...rows].join('\n')))), labelColumn: 2 });
    expect(ds.labelNames).toEqual(['ant', 'bird', 'cat']);
    expect(ds.train.n + ds.test.n).toBe(12);
  });
});
