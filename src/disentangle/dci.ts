/**
 * DCI (Eastwood & Williams 2018: disentanglement, completeness, informativeness) as disentanglement_lib's dci.py,
 * with gradient-boosted regression stumps in place of its gradient-boosted classification trees.
 */
import { checkRows, column, type Table } from './types.js';

/** The boosting's settings: sklearn's GradientBoosting defaults (100 rounds, learning rate 0.1), trees of depth 1. */
export const DCI_BOOSTING = { rounds: 100, learningRate: 0.1, depth: 1 } as const;

export interface DciResult {
  /** The code-importance-weighted mean over codes of 1 - H_K(importance of code l over factors). */
  disentanglement: number;
  /** The factor-importance-weighted mean over factors of 1 - H_L(importance of factor k over codes). */
  completeness: number;
  /** The mean over factors of the test accuracy (the regressor's prediction rounded to the nearest factor value). */
  informativeness: number;
  /** The same on the training points. */
  informativenessTrain: number;
  /** The importance of code l for factor k, row-major [L, K]: each factor's squared-error reduction, per code. */
  importance: number[];
  boosting: typeof DCI_BOOSTING;
}

/**
 * DCI of training codes and factors, with informativeness on test codes and factors (disentanglement_lib: 10,000 and
 * 5,000 points). For each factor a regressor on all codes predicts the factor's class index (the distinct values in
 * increasing order): `rounds` stumps, each fitted to the residuals by least squares on one code, added with the
 * learning rate; a code's importance is the squared-error reduction of its stumps, as sklearn's feature_importances_
 * (normalized per factor). H is the entropy with base K (disentanglement) or L (completeness); a code or factor with
 * no importance weighs 0, and all-zero importance (a constant code) scores 0.
 *
 * @example
 * const { disentanglement, completeness, informativeness } = dci({ codes, factors }, { codes: testCodes, factors: testFactors });
 */
export function dci(train: { codes: Table; factors: Table }, test: { codes: Table; factors: Table }): DciResult {
  checkRows(train.codes, train.factors);
  checkRows(test.codes, test.factors);
  const L = train.codes.dim;
  const K = train.factors.dim;
  const importance = new Array<number>(L * K).fill(0);
  const accTrain: number[] = [];
  const accTest: number[] = [];
  const sorted = Array.from({ length: L }, (_, l) => sortedColumn(train.codes, l));
  for (let k = 0; k < K; k++) {
    const classes = [...new Set(column(train.factors, k))].sort((a, b) => a - b);
    const target = Float64Array.from(column(train.factors, k), (v) => classes.indexOf(v));
    const model = boostStumps(sorted, target, train.codes);
    const total = model.gain.reduce((s, g) => s + g, 0);
    for (let l = 0; l < L; l++) importance[l * K + k] = total > 0 ? model.gain[l] / total : 0;
    accTrain.push(accuracy(model, train.codes, column(train.factors, k), classes));
    accTest.push(accuracy(model, test.codes, column(test.factors, k), classes));
  }
  return {
    ...dciFromImportance(importance, L, K),
    informativeness: meanOf(accTest),
    informativenessTrain: meanOf(accTrain),
    importance,
    boosting: DCI_BOOSTING,
  };
}

/**
 * Disentanglement and completeness from an importance matrix [L, K] (row-major), as dci.py's `disentanglement` and
 * `completeness`.
 *
 * @example
 * dciFromImportance([1, 0, 0, 1], 2, 2); // { disentanglement: 1, completeness: 1 }
 */
export function dciFromImportance(importance: ArrayLike<number>, L: number, K: number): { disentanglement: number; completeness: number } {
  const at = (l: number, k: number) => importance[l * K + k];
  const total = Array.from(importance).reduce((s, x) => s + x, 0);
  if (total <= 0) return { disentanglement: 0, completeness: 0 };
  let disentanglement = 0;
  for (let l = 0; l < L; l++) {
    const row = Array.from({ length: K }, (_, k) => at(l, k));
    const weight = row.reduce((s, x) => s + x, 0) / total;
    if (weight > 0) disentanglement += weight * (1 - entropyBase(row, K));
  }
  let completeness = 0;
  for (let k = 0; k < K; k++) {
    const col = Array.from({ length: L }, (_, l) => at(l, k));
    const weight = col.reduce((s, x) => s + x, 0) / total;
    if (weight > 0) completeness += weight * (1 - entropyBase(col, L));
  }
  return { disentanglement, completeness };
}

