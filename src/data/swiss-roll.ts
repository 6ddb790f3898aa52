/** The Swiss roll, generated and seeded as in sklearn's make_swiss_roll: 2-D as in seed 003, 3-D as the manifold benchmark. */
import { Rng } from '../engine/rng.js';
import { limitSplits, preprocess, splitExamples } from './preprocess.js';
import type { DataOptions, Dataset } from './types.js';

export interface SwissRollOptions {
  /** Number of points. */
  n: number;
  /** Std of the isotropic Gaussian noise added to each coordinate, in the roll's raw units. */
  noise: number;
  seed: number;
  /** 2: (t cos t, t sin t); 3: (t cos t, h, t sin t) with h ~ U(0, 21). */
  dims: 2 | 3;
}

/** Default noise: sklearn's default is 0, but 0.1 (about 1% of the roll's radius, 4.7..14.1) gives the model a little width to learn. */
export const SWISS_ROLL_NOISE = 0.1;
export const SWISS_ROLL_N = 10000;

/**
 * Raw Swiss-roll points: t = 1.5 pi (1 + 2u) with u ~ U(0, 1), so before noise a 2-D point's radius
 * equals its angle t. Draws u for all points, then h (3-D), then the noise, from one `Rng(seed)`.
 *
 * @example
 * const { x, position } = swissRoll({ n: 1000, noise: 0, seed: 1, dims: 2 }); // x [1000, 2], position [1000] = t
 */
export function swissRoll(opts: SwissRollOptions): { x: Float32Array; position: Float32Array } {
  const { n, noise, dims } = opts;
  const rng = new Rng(opts.seed);
  const u = rng.uniformArray(n);
  const h = dims === 3 ? rng.uniformArray(n, 0, 21) : undefined;
  const eps = rng.normalArray(n * dims);
  const x = new Float32Array(n * dims); // [n, dims]
  const position = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = 1.5 * Math.PI * (1 + 2 * u[i]);
    const point = h ? [t * Math.cos(t), h[i], t * Math.sin(t)] : [t * Math.cos(t), t * Math.sin(t)];
    point.forEach((v, j) => (x[i * dims + j] = v + noise * eps[i * dims + j]));
    position[i] = t;
  }
  return { x, position };
}

/**
 * The Swiss roll as a Dataset: `opts.n` points (default 10000), the last round(n * testFraction)
 * generated as test, standardized by default; each split carries `aux.position` (t) for colouring.
 */
export function loadSwissRoll(opts: DataOptions, dims: 2 | 3): Dataset {
  const n = opts.n ?? SWISS_ROLL_N;
  const noise = opts.noise ?? SWISS_ROLL_NOISE;
  const { x, position } = swissRoll({ n, noise, seed: opts.seed, dims });
  // The points are i.i.d., so splitting in order is already random; a permutation from Rng(seed)
  // would replay the very draws that made u and tie the split to the position on the roll.
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const all = { x, n, aux: { position } };
  const { train, test } = limitSplits(splitExamples(all, dims, opts.testFraction, order), dims, opts.limit);
  const preprocessing = preprocess(train, test, dims, { standardize: opts.standardize ?? true });
  const name = dims === 2 ? 'swiss-roll' : 'swiss-roll-3d';
  return { name, kind: 'points', shape: [dims], train, test, preprocessing, source: `${name} generator, seed ${opts.seed}, n ${n}, noise ${noise}` };
}
