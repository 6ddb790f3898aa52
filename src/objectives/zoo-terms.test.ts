import { describe, expect, it } from 'vitest';
import { tf, Rng } from '../engine/index.js';
import { dipPenalty, IMQ_SCALES, mmd, stratifiedLogWeights, tcTerms } from './index.js';

const LOG_2PI = Math.log(2 * Math.PI);
const rows = (a: Float32Array | number[], l: number) => Array.from({ length: a.length / l }, (_, i) => Array.from(a.slice(i * l, (i + 1) * l)));
const logsumexp = (xs: number[]) => {
  const top = Math.max(...xs);
  return top + Math.log(xs.reduce((s, x) => s + Math.exp(x - top), 0));
};
const logN = (z: number, m: number, lv: number) => -0.5 * (LOG_2PI + lv + ((z - m) * (z - m)) / Math.exp(lv));

/** tcTerms in float64, written from the definitions: log q(z_i) = log sum_j w_ij q(z_i|x_j), marginals per dimension. */
function tcReference(z: number[][], mean: number[][], logVar: number[][], n: number, logW: (i: number, j: number) => number) {
  const b = z.length;
  const l = z[0].length;
  return z.map((zi, i) => {
    const logQzx = zi.reduce((s, v, d) => s + logN(v, mean[i][d], logVar[i][d]), 0);
    const logJoint = logsumexp(mean.map((_, j) => logW(i, j) + zi.reduce((s, v, d) => s + logN(v, mean[j][d], logVar[j][d]), 0)));
    let logMarg = 0;
    for (let d = 0; d < l; d++) logMarg += logsumexp(mean.map((_, j) => logW(i, j) + logN(zi[d], mean[j][d], logVar[j][d])));
    const logPz = zi.reduce((s, v) => s - 0.5 * (LOG_2PI + v * v), 0);
    return { mi: logQzx - logJoint, tc: logJoint - logMarg, dimKl: logMarg - logPz, b, n };
  });
}

describe('the KL decomposition of beta-TCVAE', () => {
  const b = 6, l = 3, n = 1000;
  const rng = new Rng(5);
  const mean = Float32Array.from(rng.normalArray(b * l));
  const logVar = Float32Array.from(rng.normalArray(b * l), (v) => 0.3 * v - 0.5);
  const eps = Float32Array.from(rng.normalArray(b * l));
  const z = mean.map((m, i) => m + Math.exp(logVar[i] / 2) * eps[i]);

  for (const estimator of ['mws', 'mss'] as const) {
    it(`${estimator}: MI, TC and dimension-wise KL match a float64 computation from the definitions, and sum to log q(z|x) - log p(z)`, () => {
      const before = tf.memory().numTensors;
      const t = tf.tidy(() => {
        const r = tcTerms({ z: tf.tensor2d(z, [b, l]), mean: tf.tensor2d(mean, [b, l]), logVar: tf.tensor2d(logVar, [b, l]), datasetSize: n, estimator });
        return [r.mi, r.tc, r.dimKl];
      });
      const got = { mi: t[0].arraySync() as number[], tc: t[1].arraySync() as number[], dimKl: t[2].arraySync() as number[] };
      tf.dispose(t);
      expect(tf.memory().numTensors).toBe(before);
      const w = stratifiedLogWeights(b, n);
      const logW = estimator === 'mws' ? () => -Math.log(n * b) : (i: number, j: number) => w[i * b + j];
      const want = tcReference(rows(z, l), rows(mean, l), rows(logVar, l), n, logW);
      for (let i = 0; i < b; i++) {
        expect(got.mi[i]).toBeCloseTo(want[i].mi, 3);
        expect(got.tc[i]).toBeCloseTo(want[i].tc, 3);
        expect(got.dimKl[i]).toBeCloseTo(want[i].dimKl, 3);
      }
    });
  }

  it('stratified weights: each row is a probability distribution with 1/N on the example itself', () => {
    const w = stratifiedLogWeights(5, 100);
    for (let i = 0; i < 5; i++) {
      const row = Array.from(w.slice(i * 5, i * 5 + 5), Math.exp);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
      expect(row[i]).toBeCloseTo(1 / 100, 8);
    }
  });

  it('when every example has the same factorized posterior, mss gives MI = TC = 0; mws its known offsets log N and (L - 1) log N', () => {
    const terms = (estimator: 'mws' | 'mss') =>
      tf.tidy(() => {
        const m = tf.tile(tf.tensor2d([[0.5, -1, 2]]), [4, 1]) as tf.Tensor2D;
        const lv = tf.tile(tf.tensor2d([[-1, 0, 0.5]]), [4, 1]) as tf.Tensor2D;
        const zz = tf.tensor2d(new Rng(9).normalArray(12), [4, 3]);
        const t = tcTerms({ z: zz, mean: m, logVar: lv, datasetSize: 50, estimator });
        return [t.mi.arraySync(), t.tc.arraySync()];
      });
    const [mi, tc] = terms('mss');
    for (const v of [...mi, ...tc]) expect(Math.abs(v)).toBeLessThan(1e-4);
    // Minibatch-weighted sampling: log q(z) ~ log(B q(z|x)) - log(N B) = log q(z|x) - log N, per dimension likewise.
    const [miW, tcW] = terms('mws');
    for (const v of miW) expect(v).toBeCloseTo(Math.log(50), 4);
    for (const v of tcW) expect(v).toBeCloseTo(2 * Math.log(50), 3);
  });
});

