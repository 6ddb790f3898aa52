/** Minibatch helpers on plain typed arrays: index batches, row gathering, in-memory epochs of batches, and dynamic binarization. */
import { UsageError } from '../errors.js';
import type { Rng } from '../engine/rng.js';
import type { DataSplit, Dataset } from './types.js';

/**
 * The number of values in one example: the product of `ds.shape`.
 *
 * @example
 * exampleSize(mnist); // 784
 */
export function exampleSize(ds: Pick<Dataset, 'shape'>): number {
  return ds.shape.reduce((a, b) => a * b, 1);
}

/**
 * Indices 0..n-1, shuffled when an `rng` is given (in order otherwise), cut into batches of
 * `batchSize`; the last batch keeps the remainder, so every example is seen once per epoch.
 *
 * @example
 * for (const idx of batchIndices(train.n, 128, rng)) {
 *   const { x } = gather(train, idx, exampleSize(ds)); // [idx.length, 784]
 * }
 */
export function batchIndices(n: number, batchSize: number, rng?: Rng): Int32Array[] {
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`batchIndices: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`batch size must be a positive integer, got ${batchSize}`);
  const order = rng ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

/**
 * The rows of `split` at `indices`, in that order, copied into a new [indices.length, exampleSize] array.
 *
 * @example
 * const { x, labels } = gather(ds.test, Int32Array.of(0, 5, 9), exampleSize(ds));
 */
export function gather(split: DataSplit, indices: Int32Array, exampleSize: number): { x: Float32Array; labels?: Int32Array } {
  const x = new Float32Array(indices.length * exampleSize); // [B, D]
  indices.forEach((row, i) => {
    if (row < 0 || row >= split.n) throw new RangeError(`gather: index ${row} is outside 0..${split.n - 1}`);
    x.set(split.x.subarray(row * exampleSize, (row + 1) * exampleSize), i * exampleSize);
  });
  const all = split.labels;
  const labels = all && Int32Array.from(indices, (row) => all[row]);
  return labels ? { x, labels } : { x };
}

/**
 * Dynamic binarization (as in Burda et al.'s binarized MNIST): each v in [0, 1] becomes 1 with
 * probability v. Call it on every batch so the model sees a fresh sample each epoch.
 *
 * @example
 * const xb = binarize(batch.x, rng); // only 0s and 1s, mean close to batch.x's mean
 */
export function binarize(x: Float32Array, rng: Rng): Float32Array {
  return rng.bernoulli(x);
}

/** One batch of examples, from memory or from a stream. */
export interface Batch {
  /** [B, D] row-major. */
  x: Float32Array;
  /** Which examples: indices into the in-memory split, or record numbers in the file for a stream. */
  indices: Int32Array;
  labels?: Int32Array;
}

/**
 * One epoch of batches from an in-memory split: a permutation of all examples when an `rng` is given (in order
 * otherwise), cut into batches of `batchSize`; the permutation is drawn before the first batch, as it always was.
 */
export function* memoryBatches(split: DataSplit, d: number, { batchSize, rng }: { batchSize: number; rng?: Rng }): Generator<Batch> {
  const order = rng ? rng.permutation(split.n) : Int32Array.from({ length: split.n }, (_, i) => i);
  const all = split.labels;
  for (let start = 0; start < split.n; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    const x = new Float32Array(indices.length * d); // [B, D]
    indices.forEach((row, i) => x.set(split.x.subarray(row * d, (row + 1) * d), i * d));
    yield { x, indices, ...(all && { labels: Int32Array.from(indices, (row) => all[row]) }) };
  }
}
