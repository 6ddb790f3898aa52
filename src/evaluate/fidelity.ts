/** Fidelity of synthetic tabular data: per-column marginal distances (KS, total variation) and the change in correlations. */
import { Rng } from '../engine/index.js';
import { invertPreprocessing, type Dataset, type TabularColumn } from '../data/index.js';
import { labelsFor, type Model } from '../models/index.js';
import { syntheticExamples } from './synthetic.js';

/**
 * The two-sample Kolmogorov-Smirnov statistic D = sup_t |F_a(t) - F_b(t)| of two samples' empirical CDFs, exact with
 * ties: both CDFs step over all copies of a value before they are compared, so equal samples give 0.
 *
 * @example
 * ksStatistic([1, 2, 3], [2, 3, 4, 5]); // 0.5 (at t = 3: F_a = 1, F_b = 2/4)
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) throw new RangeError(`ksStatistic: samples of ${a.length} and ${b.length} values; expected both non-empty`);
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  let [i, j, d] = [0, 0, 0];
  while (i < sa.length && j < sb.length) {
    const t = Math.min(sa[i], sb[j]);
    while (i < sa.length && sa[i] <= t) i++;
    while (j < sb.length && sb[j] <= t) j++;
    d = Math.max(d, Math.abs(i / sa.length - j / sb.length));
  }
  // Past the end of one sample its CDF is 1 and the other's only rises towards 1: the sup is already counted.
  return d;
}

/**
 * The total variation distance of two distributions over the same K categories: 1/2 sum_k |p_k - q_k|, in [0, 1].
 *
 * @example
 * totalVariation([0.5, 0.5, 0], [0.25, 0.25, 0.5]); // 0.5
 */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`totalVariation: distributions over ${p.length} and ${q.length} categories; expected the same`);
  let s = 0;
  for (let k = 0; k < p.length; k++) s += Math.abs(p[k] - q[k]);
  return s / 2;
}

/**
 * The share of rows of `block` [n, K] whose largest value is in each category (the argmax of a one-hot row or of a
 * row of probabilities; the first on a tie). Length K, summing to 1.
 *
 * @example
 * categoryFrequencies(Float32Array.of(1, 0, 0, 1, 0.2, 0.8), 2); // [1/3, 2/3]
 */
export function categoryFrequencies(block: ArrayLike<number>, K: number): number[] {
  const n = block.length / K;
  if (!Number.isInteger(n) || n === 0) throw new RangeError(`categoryFrequencies: ${block.length} values are not n > 0 rows of ${K} categories`);
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (block[i * K + k] > block[i * K + best]) best = k;
    counts[best]++;
  }
  return counts.map((c) => c / n);
}

/**
 * The Pearson correlation matrix [p, p] (row-major) of the p columns of `x` [n, p], in float64. A constant column has
 * no defined correlation; it is given 0 with every other column (and 1 with itself, like every column), so a summary
 * stays finite and a column that collapses to a constant shows up as correlations lost.
 *
 * @example
 * pearsonCorrelation(Float32Array.of(1, 2, 2, 4, 3, 6), 2); // [1, 1, 1, 1]
 */
export function pearsonCorrelation(x: ArrayLike<number>, p: number): Float64Array {
  const n = x.length / p;
  if (!Number.isInteger(n) || n === 0) throw new RangeError(`pearsonCorrelation: ${x.length} values are not n > 0 rows of ${p} columns`);
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += x[i * p + j] / n;
  const cov = new Float64Array(p * p); // [p, p], sums of centred products (upper triangle)
  const row = new Float64Array(p); // one centred row, so the inner loop reads contiguous float64s
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) row[j] = x[i * p + j] - mean[j];
    for (let j = 0; j < p; j++) {
      const dj = row[j];
      const at = j * p;
      for (let k = j; k < p; k++) cov[at + k] += dj * row[k];
    }
  }
  const corr = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    corr[j * p + j] = 1;
    for (let k = j + 1; k < p; k++) {
      const denom = Math.sqrt(cov[j * p + j] * cov[k * p + k]);
      const r = denom > 0 ? Math.min(1, Math.max(-1, cov[j * p + k] / denom)) : 0;
      corr[j * p + k] = r;
      corr[k * p + j] = r;
    }
  }
  return corr;
}

