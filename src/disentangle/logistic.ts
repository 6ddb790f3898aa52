/** Multinomial logistic regression by full-batch gradient descent: the beta-VAE score's linear classifier. */

/** The classifier's settings: sklearn's LogisticRegression defaults (L2, C = 1), fitted here by gradient descent. */
export const LOGISTIC = { c: 1, iterations: 500, learningRate: 0.5 } as const;

export interface Logistic {
  /** The most probable class of a feature row. */
  predict(x: Float64Array): number;
  /** p(class | x) for a feature row. */
  probabilities(x: Float64Array): Float64Array;
}

/**
 * Fits softmax regression of `labels` (0 .. classes - 1) on rows of `x` [n, d] (features standardized with the
 * training mean and standard deviation, which changes the L2 penalty's meaning but not what separates), minimizing
 * sum_i -log p(y_i | x_i) + |W|^2 / (2 C) (the bias unpenalized) by gradient descent on the mean.
 *
 * @example
 * const clf = fitLogistic(features, n, d, labels, K); clf.predict(row);
 */
export function fitLogistic(x: Float64Array, n: number, d: number, labels: Int32Array, classes: number): Logistic {
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += x[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += (x[i * d + j] - mu[j]) ** 2 / n;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  const xs = new Float64Array(n * d); // [n, d], standardized
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xs[i * d + j] = (x[i * d + j] - mu[j]) / sd[j];
  const w = new Float64Array(classes * d); // [K, d]
  const b = new Float64Array(classes);
  const p = new Float64Array(classes);
  const { c, iterations, learningRate } = LOGISTIC;
  for (let it = 0; it < iterations; it++) {
    const gw = Float64Array.from(w, (v) => v / (c * n));
    const gb = new Float64Array(classes);
    for (let i = 0; i < n; i++) {
      softmax(w, b, xs, i * d, d, p);
      p[labels[i]] -= 1;
      for (let k = 0; k < classes; k++) {
        const g = p[k] / n;
        gb[k] += g;
        for (let j = 0; j < d; j++) gw[k * d + j] += g * xs[i * d + j];
      }
    }
    for (let k = 0; k < w.length; k++) w[k] -= learningRate * gw[k];
    for (let k = 0; k < classes; k++) b[k] -= learningRate * gb[k];
  }
  const probabilities = (row: Float64Array) => {
    const out = new Float64Array(classes);
    softmax(w, b, Float64Array.from(row, (v, j) => (v - mu[j]) / sd[j]), 0, d, out);
    return out;
  };
  return {
    probabilities,
    predict(row) {
      const q = probabilities(row);
      let best = 0;
      for (let k = 1; k < classes; k++) if (q[k] > q[best]) best = k;
      return best;
    },
  };
}

/** p = softmax(W x + b) for the row of `x` at `offset`. */
function softmax(w: Float64Array, b: Float64Array, x: Float64Array, offset: number, d: number, p: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < p.length; k++) {
    let s = b[k];
    for (let j = 0; j < d; j++) s += w[k * d + j] * x[offset + j];
    p[k] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let k = 0; k < p.length; k++) sum += p[k] = Math.exp(p[k] - max);
  for (let k = 0; k < p.length; k++) p[k] /= sum;
}
