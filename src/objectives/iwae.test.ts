import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { iwaeBound, logImportanceWeights, logLikelihood, logNormalDiag, logStandardNormal } from './iwae.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

/** log (1/k) sum exp(v) in float64, shifted by the max. */
function logMeanExp64(v: number[]): number {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0) / v.length);
}

describe('iwaeBound', () => {
  it('is the float64 log-mean-exp over k of each column, stable far from 0, and the log-weight itself at k = 1', async () => {
    const rng = new Rng(4);
    const k = 7;
    const cols = [0, -1000, 80, -3.5]; // offsets that overflow or underflow exp in float32
    const logW = cols.map((c) => Array.from(rng.normalArray(k), (e) => c + 2 * e)); // [B][k]
    const bound = await expectNoLeak(() =>
      tf.tidy(() => Array.from(iwaeBound({ logWeights: tf.tensor2d(logW).transpose() as tf.Tensor2D }).dataSync())), // [k, B]
    );
    cols.forEach((_, b) => {
      expect(Number.isFinite(bound[b])).toBe(true);
      expect(Math.abs(bound[b] - logMeanExp64(logW[b]))).toBeLessThan(1e-4 * Math.max(1, Math.abs(bound[b])));
    });
    const one = await expectNoLeak(() => tf.tidy(() => Array.from(iwaeBound({ logWeights: tf.tensor2d([[1.5, -2, 700]]) }).dataSync())));
    expect(one).toEqual([1.5, -2, 700]);
  });
});

describe('log-densities', () => {
  it('logStandardNormal and logNormalDiag match the float64 formulas', async () => {
    const z = [
      [0.3, -1.2],
      [2, 0.5],
    ];
    const mean = [
      [0, 1],
      [1.5, -0.5],
    ];
    const logVar = [
      [-1, 0.4],
      [0.2, -2],
    ];
    const [p, q, qFixed] = await expectNoLeak(() =>
      tf.tidy(() => [
        Array.from(logStandardNormal({ z: tf.tensor2d(z) }).dataSync()),
        Array.from(logNormalDiag({ z: tf.tensor2d(z), mean: tf.tensor2d(mean), logVar: tf.tensor2d(logVar) }).dataSync()),
        Array.from(logNormalDiag({ z: tf.tensor2d(z), mean: tf.tensor2d(mean), logVar: Math.log(0.36) }).dataSync()),
      ]),
    );
    const ln = (x: number, m: number, lv: number) => -0.5 * (Math.log(2 * Math.PI) + lv + (x - m) ** 2 / Math.exp(lv));
    z.forEach((row, b) => {
      expect(p[b]).toBeCloseTo(row.reduce((s, v) => s + ln(v, 0, 0), 0), 5);
      expect(q[b]).toBeCloseTo(row.reduce((s, v, j) => s + ln(v, mean[b][j], logVar[b][j]), 0), 5);
      expect(qFixed[b]).toBeCloseTo(row.reduce((s, v, j) => s + ln(v, mean[b][j], Math.log(0.36)), 0), 5);
    });
  });

  it("logLikelihood reads squared error as a Gaussian of variance 1/2: -SSE - (D/2) log(pi)", async () => {
    const x = [[0.2, 0.9, -1]];
    const out = [[0.5, 0.1, -0.3]];
    const [se, g] = await expectNoLeak(() =>
      tf.tidy(() => [
        logLikelihood({ likelihood: { kind: 'squared-error', meanActivation: 'linear' }, x: tf.tensor2d(x), output: tf.tensor2d(out) }).dataSync()[0],
        logLikelihood({ likelihood: { kind: 'gaussian', variance: 0.5, meanActivation: 'linear' }, x: tf.tensor2d(x), output: tf.tensor2d(out) }).dataSync()[0],
      ]),
    );
    const sse = x[0].reduce((s, v, j) => s + (v - out[0][j]) ** 2, 0);
    expect(se).toBeCloseTo(-sse - 1.5 * Math.log(Math.PI), 5);
    expect(se).toBeCloseTo(g, 6);
  });

  it('logImportanceWeights = log p(x|z) + log p(z) - log q(z|x)', async () => {
    const x = tf.tensor2d([[1, 0, 1]]);
    const output = tf.tensor2d([[0.4, -1, 2]]);
    const z = tf.tensor2d([[0.5, -0.2]]);
    const mean = tf.tensor2d([[0.3, 0]]);
    const logVar = tf.tensor2d([[-0.5, 0.1]]);
    const likelihood = { kind: 'bernoulli' } as const;
    const [w, parts] = await expectNoLeak(() =>
      tf.tidy(() => [
        logImportanceWeights({ likelihood, x, output, z, mean, logVar }).dataSync()[0],
        logLikelihood({ likelihood, x, output }).dataSync()[0] + logStandardNormal({ z }).dataSync()[0] - logNormalDiag({ z, mean, logVar }).dataSync()[0],
      ]),
    );
    expect(w).toBeCloseTo(parts, 5);
    tf.dispose([x, output, z, mean, logVar]);
  });
});
