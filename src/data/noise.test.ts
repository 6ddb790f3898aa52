/** Noise for denoising: rates and std as specified, seeded, input untouched; spec parsing with flag-naming errors. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/index.js';
import { addNoise, parseNoise } from './noise.js';

describe('noise', () => {
  const x = new Float32Array(20000).fill(0.5);

  it('masks and salts at the given rate, from a seeded RNG, without touching the input', () => {
    const masked = addNoise(x, { kind: 'mask', p: 0.3 }, new Rng(5));
    expect(masked.filter((v) => v === 0).length / x.length).toBeCloseTo(0.3, 1);
    const sp = addNoise(x, { kind: 'salt-pepper', p: 0.2 }, new Rng(5));
    expect(sp.filter((v) => v === 0).length / x.length).toBeCloseTo(0.1, 1);
    expect(sp.filter((v) => v === 1).length / x.length).toBeCloseTo(0.1, 1);
    expect(addNoise(x, { kind: 'mask', p: 0.3 }, new Rng(5))).toEqual(masked);
    expect(x.every((v) => v === 0.5)).toBe(true);
  });

  it('adds Gaussian noise of the given std, and clips when asked', () => {
    const g = addNoise(x, { kind: 'gaussian', std: 0.1 }, new Rng(6));
    const sd = Math.sqrt(g.reduce((s, v) => s + (v - 0.5) ** 2, 0) / g.length);
    expect(sd).toBeCloseTo(0.1, 2);
    const c = addNoise(x, { kind: 'gaussian', std: 2 }, new Rng(6), { clip: [0, 1] });
    expect(c.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('parses specs and names the flag in errors', () => {
    expect(parseNoise('gaussian:0.5', '--noise')).toEqual({ kind: 'gaussian', std: 0.5 });
    expect(parseNoise('salt-pepper:0.2', '--noise')).toEqual({ kind: 'salt-pepper', p: 0.2 });
    expect(() => parseNoise('blur:1', '--noise')).toThrow(/--noise: 'blur:1' is not a noise/);
    expect(() => parseNoise('mask:1.5', '--noise')).toThrow(/probability must be a number in \[0, 1\]/);
    expect(() => parseNoise('gaussian:-1', '--denoise')).toThrow(/--denoise/);
  });
});
