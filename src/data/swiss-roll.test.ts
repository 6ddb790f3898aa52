import { describe, expect, it } from 'vitest';
import { loadDataset } from './load.js';
import { swissRoll } from './swiss-roll.js';

const base = { seed: 7, testFraction: 0.2 };

describe('swiss roll', () => {
  it('is seeded: same seed, same points; another seed, other points', () => {
    const a = loadDataset({ ...base, name: 'swiss-roll', n: 500 });
    expect(loadDataset({ ...base, name: 'swiss-roll', n: 500 })).toEqual(a);
    expect(loadDataset({ ...base, name: 'swiss-roll', n: 500, seed: 8 }).train.x).not.toEqual(a.train.x);
  });

  it('puts noise-free 2-D points on the spiral: radius equals angle t, t in [1.5 pi, 4.5 pi]', () => {
    const { x, position } = swissRoll({ n: 2000, noise: 0, seed: 1, dims: 2 });
    for (let i = 0; i < 2000; i++) {
      const t = position[i];
      expect(t).toBeGreaterThanOrEqual(1.5 * Math.PI - 1e-5);
      expect(t).toBeLessThanOrEqual(4.5 * Math.PI + 1e-5);
      expect(Math.hypot(x[2 * i], x[2 * i + 1])).toBeCloseTo(t, 4);
      expect(Math.cos(Math.atan2(x[2 * i + 1], x[2 * i]) - t)).toBeCloseTo(1, 5);
    }
    // u ~ U(0, 1), so t is uniform on its interval: its mean is 3 pi.
    expect(position.reduce((s, t) => s + t, 0) / 2000).toBeCloseTo(3 * Math.PI, 0);
  });

  it('builds the 3-D roll as (t cos t, h, t sin t), h in [0, 21)', () => {
    const { x, position } = swissRoll({ n: 1000, noise: 0, seed: 2, dims: 3 });
    let hMax = 0;
    for (let i = 0; i < 1000; i++) {
      const t = position[i];
      expect(x[3 * i]).toBeCloseTo(t * Math.cos(t), 4);
      expect(x[3 * i + 2]).toBeCloseTo(t * Math.sin(t), 4);
      expect(x[3 * i + 1]).toBeGreaterThanOrEqual(0);
      expect(x[3 * i + 1]).toBeLessThan(21);
      hMax = Math.max(hMax, x[3 * i + 1]);
    }
    expect(hMax).toBeGreaterThan(20);
  });

  it('adds Gaussian noise with the requested std', () => {
    const noise = 0.5;
    const { x, position } = swissRoll({ n: 20000, noise, seed: 3, dims: 2 });
    let sq = 0;
    for (let i = 0; i < 20000; i++) sq += (x[2 * i] - position[i] * Math.cos(position[i])) ** 2;
    expect(Math.abs(Math.sqrt(sq / 20000) - noise)).toBeLessThan(0.015); // the estimate's std is about 0.0025
  });

  it('splits n with testFraction, standardizes by default, and keeps t beside each point', () => {
    const ds = loadDataset({ ...base, name: 'swiss-roll', n: 101 });
    expect(ds).toMatchObject({ name: 'swiss-roll', kind: 'points', shape: [2] });
    expect([ds.train.n, ds.test.n, ds.train.x.length, ds.test.aux?.position?.length]).toEqual([81, 20, 162, 20]);
    expect(ds.preprocessing.kind).toBe('standardize');
    for (const j of [0, 1]) {
      const col = Array.from({ length: 81 }, (_, k) => ds.train.x[2 * k + j]);
      const mean = col.reduce((s, v) => s + v, 0) / 81;
      expect(mean).toBeCloseTo(0, 5);
      expect(col.reduce((s, v) => s + (v - mean) ** 2, 0) / 81).toBeCloseTo(1, 4);
    }
    // Undo the standardization: the raw point must sit at radius t (up to the 0.1 default noise).
    if (ds.preprocessing.kind !== 'standardize') return;
    const { mean, std } = ds.preprocessing;
    const position = ds.test.aux!.position!;
    for (let k = 0; k < ds.test.n; k++) {
      const r = Math.hypot(ds.test.x[2 * k] * std[0] + mean[0], ds.test.x[2 * k + 1] * std[1] + mean[1]);
      expect(Math.abs(r - position[k])).toBeLessThan(0.6);
    }
  });

  it('defaults to 10000 points, and limit keeps the first examples', () => {
    const ds = loadDataset({ ...base, name: 'swiss-roll-3d', standardize: false });
    expect([ds.train.n, ds.test.n, ds.shape, ds.preprocessing]).toEqual([8000, 2000, [3], { kind: 'none' }]);
    const small = loadDataset({ ...base, name: 'swiss-roll-3d', standardize: false, limit: 60 });
    expect([small.train.n, small.test.n]).toEqual([60, 10]);
    expect(small.train.x).toEqual(ds.train.x.subarray(0, 180));
    expect(small.test.x).toEqual(ds.test.x.subarray(0, 30));
  });
});
