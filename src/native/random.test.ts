/** The addon's bulk draws (random.inc) against the Rng's JS loops and seedrandom itself; skipped when the addon is not built. */
import { afterEach, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { Rng, setBulkDraws } from '../engine/rng.js';
import { addonLoads, loadAddon } from './addon.js';

const addon = addonLoads() ? loadAddon() : undefined;
const native = addon && { normal: addon.randomNormal, uniform: addon.randomUniform, bernoulli: addon.randomBernoulli };

/** The same draws from two generators of one seed: one through JS, one through the addon; then their next draws. */
function both<T>(seed: number, draw: (rng: Rng) => T): { js: T; nat: T; jsAfter: number; natAfter: number } {
  setBulkDraws(undefined);
  const a = new Rng(seed);
  const js = draw(a);
  setBulkDraws(native);
  const b = new Rng(seed);
  const nat = draw(b);
  setBulkDraws(undefined);
  return { js, nat, jsAfter: a.uniform(), natAfter: b.uniform() };
}

function mismatches(a: Float32Array, b: Float32Array): number {
  let count = Math.abs(a.length - b.length);
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) count++;
  return count;
}

describe.skipIf(!addon)('native bulk draws', () => {
  afterEach(() => setBulkDraws(undefined));

  it('draw the JS ziggurat\'s normals exactly, tails and wedges included, and leave the same state', () => {
    const n = 3_000_000; // about 30,000 draws take the wedge or tail path
    const r = both(11, (rng) => rng.normalArray(n));
    expect(mismatches(r.nat, r.js)).toBe(0);
    expect(r.natAfter).toBe(r.jsAfter);
    // the tail beyond R = 3.44 (the base layer's exponential method) was reached: P(|z| > 3.5) = 4.7e-4
    const tail = r.nat.reduce((c, v) => c + (Math.abs(v) > 3.5 ? 1 : 0), 0);
    expect(tail).toBeGreaterThan(1000);
  });

  it('draw seedrandom\'s uniforms and Bernoulli pixels exactly', () => {
    const n = 200_000;
    const u = both(5, (rng) => rng.uniformArray(n, -0.7, 2.3));
    expect(mismatches(u.nat, u.js)).toBe(0);
    expect(u.natAfter).toBe(u.jsAfter);
    // an independent reference: seedrandom's own double() stream
    const ref = seedrandom.xor4096('5');
    const expected = Float32Array.from({ length: 1000 }, () => -0.7 + 3 * ref.double());
    expect(u.nat.subarray(0, 1000)).toEqual(expected);

    const p = new Float32Array(n).map((_, i) => (i % 11) / 10);
    const bits = both(6, (rng) => rng.bernoulli(p));
    expect(mismatches(bits.nat, bits.js)).toBe(0);
    expect(bits.natAfter).toBe(bits.jsAfter);
    const ref6 = seedrandom.xor4096('6');
    expect(Array.from(bits.nat.subarray(0, 1000))).toEqual(Array.from(p.subarray(0, 1000), (q) => (ref6.double() < q ? 1 : 0)));
    const ones = bits.nat.reduce((s, v) => s + v, 0);
    expect(Math.abs(ones - p.reduce((s, v) => s + Math.min(v, 1), 0))).toBeLessThan(4 * Math.sqrt(n / 4));
  });

  it('continue a saved state and interleave with single JS draws', () => {
    const run = (rng: Rng) => [...rng.normalArray(300), rng.normal(), ...rng.uniformArray(400), rng.int(97), ...rng.normalArray(3)];
    const r = both(3, (rng) => {
      rng.normalArray(1000);
      return run(Rng.fromState(JSON.parse(JSON.stringify(rng.state()))));
    });
    expect(r.nat).toEqual(r.js);
  });

  it('refuse a state that is not one', () => {
    expect(() => addon!.randomNormal(new Int32Array(10), new Float32Array(4), new Float64Array(129), new Float64Array(129))).toThrow(/Rng state/);
    expect(() => addon!.randomBernoulli(new Int32Array(130), new Float32Array(4), new Float32Array(2))).toThrow(/as long/);
  });
});
