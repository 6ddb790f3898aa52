/** The separated attribute predictability (SAP, Kumar et al. 2018) as disentanglement_lib's sap_score.py. */
import { classesOf } from './mutual-info.js';
import { mean } from './mig.js';
import { checkRows, column, type Table } from './types.js';

/** disentanglement_lib's LinearSVC settings for a discrete factor: C = 0.01, class_weight = 'balanced'. */
export const SAP_SVM_C = 0.01;

export interface SapResult {
  /** The mean over factors of the gap between the two codes that predict the factor best. */
  sap: number;
  /** The score of each code for each factor, row-major [L, K]: test accuracy (discrete) or R^2 (continuous). */
  scores: number[];
  continuous: boolean;
}

/**
 * SAP of training codes and factors against test codes and factors (disentanglement_lib: 10,000 and 5,000 points).
 * For discrete factors (`continuous` false, as for dSprites) the score of code l for factor k is the test accuracy of a
 * one-vs-rest linear SVM on that single code (squared hinge loss, C = 0.01, balanced class weights, the bias
 * regularized as liblinear does: sklearn's LinearSVC defaults, solved here by Newton's method on the two parameters);
 * for continuous factors it is R^2 = cov(z, v)^2 / (var z var v), 0 when var z <= 1e-12.
 *
 * @example
 * sap({ codes, factors }, { codes: testCodes, factors: testFactors }).sap;
 */
export function sap(train: { codes: Table; factors: Table }, test: { codes: Table; factors: Table }, { continuous = false }: { continuous?: boolean } = {}): SapResult {
  checkRows(train.codes, train.factors);
  checkRows(test.codes, test.factors);
  const L = train.codes.dim;
  const K = train.factors.dim;
  const scores = new Array<number>(L * K).fill(0);
  for (let k = 0; k < K; k++) {
    const v = column(train.factors, k);
    const vTest = column(test.factors, k);
    for (let l = 0; l < L; l++) {
      const z = column(train.codes, l);
      scores[l * K + k] = continuous ? rSquared(z, v) : svmAccuracy(z, v, column(test.codes, l), vTest);
    }
  }
  const gaps = Array.from({ length: K }, (_, k) => {
    const sorted = Array.from({ length: L }, (_, l) => scores[l * K + k]).sort((a, b) => b - a);
    return sorted[0] - (sorted[1] ?? 0);
  });
  return { sap: mean(gaps), scores, continuous };
}

/** cov(z, v)^2 / (var z var v), 0 for a (near) constant code. */
function rSquared(z: Float32Array, v: Float32Array): number {
  const n = z.length;
  const mz = mean(z);
  const mv = mean(v);
  let czv = 0;
  let czz = 0;
  let cvv = 0;
  for (let i = 0; i < n; i++) {
    czv += (z[i] - mz) * (v[i] - mv);
    czz += (z[i] - mz) ** 2;
    cvv += (v[i] - mv) ** 2;
  }
  if (czz / n <= 1e-12 || cvv === 0) return 0;
  return (czv * czv) / (czz * cvv);
}

/**
 * The test accuracy of a one-vs-rest linear SVM on one feature: for each class c, w and b minimize
 * (w^2 + b^2) / 2 + C sum_i s_i max(0, 1 - y_i (w x_i + b))^2 with y_i = +-1; the class's own examples weigh its
 * balanced weight n / (classes n_c) and the rest weigh 1, as liblinear's one-vs-rest does with class weights
 * (train_one(..., weighted_C[c], C)); a test point goes to the class of largest w x + b (ties to the lower class).
 */
export function svmAccuracy(x: Float32Array, y: Float32Array, xTest: Float32Array, yTest: Float32Array, c = SAP_SVM_C): number {
  const { labels, count } = classesOf(y);
  const values = new Float64Array(count);
  const counts = new Float64Array(count);
  for (let i = 0; i < y.length; i++) {
    values[labels[i]] = y[i];
    counts[labels[i]]++;
  }
  const n = x.length;
  const weight = Float64Array.from(counts, (m) => n / (count * m));
  const planes = Array.from({ length: count }, (_, cls) => squaredHingeSvm(x, labels, cls, weight, c));
  let right = 0;
  for (let i = 0; i < xTest.length; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let cls = 0; cls < count; cls++) {
      const s = planes[cls].w * xTest[i] + planes[cls].b;
      if (s > bestScore) {
        bestScore = s;
        best = cls;
      }
    }
    if (values[best] === yTest[i]) right++;
  }
  return xTest.length === 0 ? 0 : right / xTest.length;
}

/** The two parameters (w, b) of class `cls` against the rest (its examples weighted by weight[cls], the rest by 1), by Newton's method on the piecewise-quadratic objective. */
export function squaredHingeSvm(x: Float32Array, labels: Int32Array, cls: number, weight: Float64Array, c: number): { w: number; b: number } {
  const objective = (w: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < x.length; i++) {
      const margin = 1 - (labels[i] === cls ? 1 : -1) * (w * x[i] + b);
      if (margin > 0) sum += (labels[i] === cls ? weight[cls] : 1) * margin * margin;
    }
    return (w * w + b * b) / 2 + c * sum;
  };
  let w = 0;
  let b = 0;
  let f = objective(w, b);
  for (let iter = 0; iter < 50; iter++) {
    // Gradient and Hessian of (w^2 + b^2) / 2 + C sum s_i max(0, 1 - y_i f_i)^2 over the margin violators.
    let gw = w;
    let gb = b;
    let hww = 1;
    let hwb = 0;
    let hbb = 1;
    for (let i = 0; i < x.length; i++) {
      const yi = labels[i] === cls ? 1 : -1;
      const margin = 1 - yi * (w * x[i] + b);
      if (margin <= 0) continue;
      const s = 2 * c * (labels[i] === cls ? weight[cls] : 1);
      gw -= s * margin * yi * x[i];
      gb -= s * margin * yi;
      hww += s * x[i] * x[i];
      hwb += s * x[i];
      hbb += s;
    }
    const det = hww * hbb - hwb * hwb;
    let dw = (hbb * gw - hwb * gb) / det;
    let db = (hww * gb - hwb * gw) / det;
    // The objective is convex but only piecewise quadratic: halve a step that does not lower it.
    let next = objective(w - dw, b - db);
    for (let halvings = 0; next > f && halvings < 30; halvings++) {
      dw /= 2;
      db /= 2;
      next = objective(w - dw, b - db);
    }
    if (next > f) break;
    w -= dw;
    b -= db;
    f = next;
    if (Math.abs(dw) + Math.abs(db) < 1e-10) break;
  }
  return { w, b };
}