describe('the unbiased MMD', () => {
  const kernelRef = (a: number[], b: number[], kernel: 'imq' | 'rbf') => {
    const d2 = a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
    const c = 2 * a.length;
    return kernel === 'rbf' ? Math.exp(-d2 / c) : IMQ_SCALES.reduce((s, k) => s + (k * c) / (k * c + d2), 0);
  };
  for (const kernel of ['imq', 'rbf'] as const) {
    it(`${kernel}: equals the estimator written out in float64 (distinct pairs within, all pairs across)`, () => {
      const rng = new Rng(3);
      const a = rows(rng.normalArray(5 * 2), 2);
      const b = rows(rng.normalArray(7 * 2).map((v) => v + 1), 2);
      let want = 0;
      for (const [s, size] of [[a, 5], [b, 7]] as const) {
        let sum = 0;
        for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) if (i !== j) sum += kernelRef(s[i], s[j], kernel);
        want += sum / (size * (size - 1));
      }
      let cross = 0;
      for (const x of a) for (const y of b) cross += kernelRef(x, y, kernel);
      want -= (2 * cross) / 35;
      const got = tf.tidy(() => mmd({ a: tf.tensor2d(a), b: tf.tensor2d(b), kernel }).arraySync());
      expect(got).toBeCloseTo(want, 4);
    });
  }

  it('is near 0 for two samples of one distribution and clearly positive for shifted ones', () => {
    const rng = new Rng(4);
    const draw = (shift: number) => tf.tensor2d(rng.normalArray(200 * 4).map((v) => v + shift), [200, 4]);
    const [same, shifted] = tf.tidy(() => [mmd({ a: draw(0), b: draw(0) }).arraySync(), mmd({ a: draw(0), b: draw(1) }).arraySync()]);
    expect(Math.abs(same)).toBeLessThan(0.05); // seeds 1-6 gave |MMD| <= 0.016 at n = 200
    expect(shifted).toBeGreaterThan(0.5); // and 0.83-1.09 for a shift of 1 in each of 4 dimensions
  });
});

describe("DIP-VAE's penalty", () => {
  it('I and II match the covariance penalty computed by hand', () => {
    const mean = [[1, 2], [3, 1], [0, 0], [2, 5]];
    const logVar = [[0, -1], [0.5, 0], [-0.5, 0.2], [0, 0]];
    const b = 4;
    const mu = [0, 1].map((d) => mean.reduce((s, r) => s + r[d], 0) / b);
    const cov = [0, 1].map((i) => [0, 1].map((j) => mean.reduce((s, r) => s + (r[i] - mu[i]) * (r[j] - mu[j]), 0) / b));
    const ev = [0, 1].map((d) => logVar.reduce((s, r) => s + Math.exp(r[d]), 0) / b);
    const pen = (c: number[][]) => 10 * 2 * c[0][1] ** 2 + 3 * ((c[0][0] - 1) ** 2 + (c[1][1] - 1) ** 2);
    const got = (type: 'i' | 'ii') => tf.tidy(() => dipPenalty({ mean: tf.tensor2d(mean), logVar: tf.tensor2d(logVar), type, lambdaOffDiag: 10, lambdaDiag: 3 }).arraySync());
    expect(got('i')).toBeCloseTo(pen(cov), 3);
    expect(got('ii')).toBeCloseTo(pen([[cov[0][0] + ev[0], cov[0][1]], [cov[1][0], cov[1][1] + ev[1]]]), 3);
  });
});