/** The entropy, in base `base`, of the distribution proportional to `p` (scipy.stats.entropy(p, base=base)); 0 for base 1. */
function entropyBase(p: number[], base: number): number {
  if (base < 2) return 0;
  const sum = p.reduce((s, x) => s + x, 0);
  let h = 0;
  for (const x of p) if (x > 0) h -= (x / sum) * Math.log(x / sum);
  return h / Math.log(base);
}

const meanOf = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

/** A column's row order by value, with the values in that order. */
function sortedColumn(t: Table, l: number): { order: Int32Array; values: Float64Array } {
  const x = column(t, l);
  const order = Int32Array.from({ length: t.n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  return { order, values: Float64Array.from(order, (i) => x[i]) };
}

interface Stump {
  code: number;
  threshold: number;
  left: number;
  right: number;
}

interface Boosted {
  base: number;
  stumps: Stump[];
  /** Squared-error reduction per code, summed over rounds. */
  gain: number[];
}

/** Gradient boosting of least-squares stumps on the codes (their presorted columns) for `target` [n]. */
function boostStumps(sorted: { order: Int32Array; values: Float64Array }[], target: Float64Array, codes: Table): Boosted {
  const n = target.length;
  const base = target.reduce((s, y) => s + y, 0) / n;
  const residual = Float64Array.from(target, (y) => y - base);
  const gain = new Array<number>(codes.dim).fill(0);
  const stumps: Stump[] = [];
  const { rounds, learningRate } = DCI_BOOSTING;
  for (let r = 0; r < rounds; r++) {
    let best: (Stump & { gain: number }) | undefined;
    let total = 0;
    for (let i = 0; i < n; i++) total += residual[i];
    for (let l = 0; l < sorted.length; l++) {
      const { order, values } = sorted[l];
      let leftSum = 0;
      // The split between sorted rows i and i + 1 (distinct values only) reduces the squared error by
      // S_left^2 / n_left + S_right^2 / n_right - S^2 / n.
      for (let i = 0; i < n - 1; i++) {
        leftSum += residual[order[i]];
        if (values[i] === values[i + 1]) continue;
        const nl = i + 1;
        const rightSum = total - leftSum;
        const g = (leftSum * leftSum) / nl + (rightSum * rightSum) / (n - nl) - (total * total) / n;
        if (!best || g > best.gain) best = { code: l, threshold: (values[i] + values[i + 1]) / 2, left: leftSum / nl, right: rightSum / (n - nl), gain: g };
      }
    }
    if (!best || best.gain <= 1e-12) break;
    const stump = { code: best.code, threshold: best.threshold, left: learningRate * best.left, right: learningRate * best.right };
    stumps.push(stump);
    // The tree's own reduction of squared error before shrinkage, as sklearn's impurity-based importance counts it.
    gain[best.code] += best.gain;
    for (let i = 0; i < n; i++) residual[i] -= codes.data[i * codes.dim + stump.code] <= stump.threshold ? stump.left : stump.right;
  }
  return { base, stumps, gain };
}

/** The fraction of rows whose prediction, rounded to the nearest class index, is the row's factor value. */
function accuracy(model: Boosted, codes: Table, values: Float32Array, classes: number[]): number {
  let right = 0;
  for (let i = 0; i < codes.n; i++) {
    let y = model.base;
    for (const s of model.stumps) y += codes.data[i * codes.dim + s.code] <= s.threshold ? s.left : s.right;
    const cls = Math.min(classes.length - 1, Math.max(0, Math.round(y)));
    if (classes[cls] === values[i]) right++;
  }
  return codes.n === 0 ? 0 : right / codes.n;
}

