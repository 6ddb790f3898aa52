import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest } from '../../test/helpers.js';
import { logMixtureNormal } from './mixture.js';
import { logNormalDiag } from './iwae.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

/** log (1/K) sum_k prod_l N(z_l; m_kl, exp(v_kl)) in float64, term by term. */
function reference(z: number[], means: number[][], logVars: number[][]): number {
  const comps = means.map((m, k) => m.reduce((s, mk, l) => s - 0.5 * (Math.log(2 * Math.PI) + logVars[k][l] + (z[l] - mk) ** 2 / Math.exp(logVars[k][l])), 0));
  const top = Math.max(...comps);
  return top + Math.log(comps.reduce((s, c) => s + Math.exp(c - top), 0) / comps.length);
}

describe('logMixtureNormal', () => {
  it('matches the mixture density summed term by term in float64, for points near and far from the components', () => {
    const rng = new Rng(3);
    const [n, k, l] = [7, 5, 3];
    const z = Array.from({ length: n }, (_, i) => Array.from({ length: l }, () => rng.normal() * (1 + i)));
    const means = Array.from({ length: k }, () => Array.from({ length: l }, () => rng.normal()));
    const logVars = Array.from({ length: k }, () => Array.from({ length: l }, () => rng.normal() - 1));
    const got = tf.tidy(() => Array.from(logMixtureNormal({ z: tf.tensor2d(z), means: tf.tensor2d(means), logVars: tf.tensor2d(logVars) }).dataSync()));
    for (let i = 0; i < n; i++) {
      const want = reference(z[i], means, logVars);
      expect(Math.abs(got[i] - want)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)));
    }
  });

  it('with one component is the diagonal Gaussian log-density', () => {
    const rng = new Rng(4);
    const diff = tf.tidy(() => {
      const z = tf.tensor2d(rng.normalArray(12), [4, 3]);
      const mean = tf.tensor2d(rng.normalArray(3), [1, 3]);
      const logVar = tf.tensor2d(rng.normalArray(3), [1, 3]);
      const one = logMixtureNormal({ z, means: mean, logVars: logVar });
      const diag = logNormalDiag({ z, mean: tf.tile(mean, [4, 1]) as tf.Tensor2D, logVar: tf.tile(logVar, [4, 1]) as tf.Tensor2D });
      return tf.max(tf.abs(tf.sub(one, diag))).arraySync() as number;
    });
    expect(diff).toBeLessThan(1e-4);
  });
});
