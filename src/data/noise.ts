/** Corruptions for denoising: Gaussian noise, salt-and-pepper and random masking, drawn from a seeded RNG. */
import type { Rng } from '../engine/rng.js';
import { UsageError } from '../errors.js';
import { parseDecimal } from './csv.js';

/** A corruption and its strength. */
export type NoiseSpec =
  /** x + std * eps, eps ~ N(0, 1); clipped to [0, 1] for images. */
  | { kind: 'gaussian'; std: number }
  /** Each value becomes 0 or 1 (even odds) with probability p. */
  | { kind: 'salt-pepper'; p: number }
  /** Each value becomes 0 with probability p. */
  | { kind: 'mask'; p: number };

export const NOISE_KINDS = ['gaussian', 'salt-pepper', 'mask'] as const;

/**
 * Parses `gaussian:0.5`, `salt-pepper:0.2` or `mask:0.3`; `flag` names the option in errors.
 *
 * @example
 * parseNoise('gaussian:0.5', '--noise'); // { kind: 'gaussian', std: 0.5 }
 */
export function parseNoise(text: string, flag: string): NoiseSpec {
  const m = /^([a-z-]+):(.+)$/.exec(text.trim());
  const kind = m?.[1];
  const value = m ? parseDecimal(m[2]) : NaN;
  if (!m || !(NOISE_KINDS as readonly string[]).includes(kind!)) {
    throw new UsageError(`${flag}: '${text}' is not a noise; expected gaussian:STD, salt-pepper:P or mask:P (e.g. gaussian:0.5)`);
  }
  if (kind === 'gaussian') {
    if (!(Number.isFinite(value) && value >= 0)) throw new UsageError(`${flag}: '${text}': the standard deviation must be a number >= 0`);
    return { kind, std: value };
  }
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw new UsageError(`${flag}: '${text}': the probability must be a number in [0, 1]`);
  return { kind: kind as 'salt-pepper' | 'mask', p: value };
}

/** The spec written back as text (`gaussian:0.5`). */
export function noiseText(spec: NoiseSpec): string {
  return `${spec.kind}:${spec.kind === 'gaussian' ? spec.std : spec.p}`;
}

/**
 * A corrupted copy of `x` (the input is untouched). `clip` bounds the result (images: [0, 1]).
 *
 * @example
 * const noisy = addNoise(x, { kind: 'mask', p: 0.3 }, rng, { clip: [0, 1] });
 */
export function addNoise(x: Float32Array, spec: NoiseSpec, rng: Rng, { clip }: { clip?: [number, number] } = {}): Float32Array {
  const out = Float32Array.from(x);
  if (spec.kind === 'gaussian') {
    const eps = rng.normalArray(x.length);
    for (let i = 0; i < out.length; i++) out[i] += spec.std * eps[i];
  } else {
    const u = rng.uniformArray(x.length);
    const coin = spec.kind === 'salt-pepper' ? rng.uniformArray(x.length) : undefined;
    for (let i = 0; i < out.length; i++) {
      if (u[i] < spec.p) out[i] = coin ? (coin[i] < 0.5 ? 0 : 1) : 0;
    }
  }
  if (clip) for (let i = 0; i < out.length; i++) out[i] = Math.min(clip[1], Math.max(clip[0], out[i]));
  return out;
}
