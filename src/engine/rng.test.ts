import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is seeded, and a state saved through JSON continues the exact stream', () => {
    const a = new Rng(42);
    a.normalArray(7);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const p = Float32Array.of(0, 1, 0.5, 0.25, 0.75);
    const next = [a.uniform(), ...a.normalArray(5), ...a.permutation(10), a.int(1000), ...a.bernoulli(p)];
    const b = Rng.fromState(saved);
    expect([b.uniform(), ...b.normalArray(5), ...b.permutation(10), b.int(1000), ...b.bernoulli(p)]).toEqual(next);
    expect(new Rng(42).uniformArray(4)).toEqual(new Rng(42).uniformArray(4));
    expect(new Rng(43).uniformArray(4)).not.toEqual(new Rng(42).uniformArray(4));
  });

  it("is seedrandom's xor4096 stream, and bernoulli is uniform() < p", () => {
    const ref = seedrandom.xor4096('42');
    const rng = new Rng(42);
    expect(Array.from({ length: 5 }, () => rng.uniform())).toEqual(Array.from({ length: 5 }, () => ref.double()));
    expect(Array.from(rng.uniformArray(300, -1, 1))).toEqual(Array.from(Float32Array.from({ length: 300 }, () => -1 + 2 * ref.double())));
    const p = new Float32Array(300).map((_, i) => (i % 5) / 4);
    const bits = rng.bernoulli(p);
    expect(Array.from(bits)).toEqual(Array.from(p, (q) => (ref.double() < q ? 1 : 0)));
    expect(bits.filter((v, i) => p[i] === 0 && v !== 0).length + bits.filter((v, i) => p[i] === 1 && v !== 1).length).toBe(0);
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

  it('draws N(0, 1) by its whole distribution: Kolmogorov-Smirnov against the normal CDF, tails, kurtosis, symmetry', () => {
    const n = 400_000;
    const z = new Rng(9).normalArray(n);
    const sorted = Float64Array.from(z).sort();
    let ks = 0;
    sorted.forEach((v, i) => (ks = Math.max(ks, Math.abs(normalCdf(v) - i / n), Math.abs(normalCdf(v) - (i + 1) / n))));
    expect(ks).toBeLessThan(1.95 / Math.sqrt(n)); // the 0.1% critical value
    // Tail masses, including beyond the ziggurat's base-layer edge R = 3.4426, where the exponential tail method draws.
    for (const t of [1, 2, 3, 3.4426, 4]) {
      const p = 2 * (1 - normalCdf(t));
      const seen = z.reduce((c, v) => c + (Math.abs(v) > t ? 1 : 0), 0) / n;
      expect(Math.abs(seen - p), `P(|z| > ${t})`).toBeLessThan(5 * Math.sqrt(p / n) + 1e-6);
    }
    expect(z.reduce((c, v) => c + (Math.abs(v) > 5 ? 1 : 0), 0), 'draws beyond 5: expected 0.2').toBeLessThan(5);
    const m4 = z.reduce((s, v) => s + v ** 4, 0) / n;
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / n)); // Var(z^4) = 105 - 9
    const positive = z.reduce((c, v) => c + (v > 0 ? 1 : 0), 0);
    expect(Math.abs(positive / n - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / n));
    // One draw at a time continues the same generator as whole arrays do: the same distribution.
    const rng = new Rng(10);
    const singles = Array.from({ length: 50_000 }, () => rng.normal());
    const mean = singles.reduce((s, v) => s + v, 0) / singles.length;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(singles.length));
    expect(Math.abs(singles.reduce((s, v) => s + v * v, 0) / singles.length - 1)).toBeLessThan(5 * Math.sqrt(2 / singles.length));
  });

  it('permutes every index exactly once', () => {
    const p = new Rng(3).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

/** The standard normal CDF from erfc by its continued fraction / series (Numerical Recipes' erfc, |error| < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}
