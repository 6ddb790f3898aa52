import { describe, expect, it } from 'vitest';
import { tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest } from '../../test/helpers.js';
import { densityRatioTc, discriminatorLoss, permuteDims } from './index.js';

checkTensorCountPerTest();

describe('FactorVAE terms', () => {
  it('permuteDims reorders each column by its own permutation (hand-worked), keeping each column’s values', () => {
    const z = [
      [1, 10, 100],
      [2, 20, 200],
      [3, 30, 300],
    ];
    const permutations = [Int32Array.from([2, 0, 1]), Int32Array.from([0, 1, 2]), Int32Array.from([1, 2, 0])];
    const out = tf.tidy(() => permuteDims({ z: tf.tensor2d(z), permutations }).arraySync());
    expect(out).toEqual([
      [3, 10, 200],
      [1, 20, 300],
      [2, 30, 100],
    ]);
    expect(() => tf.tidy(() => permuteDims({ z: tf.tensor2d(z), permutations: permutations.slice(1) }))).toThrow(/expected 3 permutations of 3 rows/);
  });

  it('with the exact density ratio as the logit, the mean TC estimate is the closed-form TC of a correlated Gaussian', () => {
    // z ~ N(0, [[1, rho], [rho, 1]]): TC = KL(q(z) || q(z1) q(z2)) = -log(1 - rho^2) / 2, and the optimal discriminator's
    // logit log(D / (1 - D)) is log q(z) - log q(z1) - log q(z2).
    const rho = 0.8;
    const n = 20000;
    const rng = new Rng(3);
    const logRatio = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const a = rng.normal();
      const b = rho * a + Math.sqrt(1 - rho * rho) * rng.normal();
      const joint = -Math.log(2 * Math.PI) - 0.5 * Math.log(1 - rho * rho) - (a * a - 2 * rho * a * b + b * b) / (2 * (1 - rho * rho));
      const marginals = -Math.log(2 * Math.PI) - (a * a + b * b) / 2;
      logRatio[i] = joint - marginals;
    }
    const tc = tf.tidy(() => tf.mean(densityRatioTc({ logits: tf.tensor1d(logRatio) })).arraySync() as number);
    expect(tc).toBeCloseTo(-0.5 * Math.log(1 - rho * rho), 1); // 0.511; the Monte Carlo error over 20000 draws is about 0.007
    expect(Math.abs(tc - -0.5 * Math.log(1 - rho * rho))).toBeLessThan(0.03);
  });

  it('the discriminator loss is half the cross-entropy of joint codes as class 1 and permuted ones as class 0 (hand-worked)', () => {
    const joint = [0, 2, -30, 40];
    const perm = [0, -1, 3, -40];
    const got = tf.tidy(() => Array.from(discriminatorLoss({ logitsJoint: tf.tensor1d(joint), logitsPermuted: tf.tensor1d(perm) }).dataSync()));
    const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));
    const want = joint.map((s, i) => 0.5 * (-Math.log(sigmoid(s)) - Math.log(1 - sigmoid(perm[i]))));
    // Rows 3 and 4 are extreme: 30.0000 nats (log(1 + e^30)) and about 0, stable where the naive form is not.
    want[2] = 0.5 * (30 + Math.log1p(Math.exp(-30)) + Math.log1p(Math.exp(3)));
    want[3] = 0.5 * (Math.log1p(Math.exp(-40)) + Math.log1p(Math.exp(-40)));
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 4));
    expect(got[0]).toBeCloseTo(Math.log(2), 6);
  });
});
