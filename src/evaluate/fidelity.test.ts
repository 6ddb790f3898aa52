/** Fidelity statistics against hand-worked numbers, brute-force definitions and the KS of two shifted normals. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/index.js';
import { buildModel } from '../models/index.js';
import { resolveConfig } from '../config/index.js';
import type { Dataset, TabularColumn } from '../data/index.js';
import { MAX_CORRELATION_COLUMNS, categoryFrequencies, fidelityColumns, fidelityData, fidelitySummary, ksStatistic, pearsonCorrelation, totalVariation } from './fidelity.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';

/** D by its definition: the largest |F_a(t) - F_b(t)| over every t in either sample, counting with <=. */
function bruteKs(a: number[], b: number[]): number {
  const cdf = (s: number[], t: number) => s.filter((v) => v <= t).length / s.length;
  return Math.max(...[...a, ...b].map((t) => Math.abs(cdf(a, t) - cdf(b, t))));
}

/** Phi(x) by the Abramowitz-Stegun erf approximation (7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

describe('ksStatistic', () => {
  it('gives hand-worked values', () => {
    // [1, 2, 3] vs [2, 3, 4, 5]: at t = 1 F_a = 1/3, F_b = 0; t = 2: 2/3 vs 1/4; t = 3: 1 vs 2/4 (|diff| 1/2);
    // t = 4: 1 vs 3/4; t = 5: 1 vs 1. D = 1/2.
    expect(ksStatistic([1, 2, 3], [2, 3, 4, 5])).toBeCloseTo(0.5, 12);
    expect(ksStatistic([2, 3, 4, 5], [1, 2, 3])).toBeCloseTo(0.5, 12);
    // Ties: [1, 1, 2] vs [1, 2, 2]: at t = 1 F_a = 2/3, F_b = 1/3; at t = 2 both 1. D = 1/3 (stepping one copy of 1
    // at a time would see 1/3 - 0 and 2/3 - 1/3 on the way, and 2/3 - 0 if a's copies came first).
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 12);
    expect(ksStatistic([1, 2], [3, 4])).toBe(1);
    expect(ksStatistic([5, 5, 5], [5])).toBe(0);
  });

  it('equals the definition on heavily tied samples', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const a = Array.from({ length: 1 + rng.int(30) }, () => rng.int(6));
      const b = Array.from({ length: 1 + rng.int(30) }, () => rng.int(8) - 1);
      expect(ksStatistic(a, b)).toBeCloseTo(bruteKs(a, b), 12);
    }
  });

  it('is near 2 Phi(delta / 2) - 1 for two large normal samples delta apart', () => {
    const rng = new Rng(11);
    const a = Array.from(rng.normalArray(4000));
    const b = Array.from(rng.normalArray(4000), (v) => v + 1);
    // Population D of N(0, 1) and N(1, 1): the CDFs differ most at t = 1/2, by Phi(1/2) - Phi(-1/2) = 0.3829.
    expect(ksStatistic(a, b)).toBeCloseTo(2 * normalCdf(0.5) - 1, 1);
  });

  it('refuses an empty sample', () => {
    expect(() => ksStatistic([], [1])).toThrow(/samples of 0 and 1 values/);
  });
});

describe('totalVariation and categoryFrequencies', () => {
  it('gives hand-worked values', () => {
    // |0.5 - 0.25| + |0.5 - 0.25| + |0 - 0.5| = 1, halved.
    expect(totalVariation([0.5, 0.5, 0], [0.25, 0.25, 0.5])).toBeCloseTo(0.5, 12);
    expect(totalVariation([1, 0], [0, 1])).toBe(1);
    expect(totalVariation([0.2, 0.8], [0.2, 0.8])).toBe(0);
    expect(() => totalVariation([1], [0.5, 0.5])).toThrow(/1 and 2 categories/);
  });

  it('counts the argmax of one-hot and probability rows, the first on a tie', () => {
    // Rows: one-hot 0, one-hot 2, probabilities with argmax 1, a tie between 0 and 2 (counts as 0).
    const block = Float32Array.of(1, 0, 0, 0, 0, 1, 0.2, 0.5, 0.3, 0.4, 0.2, 0.4);
    expect(categoryFrequencies(block, 3)).toEqual([0.5, 0.25, 0.25]);
  });
});

describe('pearsonCorrelation', () => {
  it('gives a hand-worked matrix, a constant column at 0', () => {
    // Columns x = [1, 2, 3], y = [2, 4, 7], z = [3, 2, 1], c = [4, 4, 4]. Centred: x [-1, 0, 1], y [-7/3, -1/3, 8/3],
    // z [1, 0, -1]. Sums: Sxx = 2, Syy = 114/9 = 38/3, Szz = 2, Sxy = 5, Sxz = -2, Syz = -5.
    // r_xy = 5 / sqrt(2 * 38/3) = 0.993399, r_xz = -1, r_yz = -0.993399; c is constant, so 0 with the others.
    const table = Float32Array.of(1, 2, 3, 4, 2, 4, 2, 4, 3, 7, 1, 4); // [3, 4]
    const r = 5 / Math.sqrt(76 / 3);
    const expected = [
      [1, r, -1, 0],
      [r, 1, -r, 0],
      [-1, -r, 1, 0],
      [0, 0, 0, 1],
    ].flat();
    const got = pearsonCorrelation(table, 4);
    expected.forEach((v, i) => expect(got[i], `entry ${i}`).toBeCloseTo(v, 6));
  });
});

describe('fidelitySummary', () => {
  const columns: TabularColumn[] = [
    { name: 'a', kind: 'numeric', index: 0 },
    { name: 'colour', kind: 'categorical', start: 1, labels: ['red', 'green'] },
    { name: 'b', kind: 'numeric', index: 3 },
  ];

  /** n rows [a, one-hot colour, b] with b = a + noise, colour red for a > 0; `shift` moves a. */
  function table(n: number, seed: number, { shift = 0, green = 0 } = {}): Float32Array {
    const rng = new Rng(seed);
    const x = new Float32Array(n * 4); // [n, 4]
    for (let i = 0; i < n; i++) {
      const a = rng.normal() + shift;
      const red = rng.uniform() >= green;
      x.set([a, red ? 1 : 0, red ? 0 : 1, a + 0.5 * rng.normal()], i * 4);
    }
    return x;
  }

  it('is all zeros for identical data', () => {
    const x = table(200, 1);
    const s = fidelitySummary({ columns, dim: 4, real: x, synthetic: x.slice() });
    expect(s.columns.map((c) => c.value)).toEqual([0, 0, 0]);
    expect(s.correlation.names).toEqual(['a', 'b']);
    expect(s.correlation.diff.flat()).toEqual([0, 0, 0, 0]);
    expect(s.correlation.maxAbs).toBe(0);
    expect(s.correlation.frobenius).toBe(0);
    expect(s.n).toEqual({ real: 200, synthetic: 200 });
  });

  it('gives a shifted column the larger KS, and TV the change in category shares', () => {
    const real = table(3000, 2);
    const synthetic = table(3000, 3, { shift: 1, green: 0.5 });
    const s = fidelitySummary({ columns, dim: 4, real, synthetic });
    const [a, colour, b] = s.columns;
    // a moves by 1 std: KS near 0.383; b = a + noise moves by 1 with std sqrt(1.25): KS near 2 Phi(0.447) - 1 = 0.345.
    expect(a.value).toBeGreaterThan(b.value);
    expect(a.value).toBeCloseTo(2 * normalCdf(0.5) - 1, 1);
    expect(a.kind === 'numeric' && a.synthetic.mean - a.real.mean).toBeCloseTo(1, 1);
    expect(a.kind === 'numeric' && a.real.std).toBeCloseTo(1, 1);
    // All red against half green: TV = 1/2.
    expect(colour.statistic).toBe('tv');
    expect(colour.kind === 'categorical' && colour.real.frequencies).toEqual([1, 0]);
    expect(colour.value).toBeCloseTo(0.5, 1);
    // corr(a, b) = 1 / sqrt(1.25) in both: the shift leaves correlations alone.
    expect(s.correlation.real[0][1]).toBeCloseTo(1 / Math.sqrt(1.25), 1);
    expect(s.correlation.maxAbs).toBeLessThan(0.05);
  });

  it('sees correlations lost: independent synthetic columns', () => {
    const real = table(2000, 4);
    const synthetic = table(2000, 5);
    const s = fidelitySummary({ columns, dim: 4, real, synthetic: shuffleColumn(synthetic, 4, 3, 6) }); // b no longer follows a
    const r = 1 / Math.sqrt(1.25);
    expect(s.correlation.diff[0][1]).toBeCloseTo(-r, 1);
    expect(s.correlation.maxAbs).toBeCloseTo(r, 1);
    expect(s.correlation.frobenius).toBeCloseTo(Math.SQRT2 * s.correlation.maxAbs, 6); // two equal off-diagonal entries
  });

  it('treats data without columns as numeric columns x1..xD', () => {
    expect(fidelityColumns(undefined, 3).map((c) => c.name)).toEqual(['x1', 'x2', 'x3']);
    const s = fidelitySummary({ dim: 2, real: Float32Array.of(1, 2, 3, 4), synthetic: Float32Array.of(1, 2, 3, 5) });
    expect(s.columns.map((c) => [c.name, c.statistic, c.value])).toEqual([['x1', 'ks', 0], ['x2', 'ks', 0.5]]);
  });

  it('lists the correlations of the first 64 numeric columns, and counts all in maxAbs and frobenius', () => {
    // 70 independent columns; the synthetic copy negates column 69 only, flipping the sign of its correlations.
    const dim = 70;
    const real = new Rng(8).normalArray(100 * dim);
    const synthetic = real.map((v, i) => (i % dim === 69 ? -v : v));
    const s = fidelitySummary({ dim, real, synthetic });
    expect(MAX_CORRELATION_COLUMNS).toBe(64);
    expect(s.correlation.names).toHaveLength(64);
    expect(s.correlation.numericColumns).toBe(70);
    expect(s.correlation.diff).toHaveLength(64);
    expect(s.correlation.diff.flat().every((v) => v === 0)).toBe(true);
    // diff(69, j) = -2 r(69, j): the largest and the norm come from the unlisted column.
    const r = pearsonCorrelation(real, dim);
    let [largest, squares] = [0, 0];
    for (let j = 0; j < 69; j++) [largest, squares] = [Math.max(largest, 2 * Math.abs(r[69 * dim + j])), squares + 2 * (2 * r[69 * dim + j]) ** 2];
    expect(s.correlation.maxAbs).toBeCloseTo(largest, 6);
    expect(s.correlation.frobenius).toBeCloseTo(Math.sqrt(squares), 6);
    expect(s.columns[69].value).toBeGreaterThan(0); // and its marginal: -x of a sample is not the sample
  });

  it('refuses rows of the wrong width and a column outside them', () => {
    expect(() => fidelitySummary({ dim: 3, real: new Float32Array(4), synthetic: new Float32Array(3) })).toThrow(/4 real values are not n > 0 rows of 3/);
    expect(() => fidelitySummary({ columns, dim: 3, real: new Float32Array(3), synthetic: new Float32Array(3) })).toThrow(/column 'b' sits at 3..3/);
  });
});

