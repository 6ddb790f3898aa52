/** Steps every loader shares: splitting, the `limit` rule, label encoding, and scaling or standardizing with train stats. */
import { gather } from './batch.js';
import type { DataSplit, Preprocessing } from './types.js';

/** The rows of `split` at `indices`, side information included. */
export function selectExamples(split: DataSplit, indices: Int32Array, d: number): DataSplit {
  const out: DataSplit = { ...gather(split, indices, d), n: indices.length };
  const position = split.aux?.position;
  if (position) out.aux = { position: Float32Array.from(indices, (i) => position[i]) };
  const factors = split.aux?.factors;
  if (factors) {
    const f = factors.length / split.n;
    const picked = new Float32Array(indices.length * f); // [k, factors]
    indices.forEach((i, r) => picked.set(factors.subarray(i * f, (i + 1) * f), r * f));
    out.aux = { ...out.aux, factors: picked };
  }
  return out;
}

/**
 * Splits unsplit examples: the last round(n * testFraction) entries of `order` go to test, the rest
 * to train, with at least one example in each (the caller guarantees n >= 2).
 */
export function splitExamples(all: DataSplit, d: number, testFraction: number, order: Int32Array): { train: DataSplit; test: DataSplit } {
  const nTest = Math.min(all.n - 1, Math.max(1, Math.round(all.n * testFraction)));
  return {
    train: selectExamples(all, order.subarray(0, all.n - nTest), d),
    test: selectExamples(all, order.subarray(all.n - nTest), d),
  };
}

/**
 * How many examples `limit` keeps: the first `limit` of train and the first max(1, ceil(limit / 6))
 * of test; 6 is MNIST's 60000:10000 ratio, so a quick run keeps the usual proportion.
 *
 * @example
 * limitCounts(60000, 10000, 1000); // { nTrain: 1000, nTest: 167 }
 */
export function limitCounts(nTrain: number, nTest: number, limit?: number): { nTrain: number; nTest: number } {
  if (limit === undefined) return { nTrain, nTest };
  return { nTrain: Math.min(nTrain, limit), nTest: Math.min(nTest, Math.max(1, Math.ceil(limit / 6))) };
}

/** Both splits cut down by {@link limitCounts}. */
export function limitSplits({ train, test }: { train: DataSplit; test: DataSplit }, d: number, limit?: number): { train: DataSplit; test: DataSplit } {
  const { nTrain, nTest } = limitCounts(train.n, test.n, limit);
  const first = (k: number): Int32Array => Int32Array.from({ length: k }, (_, i) => i);
  return {
    train: nTrain === train.n ? train : selectExamples(train, first(nTrain), d),
    test: nTest === test.n ? test : selectExamples(test, first(nTest), d),
  };
}

/**
 * Class indices for label values: names are the sorted distinct values (numerically when all are
 * numbers, so '10' comes after '9').
 *
 * @example
 * encodeLabels(['b', 'a', 'b']); // { labels: Int32Array [1, 0, 1], labelNames: ['a', 'b'] }
 */
export function encodeLabels(values: string[]): { labels: Int32Array; labelNames: string[] } {
  const distinct = [...new Set(values)];
  const numeric = distinct.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  const labelNames = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
  const index = new Map(labelNames.map((name, i) => [name, i]));
  return { labels: Int32Array.from(values, (v) => index.get(v) ?? -1), labelNames };
}

/**
 * Turns raw values into model inputs in place: standardize each of the `d` features with the train
 * split's mean and (population) std, a constant feature dividing by 1; or multiply by `scale`; or
 * leave them. Values marked in `oneHot` (categorical columns' blocks) are left as they are when standardizing
 * (mean 0, std 1 in the record). Returns the record a saved model needs to repeat it.
 */
export function preprocess(train: DataSplit, test: DataSplit, d: number, how: { standardize: boolean; scale?: number; oneHot?: Uint8Array }): Preprocessing {
  if (how.standardize) {
    const { mean, std } = featureStats(train.x, d);
    how.oneHot?.forEach((hot, j) => {
      if (hot) [mean[j], std[j]] = [0, 1];
    });
    for (const { x } of [train, test]) {
      for (let i = 0; i < x.length; i++) x[i] = (x[i] - mean[i % d]) / std[i % d];
    }
    return { kind: 'standardize', mean, std };
  }
  if (how.scale !== undefined && how.scale !== 1) {
    const scale = how.scale;
    for (const { x } of [train, test]) {
      for (let i = 0; i < x.length; i++) x[i] *= scale;
    }
    return { kind: 'scale', scale };
  }
  return { kind: 'none' };
}

/** Per-feature mean and population std of a [n, d] array, accumulated in float64; std 0 becomes 1. */
function featureStats(x: Float32Array, d: number): { mean: number[]; std: number[] } {
  const n = x.length / d;
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  for (let i = 0; i < x.length; i++) sum[i % d] += x[i];
  const mean = Array.from(sum, (s) => s / n);
  for (let i = 0; i < x.length; i++) sumSq[i % d] += (x[i] - mean[i % d]) ** 2;
  const std = Array.from(sumSq, (s) => Math.sqrt(s / n) || 1);
  return { mean, std };
}
