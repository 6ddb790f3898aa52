/** Discrete mutual information and the 20-bin discretization of codes, as disentanglement_lib's utils.py computes them. */
import { checkRows, column, type Table } from './types.js';

/** disentanglement_lib's `discretizer_fn.num_bins` for MIG and modularity. */
export const MI_BINS = 20;

/**
 * A code column put into `bins` equal-width bins between its minimum and maximum, as
 * `np.digitize(x, np.histogram(x, bins)[1][:-1])` does (bins 1 .. bins; the maximum falls in the last). A constant
 * column falls in one bin.
 *
 * @example
 * discretize(Float32Array.of(0, 0.5, 1), 2); // Int32Array [1, 2, 2]
 */
export function discretize(x: Float32Array, bins = MI_BINS): Int32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // np.histogram widens an empty range to [lo - 0.5, hi + 0.5].
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(bins, Math.max(1, Math.floor((x[i] - lo) / width) + 1));
  return out;
}

/**
 * Class indices 0 .. C - 1 for the distinct values of a column (a discrete factor given by its values, such as
 * dSprites' scale 0.5 .. 1), in order of first appearance.
 */
export function classesOf(x: ArrayLike<number>): { labels: Int32Array; count: number } {
  const ids = new Map<number, number>();
  const labels = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let id = ids.get(x[i]);
    if (id === undefined) {
      id = ids.size;
      ids.set(x[i], id);
    }
    labels[i] = id;
  }
  return { labels, count: ids.size };
}

/**
 * The mutual information (nats) of two discrete label arrays from their contingency table, as sklearn's
 * `mutual_info_score`: sum over cells of p(a, b) log(p(a, b) / (p(a) p(b))).
 *
 * @example
 * mutualInfo(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 0, 1, 1)); // log 2
 */
export function mutualInfo(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`${a.length} labels against ${b.length}`);
  const n = a.length;
  if (n === 0) return 0;
  const ca = classesOf(a);
  const cb = classesOf(b);
  const joint = new Float64Array(ca.count * cb.count); // [A, B]
  const pa = new Float64Array(ca.count);
  const pb = new Float64Array(cb.count);
  for (let i = 0; i < n; i++) {
    joint[ca.labels[i] * cb.count + cb.labels[i]]++;
    pa[ca.labels[i]]++;
    pb[cb.labels[i]]++;
  }
  let mi = 0;
  for (let i = 0; i < ca.count; i++) {
    for (let j = 0; j < cb.count; j++) {
      const nij = joint[i * cb.count + j];
      if (nij > 0) mi += (nij / n) * Math.log((n * nij) / (pa[i] * pb[j]));
    }
  }
  return Math.max(0, mi);
}

/** The entropy (nats) of a discrete label array: its mutual information with itself. */
export const entropy = (a: ArrayLike<number>): number => mutualInfo(a, a);

/**
 * The mutual information matrix [L, K] (nats, row-major: code l, factor k) between each code, discretized into `bins`
 * equal-width bins, and each discrete factor; the matrix MIG and modularity read.
 *
 * @example
 * const mi = mutualInfoMatrix(codes, factors); // mi[l * K + k]
 */
export function mutualInfoMatrix(codes: Table, factors: Table, bins = MI_BINS): Float64Array {
  checkRows(codes, factors);
  const out = new Float64Array(codes.dim * factors.dim);
  const factorColumns = Array.from({ length: factors.dim }, (_, k) => column(factors, k));
  for (let l = 0; l < codes.dim; l++) {
    const z = discretize(column(codes, l), bins);
    for (let k = 0; k < factors.dim; k++) out[l * factors.dim + k] = mutualInfo(z, factorColumns[k]);
  }
  return out;
}
