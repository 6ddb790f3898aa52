/** Categorical columns in a likelihood: softmax terms for the one-hot blocks beside the likelihood's own term, against hand-worked float64 sums. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../engine/index.js';
import { checkTensorCountPerTest } from '../../test/helpers.js';
import { categoricalLogLikelihood, likelihoodMean, reconstructionLoss, segments, type Likelihood } from './likelihood.js';
import { logLikelihood } from './iwae.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const LOG_2PI = Math.log(2 * Math.PI);
const logSoftmax = (l: number[]): number[] => {
  const m = Math.max(...l);
  const lse = m + Math.log(l.reduce((s, v) => s + Math.exp(v - m), 0));
  return l.map((v) => v - lse);
};
const gaussian = (x: number[], mean: number[], variance: number): number => x.reduce((s, xi, i) => s - 0.5 * ((xi - mean[i]) ** 2 / variance + Math.log(variance) + LOG_2PI), 0);

// Two rows of [numeric a, one-hot colour (3), numeric b, one-hot yes/no (2)]: D = 7.
const X = [
  [0.5, 0, 1, 0, -1.2, 1, 0],
  [-0.3, 1, 0, 0, 0.7, 0, 1],
];
const OUT = [
  [0.2, 1.0, 2.0, -1.0, -1.0, 0.3, -0.4],
  [0.1, -0.5, 0.5, 3.0, 0.4, 2.0, 1.0],
];
const BLOCKS = [
  { start: 1, size: 3 },
  { start: 5, size: 2 },
];

/** The expected per-row log-likelihood: Gaussian(variance v) on columns 0 and 4, log softmax of the category written. */
function expected(v: number): number[] {
  return X.map((x, r) => {
    const o = OUT[r];
    const num = gaussian([x[0], x[4]], [o[0], o[4]], v);
    const colour = logSoftmax(o.slice(1, 4))[x.slice(1, 4).indexOf(1)];
    const yes = logSoftmax(o.slice(5, 7))[x.slice(5, 7).indexOf(1)];
    return num + colour + yes;
  });
}

describe('categorical blocks', () => {
  it('segments cover [0, D) in order, numeric runs between the blocks; an overlap is refused', () => {
    expect(segments(BLOCKS, 7)).toEqual([
      { start: 0, size: 1, categorical: false },
      { start: 1, size: 3, categorical: true },
      { start: 4, size: 1, categorical: false },
      { start: 5, size: 2, categorical: true },
    ]);
    expect(() => segments([{ start: 0, size: 3 }, { start: 2, size: 2 }], 7)).toThrow(/overlaps/);
  });

  it('categoricalLogLikelihood is the log softmax probability of each written category, summed over blocks', () => {
    const [x, logits] = [tf.tensor2d(X), tf.tensor2d(OUT)];
    const got = categoricalLogLikelihood({ x, logits, blocks: BLOCKS });
    const want = X.map((xr, r) => logSoftmax(OUT[r].slice(1, 4))[xr.slice(1, 4).indexOf(1)] + logSoftmax(OUT[r].slice(5, 7))[xr.slice(5, 7).indexOf(1)]);
    Array.from(got.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
    tf.dispose([x, logits, got]);
  });

  it('a Gaussian likelihood with blocks: the Gaussian over the numeric columns alone plus the softmax terms, as the loss and as log p(x|z)', () => {
    const likelihood: Likelihood = { kind: 'gaussian', variance: 0.1, meanActivation: 'linear', categorical: BLOCKS };
    const [x, output] = [tf.tensor2d(X), tf.tensor2d(OUT)];
    const rec = reconstructionLoss({ likelihood, x, output });
    const ll = logLikelihood({ likelihood, x, output });
    const want = expected(0.1);
    Array.from(rec.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(-want[i], 4));
    Array.from(ll.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 4));
    tf.dispose([x, output, rec, ll]);
  });

  it('a learned variance takes the numeric columns of both halves of the output', () => {
    const likelihood: Likelihood = { kind: 'gaussian', variance: 'learned', meanActivation: 'linear', categorical: BLOCKS };
    const logVar = [
      [0.1, 9, 9, 9, -0.5, 9, 9],
      [-0.2, 9, 9, 9, 0.3, 9, 9],
    ]; // the blocks' log-variances (9) are unused
    const [x, output] = [tf.tensor2d(X), tf.tensor2d(OUT.map((o, r) => [...o, ...logVar[r]]))];
    const ll = logLikelihood({ likelihood, x, output });
    const want = X.map((xr, r) => {
      const o = OUT[r];
      const num = [0, 4].reduce((s, j) => s - 0.5 * ((xr[j] - o[j]) ** 2 / Math.exp(logVar[r][j]) + logVar[r][j] + LOG_2PI), 0);
      return num + logSoftmax(o.slice(1, 4))[xr.slice(1, 4).indexOf(1)] + logSoftmax(o.slice(5, 7))[xr.slice(5, 7).indexOf(1)];
    });
    Array.from(ll.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 4));
    tf.dispose([x, output, ll]);
  });

  it("the mean is the numeric columns' means with each block's softmax in its place", () => {
    const likelihood: Likelihood = { kind: 'squared-error', meanActivation: 'linear', categorical: BLOCKS };
    const output = tf.tensor2d(OUT);
    const mean = likelihoodMean(likelihood, output);
    const rows = mean.arraySync() as number[][];
    rows.forEach((row, r) => {
      expect(row[0]).toBeCloseTo(OUT[r][0], 6);
      expect(row[4]).toBeCloseTo(OUT[r][4], 6);
      logSoftmax(OUT[r].slice(1, 4)).forEach((l, j) => expect(row[1 + j]).toBeCloseTo(Math.exp(l), 6));
      logSoftmax(OUT[r].slice(5, 7)).forEach((l, j) => expect(row[5 + j]).toBeCloseTo(Math.exp(l), 6));
    });
    tf.dispose([output, mean]);
  });

  it('the loss gradient reaches the block logits as softmax - onehot', () => {
    const likelihood: Likelihood = { kind: 'gaussian', variance: 1, meanActivation: 'linear', categorical: [{ start: 1, size: 3 }] };
    const x = tf.tensor2d([[0.5, 0, 1, 0]]);
    const output = tf.tensor2d([[0.2, 1.0, 2.0, -1.0]]);
    const grad = tf.grad((o: tf.Tensor) => tf.sum(reconstructionLoss({ likelihood, x, output: o as tf.Tensor2D })))(output);
    const g = Array.from(grad.dataSync());
    const p = logSoftmax([1.0, 2.0, -1.0]).map(Math.exp);
    expect(g[0]).toBeCloseTo(0.2 - 0.5, 5); // d/dmean of (x - mean)^2 / 2
    [p[0], p[1] - 1, p[2]].forEach((want, j) => expect(g[1 + j]).toBeCloseTo(want, 5));
    tf.dispose([x, output, grad]);
  });
});
