import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { klStandardNormal } from './kl.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

// Four posteriors over L = 3 dimensions, from near the prior to far from it.
const MEAN = [
  [0, 0, 0],
  [0.5, -1, 2],
  [-3, 0.2, 0],
  [1, 1, -1],
];
const LOG_VAR = [
  [0, 0, 0],
  [-1, 0.5, 0],
  [0.3, -2, 1.5],
  [-4, 2, 0.1],
];

describe('klStandardNormal', () => {
  it('is 0 at the prior and matches -0.5 sum(1 + logVar - mean^2 - exp(logVar)) in float64', async () => {
    const kl = await expectNoLeak(() =>
      tf.tidy(() => Array.from(klStandardNormal({ mean: tf.tensor2d(MEAN), logVar: tf.tensor2d(LOG_VAR) }).dataSync())),
    );
    expect(Math.abs(kl[0])).toBe(0); // -0 from the -0.5 factor
    MEAN.forEach((m, b) => {
      const ref = -0.5 * m.reduce((s, mj, j) => s + 1 + LOG_VAR[b][j] - mj * mj - Math.exp(LOG_VAR[b][j]), 0);
      expect(kl[b]).toBeCloseTo(ref, 4);
    });
  });

  it('equals a Monte Carlo estimate of E_q[log q(z) - log p(z)] within 4 standard errors', async () => {
    const kl = await expectNoLeak(() =>
      tf.tidy(() => Array.from(klStandardNormal({ mean: tf.tensor2d(MEAN), logVar: tf.tensor2d(LOG_VAR) }).dataSync())),
    );
    // z = mean + sigma eps; log q(z) - log p(z) = sum_j -0.5 logVar_j - 0.5 eps_j^2 + 0.5 z_j^2 (the 2 pi terms cancel).
    const n = 200_000;
    const rng = new Rng(11);
    MEAN.forEach((m, b) => {
      const eps = rng.normalArray(n * 3);
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        let f = 0;
        for (let j = 0; j < 3; j++) {
          const e = eps[3 * i + j];
          const z = m[j] + Math.exp(0.5 * LOG_VAR[b][j]) * e;
          f += -0.5 * LOG_VAR[b][j] - 0.5 * e * e + 0.5 * z * z;
        }
        sum += f;
        sumSq += f * f;
      }
      const mc = sum / n;
      const se = Math.sqrt((sumSq / n - mc * mc) / n);
      // The estimator is a mean of n i.i.d. terms, so it is within 4 SE of the true KL with probability > 0.9999.
      expect(Math.abs(kl[b] - mc), `example ${b}: analytic ${kl[b]}, MC ${mc} +- ${se}`).toBeLessThan(4 * se + 1e-6);
      // The check has teeth: the standard errors are small next to the KL values of 2.9 to 6.1 (measured: at most 0.012).
      expect(se).toBeLessThan(0.02);
    });
  });

  it('is never negative and grows with |mean| and with |logVar|', async () => {
    const kl = await expectNoLeak(() =>
      tf.tidy(() => {
        const mean = tf.tensor2d([[0], [1], [2], [0], [0], [0], [0]]);
        const logVar = tf.tensor2d([[0], [0], [0], [1], [2], [-1], [-2]]);
        return Array.from(klStandardNormal({ mean, logVar }).dataSync());
      }),
    );
    expect(kl.every((v) => v >= 0)).toBe(true);
    expect(kl[0]).toBeLessThan(kl[1]);
    expect(kl[1]).toBeLessThan(kl[2]);
    expect(kl[0]).toBeLessThan(kl[3]);
    expect(kl[3]).toBeLessThan(kl[4]);
    expect(kl[0]).toBeLessThan(kl[5]);
    expect(kl[5]).toBeLessThan(kl[6]);
  });
});
