import { describe, expect, it } from 'vitest';
import { tf } from '../engine/index.js';
import { checkTensorCountPerTest } from '../../test/helpers.js';
import { codebookUsage, commitmentLoss, emaUpdate, nearestCode, quantize } from './index.js';

checkTensorCountPerTest();

const codebook = [
  [0, 0],
  [1, 0],
  [0, 2],
];
const z = [
  [0.1, 0.1], // nearest: code 0
  [0.9, -0.2], // code 1
  [0.2, 1.5], // code 2
  [0.4, 0.0], // code 0 (0.16 against 0.36)
];

describe('VQ-VAE terms', () => {
  it('nearestCode picks the codebook row at the least squared distance (hand-worked)', () => {
    const k = tf.tidy(() => Array.from(nearestCode({ z: tf.tensor2d(z), codebook: tf.tensor2d(codebook) }).dataSync()));
    expect(k).toEqual([0, 1, 2, 0]);
  });

  it('quantize gives the codes in value and the identity as the gradient with respect to z (straight-through)', () => {
    const w = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const zt = tf.tensor2d(z);
    const cb = tf.tensor2d(codebook);
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.sum(tf.mul(quantize({ z: x as tf.Tensor2D, codebook: cb }).zq, w)) as tf.Scalar)(zt);
    const zq = tf.tidy(() => quantize({ z: zt, codebook: cb }).zq.arraySync());
    expect(zq).toEqual([codebook[0], codebook[1], codebook[2], codebook[0]]);
    expect(value.arraySync()).toBeCloseTo(0 + 3 + 12 + 0, 5);
    // d/dz sum(w * zq) = w: the decoder's gradient passes to the encoder unchanged.
    expect(grad.arraySync()).toEqual(w.arraySync());
    tf.dispose([w, zt, cb, value, grad]);
  });

  it('commitmentLoss sums ||z - e||^2 over each example’s code vectors, and passes no gradient to e', () => {
    const e = [codebook[0], codebook[1], codebook[2], codebook[0]];
    const got = tf.tidy(() => Array.from(commitmentLoss({ z: tf.tensor2d(z), e: tf.tensor2d(e), codes: 2 }).dataSync()));
    // Example 0: rows 0 and 1; example 1: rows 2 and 3.
    const sq = z.map((r, i) => (r[0] - e[i][0]) ** 2 + (r[1] - e[i][1]) ** 2);
    expect(got[0]).toBeCloseTo(sq[0] + sq[1], 6);
    expect(got[1]).toBeCloseTo(sq[2] + sq[3], 6);
    const et = tf.tensor2d(e);
    const g = tf.grad((x: tf.Tensor) => tf.sum(commitmentLoss({ z: tf.tensor2d(z), e: x as tf.Tensor2D, codes: 2 })))(et);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    tf.dispose([et, g]);
  });

  it('emaUpdate matches the hand-worked EMA counts, sums and Laplace-smoothed entries', () => {
    // K = 2, D = 1; counts [1, 1], sums [0, 2]; the batch z = 1, 3, 5 assigned to codes 0, 1, 1; decay 0.5.
    // N = 0.5 [1, 1] + 0.5 [1, 2] = [1, 1.5]; m = 0.5 [0, 2] + 0.5 [1, 8] = [0.5, 5]; n = 2.5.
    const run = (epsilon: number) =>
      tf.tidy(() => {
        const r = emaUpdate({ ema: { count: tf.tensor1d([1, 1]), sum: tf.tensor2d([[0], [2]]) }, z: tf.tensor2d([[1], [3], [5]]), indices: tf.tensor1d([0, 1, 1], 'int32'), decay: 0.5, epsilon });
        return { count: Array.from(r.count.dataSync()), sum: Array.from(r.sum.dataSync()), codebook: Array.from(r.codebook.dataSync()) };
      });
    const plain = run(0);
    expect(plain.count).toEqual([1, 1.5]);
    expect(plain.sum).toEqual([0.5, 5]);
    expect(plain.codebook[0]).toBeCloseTo(0.5, 6);
    expect(plain.codebook[1]).toBeCloseTo(5 / 1.5, 6);
    // Laplace smoothing, epsilon 0.1: N~ = (N + 0.1) / (2.5 + 0.2) * 2.5 = [1.018519, 1.481481].
    const smoothed = run(0.1);
    expect(smoothed.codebook[0]).toBeCloseTo(0.5 / ((1.1 / 2.7) * 2.5), 5);
    expect(smoothed.codebook[1]).toBeCloseTo(5 / ((1.6 / 2.7) * 2.5), 5);
  });

  it('codebookUsage: the fraction of codes used and exp(entropy) of their frequencies', () => {
    expect(codebookUsage([2, 2, 0, 0])).toEqual({ usage: 0.5, perplexity: 2, size: 4 });
    expect(codebookUsage([5, 5, 5, 5, 5, 5, 5, 5]).perplexity).toBeCloseTo(8, 10);
    expect(codebookUsage([0, 9, 0])).toEqual({ usage: 1 / 3, perplexity: 1, size: 3 });
    // p = 1/2, 1/4, 1/4: entropy 1.5 log 2, perplexity 2^1.5.
    expect(codebookUsage([2, 1, 1]).perplexity).toBeCloseTo(2 ** 1.5, 10);
    expect(codebookUsage([0, 0])).toEqual({ usage: 0, perplexity: 0, size: 2 });
  });
});