/** Column j of x [n, dim] permuted (seeded), breaking its dependence on the others. */
function shuffleColumn(x: Float32Array, dim: number, j: number, seed: number): Float32Array {
  const out = x.slice();
  const n = x.length / dim;
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const k = rng.int(i + 1);
    [out[i * dim + j], out[k * dim + j]] = [out[k * dim + j], out[i * dim + j]];
  }
  return out;
}

describe('fidelityData', () => {
  checkTensorCountPerTest();

  it('gives the test split in the data units and seeded synthetic rows, leaking no tensor', async () => {
    const config = resolveConfig({ preset: 'swiss-roll-vae' });
    const model = buildModel(config.model, 3, new Rng(1));
    const raw = Float32Array.of(10, 1, 0, 20, 3, 1, 30, 5, 0); // [3, 3] in the file's units
    const preprocessing = { kind: 'standardize' as const, mean: [20, 3, 0.5], std: [10, 2, 0.5] };
    const x = raw.map((v, i) => (v - preprocessing.mean[i % 3]) / preprocessing.std[i % 3]);
    const dataset: Dataset = { name: 't.csv', kind: 'tabular', shape: [3], train: { x, n: 3 }, test: { x, n: 3 }, preprocessing, source: 't.csv' };
    try {
      const data = await expectNoLeak(() => fidelityData({ model, dataset, seed: 4, maxRows: 2 }));
      expect(Array.from(data.real)).toEqual(Array.from(raw.subarray(0, 6)));
      expect(data.synthetic.length).toBe(6);
      expect(data.columns.map((c) => c.name)).toEqual(['x1', 'x2', 'x3']);
      const again = await expectNoLeak(() => fidelityData({ model, dataset, seed: 4, maxRows: 2 }));
      expect(Array.from(again.synthetic)).toEqual(Array.from(data.synthetic));
      // Undone standardization: a decoded value v becomes v * std + mean, so synthetic x1 sits around 20, not 0.
      const other = fidelityData({ model, dataset: { ...dataset, preprocessing: { kind: 'none' } }, seed: 4, maxRows: 2 });
      expect(data.synthetic[0]).toBeCloseTo(other.synthetic[0] * 10 + 20, 3);
    } finally {
      model.dispose();
    }
  });
});