/**
 * The columns of tabular data: its own when it has them, otherwise every one of its `dim` values a numeric column
 * named x1..xD (an all-numeric .npy file, or a run from before columns were recorded).
 *
 * @example
 * fidelityColumns(undefined, 2); // [{ name: 'x1', kind: 'numeric', index: 0 }, { name: 'x2', kind: 'numeric', index: 1 }]
 */
export function fidelityColumns(columns: TabularColumn[] | undefined, dim: number): TabularColumn[] {
  return columns ?? Array.from({ length: dim }, (_, index) => ({ name: `x${index + 1}`, kind: 'numeric' as const, index }));
}

/** The mean and standard deviation (population: divided by n) of a sample. */
export interface Moments {
  mean: number;
  std: number;
}

/** How one column's marginal distribution compares, real against synthetic. */
export type ColumnFidelity =
  /** The KS statistic of the two samples' values, with their means and standard deviations. */
  | { name: string; kind: 'numeric'; statistic: 'ks'; value: number; real: Moments; synthetic: Moments }
  /** The total variation distance of the two category frequencies (`labels` in the block's order). */
  | { name: string; kind: 'categorical'; statistic: 'tv'; value: number; labels: string[]; real: { frequencies: number[] }; synthetic: { frequencies: number[] } };

/** Numeric columns whose correlations a summary lists (the rest count in maxAbs and frobenius): 64 columns are 4,096 entries a matrix. */
export const MAX_CORRELATION_COLUMNS = 64;

/** The correlations of the numeric columns, real and synthetic, and their difference (synthetic - real). */
export interface CorrelationFidelity {
  /** The numeric columns listed, in order (the first {@link MAX_CORRELATION_COLUMNS}): rows and columns of every matrix. */
  names: string[];
  /** All numeric columns, listed or not. */
  numericColumns: number;
  real: number[][];
  synthetic: number[][];
  diff: number[][];
  /** The largest |synthetic - real| over the entries of all numeric columns (0 with fewer than two). */
  maxAbs: number;
  /** sqrt of the sum of squared differences over the whole matrix of all numeric columns (both triangles). */
  frobenius: number;
}

export interface FidelitySummary {
  /** Real and synthetic rows compared. */
  n: { real: number; synthetic: number };
  columns: ColumnFidelity[];
  correlation: CorrelationFidelity;
}

/** Column j of `x` [n, dim]. */
function column(x: Float32Array, dim: number, j: number): Float64Array {
  const n = x.length / dim;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i * dim + j];
  return out;
}

/** Columns start .. start + width of `x` [n, dim], as [n, width]. */
function block(x: Float32Array, dim: number, start: number, width: number): Float32Array {
  const n = x.length / dim;
  const out = new Float32Array(n * width); // [n, width]
  for (let i = 0; i < n; i++) out.set(x.subarray(i * dim + start, i * dim + start + width), i * width);
  return out;
}

function moments(v: Float64Array): Moments {
  let mean = 0;
  for (const t of v) mean += t / v.length;
  let ss = 0;
  for (const t of v) ss += (t - mean) ** 2;
  return { mean, std: Math.sqrt(ss / v.length) };
}

/** The top-left [k, k] block of a [p, p] matrix as rows. */
const toRows = (m: Float64Array, p: number, k: number) => Array.from({ length: k }, (_, i) => Array.from(m.subarray(i * p, i * p + k)));

/**
 * Real against synthetic tabular data, both [n, dim] and [m, dim] in the data's own units: per column, the KS
 * statistic (numeric) or the total variation of the category frequencies (categorical), and the Pearson correlations
 * of the numeric columns with their difference (the matrices of the first {@link MAX_CORRELATION_COLUMNS} columns, the
 * largest and the Frobenius norm of the difference over all). Identical data gives zeros throughout.
 *
 * @example
 * const s = fidelitySummary({ columns: dataset.columns, dim: 8, real, synthetic });
 * s.columns[0]; // { name: 'age', kind: 'numeric', statistic: 'ks', value: 0.06, real: { mean, std }, synthetic: { mean, std } }
 */
