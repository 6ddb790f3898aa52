import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is seeded, and a state saved through JSON continues the exact stream', () => {
    const a = new Rng(42);
    a.normalArray(7);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const next = [a.uniform(), ...a.normalArray(5), ...a.permutation(10), a.int(1000)];
    const b = Rng.fromState(saved);
    expect([b.uniform(), ...b.normalArray(5), ...b.permutation(10), b.int(1000)]).toEqual(next);
    expect(new Rng(42).uniformArray(4)).toEqual(new Rng(42).uniformArray(4));
    expect(new Rng(43).uniformArray(4)).not.toEqual(new Rng(42).uniformArray(4));
  });

  it('draws N(0, 1) and U(low, high) with the right first two moments', () => {
    const n = 100_000;
    const z = new Rng(1).normalArray(n);
    const mean = z.reduce((s, v) => s + v, 0) / n;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    const u = new Rng(2).uniformArray(n, -3, 1);
    expect(u.every((v) => v >= -3 && v < 1)).toBe(true);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / n + 1)).toBeLessThan(4 * Math.sqrt(16 / 12 / n));
  });

  it('permutes every index exactly once', () => {
    const p = new Rng(3).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
