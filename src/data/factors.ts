/**
 * Datasets generated from known factors, as disentanglement_lib's GroundTruthData: draw factor rows, render their
 * examples. dSprites (5 factors, rendered by index, so a sample needs only the combinations it draws) and a small
 * 2-factor set, a square at (x, y), for tests and quick checks.
 */
import { Rng } from '../engine/rng.js';
import { limitCounts } from './preprocess.js';
import type { DataOptions, DataSplit, Dataset } from './types.js';
import { DSPRITES_FACTORS, DSPRITES_ORIENTATIONS, DSPRITES_SCALES, DSPRITES_SHAPES, DSPRITES_SIZE, drawDsprite } from './dsprites.js';

/** A generator of examples from discrete factors; factor k takes `factorSizes[k]` values, indexed 0 .. size - 1. */
export interface GroundTruth {
  name: string;
  factorNames: readonly string[];
  factorSizes: readonly number[];
  /** The per-example shape [H, W, C] of `observe`'s rows. */
  shape: readonly number[];
  /** n factor-index rows, each factor drawn uniformly and independently, as Int32Array [n, K]. */
  sampleFactors(n: number, rng: Rng): Int32Array;
  /** The examples of factor-index rows [n, K], as Float32Array [n, H * W * C] (values in [0, 1]). */
  observe(factors: Int32Array, n: number): Float32Array;
}

/** n rows of independent uniform factor indices [n, K]. */
function uniformFactors(sizes: readonly number[], n: number, rng: Rng): Int32Array {
  const K = sizes.length;
  const out = new Int32Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) out[i * K + k] = rng.int(sizes[k]);
  return out;
}

/** The dSprites factor sizes, in DSPRITES_FACTORS order: shape 3, scale 6, orientation 40, posX 32, posY 32. */
export const DSPRITES_FACTOR_SIZES = [DSPRITES_SHAPES.length, DSPRITES_SCALES.length, DSPRITES_ORIENTATIONS.length, 32, 32] as const;

/**
 * dSprites as a ground truth: any factor rows, drawn on demand by their combination index (no full dataset needed).
 *
 * @example
 * const x = dspritesTruth.observe(dspritesTruth.sampleFactors(64, new Rng(0)), 64); // [64, 4096]
 */
export const dspritesTruth: GroundTruth = {
  name: 'dsprites',
  factorNames: DSPRITES_FACTORS,
  factorSizes: DSPRITES_FACTOR_SIZES,
  shape: [DSPRITES_SIZE, DSPRITES_SIZE, 1],
  sampleFactors: (n, rng) => uniformFactors(DSPRITES_FACTOR_SIZES, n, rng),
  observe(factors, n) {
    const d = DSPRITES_SIZE * DSPRITES_SIZE;
    const x = new Float32Array(n * d); // [n, 64 * 64]
    const K = DSPRITES_FACTOR_SIZES.length;
    for (let i = 0; i < n; i++) {
      // The combination index, row-major over the factors (dspritesFactorIndices' inverse).
      let index = 0;
      for (let k = 0; k < K; k++) index = index * DSPRITES_FACTOR_SIZES[k] + factors[i * K + k];
      drawDsprite(index, x, i * d);
    }
    return x;
  },
};

/** The 2-factor set's canvas side, square side and positions per axis. */
export const XY_SQUARES = { size: 16, side: 4, positions: 13 } as const;

/**
 * The 2-factor set 'xy-squares': a 4x4 white square on a 16x16 black canvas at one of 13 x 13 positions; the factors
 * are its column (posX) and row (posY).
 *
 * @example
 * xySquaresTruth.observe(Int32Array.of(0, 12), 1); // the square in the bottom-left corner
 */
export const xySquaresTruth: GroundTruth = {
  name: 'xy-squares',
  factorNames: ['posX', 'posY'],
  factorSizes: [XY_SQUARES.positions, XY_SQUARES.positions],
  shape: [XY_SQUARES.size, XY_SQUARES.size, 1],
  sampleFactors: (n, rng) => uniformFactors([XY_SQUARES.positions, XY_SQUARES.positions], n, rng),
  observe(factors, n) {
    const { size, side } = XY_SQUARES;
    const x = new Float32Array(n * size * size); // [n, 16 * 16]
    for (let i = 0; i < n; i++) {
      const px = factors[i * 2];
      const py = factors[i * 2 + 1];
      for (let r = py; r < py + side; r++) x.fill(1, i * size * size + r * size + px, i * size * size + r * size + px + side);
    }
    return x;
  },
};

/** The datasets with known factors, by name. */
export const GROUND_TRUTHS: readonly GroundTruth[] = [dspritesTruth, xySquaresTruth];

/** The ground truth of a dataset name, or undefined for data without known factors (mnist, a CSV file). */
export const groundTruthFor = (name: string): GroundTruth | undefined => GROUND_TRUTHS.find((g) => g.name === name);

/** The 2-factor set's default size when loaded as a dataset: 5,000 examples drawn with replacement from its 169 combinations. */
export const XY_SQUARES_N = 5000;

/**
 * The 2-factor set as a dataset to train on (`--data xy-squares`): n examples (default 5,000) with seeded uniform
 * factors, the last round(n * testFraction) as test; labels are posX, aux.factors the factor indices [n, 2].
 *
 * @example
 * const ds = loadXySquares({ name: 'xy-squares', seed: 0, testFraction: 0.2 }); // shape [16, 16, 1]
 */
export function loadXySquares(opts: DataOptions): Dataset {
  const n = opts.n ?? XY_SQUARES_N;
  const nTest = Math.max(1, Math.round(n * opts.testFraction));
  const kept = limitCounts(n - nTest, nTest, opts.limit);
  const factors = xySquaresTruth.sampleFactors(n, new Rng(`${opts.seed}:xy-squares`)); // [n, 2]
  const split = (from: number, count: number): DataSplit => {
    const f = factors.slice(from * 2, (from + count) * 2);
    return { x: xySquaresTruth.observe(f, count), n: count, labels: Int32Array.from({ length: count }, (_, i) => f[i * 2]), aux: { factors: Float32Array.from(f) } };
  };
  return {
    name: 'xy-squares',
    kind: 'image',
    shape: [...xySquaresTruth.shape],
    labelNames: Array.from({ length: XY_SQUARES.positions }, (_, i) => `x=${i}`),
    train: split(0, kept.nTrain),
    test: split(n - nTest, kept.nTest),
    preprocessing: { kind: 'none' },
    source: `xy-squares generator: a ${XY_SQUARES.side}x${XY_SQUARES.side} square on a ${XY_SQUARES.size}x${XY_SQUARES.size} canvas at ${XY_SQUARES.positions} x ${XY_SQUARES.positions} positions, seed ${opts.seed}, ${n} examples`,
  };
}