export function fidelitySummary({ columns, dim, real, synthetic }: { columns?: TabularColumn[]; dim: number; real: Float32Array; synthetic: Float32Array }): FidelitySummary {
  for (const [what, x] of [['real', real], ['synthetic', synthetic]] as const) {
    if (x.length === 0 || x.length % dim !== 0) throw new RangeError(`fidelitySummary: ${x.length} ${what} values are not n > 0 rows of ${dim}`);
  }
  const cols = fidelityColumns(columns, dim);
  for (const c of cols) {
    const [from, to] = c.kind === 'numeric' ? [c.index, c.index + 1] : [c.start, c.start + c.labels.length];
    if (from < 0 || to > dim) throw new RangeError(`fidelitySummary: column '${c.name}' sits at ${from}..${to - 1}, outside the ${dim} values of a row`);
  }
  const perColumn = cols.map((c): ColumnFidelity => {
    if (c.kind === 'numeric') {
      const [a, b] = [column(real, dim, c.index), column(synthetic, dim, c.index)];
      return { name: c.name, kind: 'numeric', statistic: 'ks', value: ksStatistic(a, b), real: moments(a), synthetic: moments(b) };
    }
    const K = c.labels.length;
    const p = categoryFrequencies(block(real, dim, c.start, K), K);
    const q = categoryFrequencies(block(synthetic, dim, c.start, K), K);
    return { name: c.name, kind: 'categorical', statistic: 'tv', value: totalVariation(p, q), labels: c.labels, real: { frequencies: p }, synthetic: { frequencies: q } };
  });
  const numeric = cols.filter((c) => c.kind === 'numeric');
  const p = numeric.length;
  const numericOf = (x: Float32Array) => {
    const n = x.length / dim;
    const out = new Float32Array(n * p); // [n, p]
    for (let i = 0; i < n; i++) numeric.forEach((c, j) => (out[i * p + j] = x[i * dim + c.index]));
    return out;
  };
  const rc = p > 0 ? pearsonCorrelation(numericOf(real), p) : new Float64Array(0);
  const sc = p > 0 ? pearsonCorrelation(numericOf(synthetic), p) : new Float64Array(0);
  const diff = sc.map((v, i) => v - rc[i]);
  const listed = Math.min(p, MAX_CORRELATION_COLUMNS);
  return {
    n: { real: real.length / dim, synthetic: synthetic.length / dim },
    columns: perColumn,
    correlation: {
      names: numeric.slice(0, listed).map((c) => c.name),
      numericColumns: p,
      real: toRows(rc, p, listed),
      synthetic: toRows(sc, p, listed),
      diff: toRows(diff, p, listed),
      maxAbs: diff.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
      frobenius: Math.sqrt(diff.reduce((s, v) => s + v * v, 0)),
    },
  };
}

/** Real and synthetic rows of a run in the data's units, as {@link modelFidelity} compares them. */
export interface FidelityData {
  columns: TabularColumn[];
  dim: number;
  /** [n, dim] the first n test examples, preprocessing undone. */
  real: Float32Array;
  /** [n, dim] prior draws decoded, preprocessing undone. */
  synthetic: Float32Array;
}

/** Rows compared at most: enough for KS to resolve about 0.03 at 95%, and seconds to decode and sort. */
export const MAX_FIDELITY_ROWS = 5000;

/**
 * The rows a trained model's fidelity is judged on: the test split's first n examples (n = its size, at most
 * {@link MAX_FIDELITY_ROWS}) and n synthetic examples drawn with the run's seed, both in the data's own units. A
 * conditional model draws example i with test example i's label, so the classes come in the test split's proportions.
 *
 * @example
 * const data = fidelityData({ model, dataset, seed: config.train.seed }); fidelitySummary(data);
 */
export function fidelityData({ model, dataset, seed, maxRows = MAX_FIDELITY_ROWS }: { model: Model; dataset: Dataset; seed: number | string; maxRows?: number }): FidelityData {
  const dim = model.inputDim;
  const n = Math.min(dataset.test.n, maxRows);
  if (n === 0) throw new RangeError(`the test split of '${dataset.name}' is empty; fidelity needs real examples to compare with`);
  const labels = labelsFor({ model, labels: dataset.test.labels, n, what: `the test split of '${dataset.name}'` });
  const real = invertPreprocessing(dataset.test.x.slice(0, n * dim), dim, dataset.preprocessing); // [n, dim]
  const synthetic = invertPreprocessing(Float32Array.from(syntheticExamples({ model, n, rng: new Rng(`${seed}:fidelity`), labels })), dim, dataset.preprocessing); // [n, dim]
  return { columns: fidelityColumns(dataset.columns, dim), dim, real, synthetic };
}
