import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../engine/index.js';
import { buildModel } from '../models/index.js';
import { modelSchema } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { checkTensorCountPerTest, expectNoLeak, rejection } from '../../test/helpers.js';
import { PPCA, ppcaCase, ppcaModel, setVariable } from '../../test/ppca.js';
import { estimateNll } from './nll.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

/** Mean and standard error of an array. */
function meanSe(v: ArrayLike<number>): { mean: number; se: number } {
  const n = v.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += v[i];
  m /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - m) ** 2;
  return { mean: m, se: Math.sqrt(ss / (n - 1) / n) };
}

describe('estimateNll on probabilistic PCA (exact log p(x) known)', () => {
  const N = 300;
  const c = ppcaCase(N);

  it('converges to the exact log-likelihood as k grows', async () => {
    const model = ppcaModel(c);
    const errors = await expectNoLeak(() =>
      [1, 10, 1000].map((k) => {
        const r = estimateNll({ model, x: c.x, k, rng: new Rng(k) });
        const diff = Array.from(r.logPx, (v, i) => v - c.logPx[i]);
        return { k, r, diff: meanSe(diff), meanAbs: diff.reduce((s, v) => s + Math.abs(v), 0) / N };
      }),
    );
    model.dispose();
    const [e1, e10, e1000] = errors;
    // Measured: mean |error| per example 1.25 (k = 1), 0.235 (k = 10), 0.0225 (k = 1000); mean error -0.766 +- 0.105,
    // -0.039 +- 0.020 and 0.0006 +- 0.0019.
    expect(e10.meanAbs).toBeLessThan(e1.meanAbs / 2);
    expect(e1000.meanAbs).toBeLessThan(e10.meanAbs / 4);
    // Jensen: the estimate of log p(x) is biased low (clearly at k = 1, where it is the ELBO), by less as k grows.
    expect(e1.diff.mean).toBeLessThan(-4 * e1.diff.se);
    expect(e1.diff.mean).toBeLessThan(e10.diff.mean);
    // At k = 1000 the estimate is within 4 standard errors (of the per-example error) of the truth.
    expect(Math.abs(e1000.diff.mean), `k=1000: mean error ${e1000.diff.mean} +- ${e1000.diff.se}`).toBeLessThan(4 * e1000.diff.se + 1e-3);
    // The reported NLL and its standard error across examples match the exact ones.
    const exact = meanSe(c.logPx);
    expect(Math.abs(e1000.r.nll + exact.mean)).toBeLessThan(4 * e1000.diff.se + 1e-3);
    expect(e1000.r.nllStdErr / exact.se).toBeGreaterThan(0.9);
    expect(e1000.r.nllStdErr / exact.se).toBeLessThan(1.1);
    expect(e1000.r.k).toBe(1000);
    expect(e1000.r.n).toBe(N);
  });

  it("works for the poor man's VAE, q(z|x) = N(code, noise^2)", async () => {
    const model = ppcaModel(c, { kind: 'poor-man-vae', noise: 0.6 });
    const r = await expectNoLeak(() => estimateNll({ model, x: c.x, k: 1000, rng: new Rng(5) }));
    model.dispose();
    const diff = meanSe(Array.from(r.logPx, (v, i) => v - c.logPx[i]));
    expect(Math.abs(diff.mean), `mean error ${diff.mean} +- ${diff.se}`).toBeLessThan(4 * diff.se + 1e-3);
  });

  it('gives the same estimate whatever the chunk size (the running log-sum-exp merges chunks exactly)', async () => {
    const model = ppcaModel(c);
    const x = c.x.subarray(0, 40 * PPCA.D);
    const whole = estimateNll({ model, x, k: 200, rng: new Rng(9), batchSize: 20, maxRows: 1_000_000 });
    const seen: number[] = [];
    const chunked = await expectNoLeak(() => estimateNll({ model, x, k: 200, rng: new Rng(9), batchSize: 20, maxRows: 70, onProgress: (p) => seen.push(p.done / p.total) }));
    model.dispose();
    for (let i = 0; i < 40; i++) expect(chunked.logPx[i]).toBeCloseTo(whole.logPx[i], 4);
    // 200 samples in chunks of 3 for each of 2 batches: 68 x 2 progress calls, ending at 1.
    expect(seen).toHaveLength(2 * Math.ceil(200 / 3));
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((v, i) => i === 0 || v > seen[i - 1])).toBe(true);
  });
});

describe('estimateNll with a Bernoulli decoder', () => {
  it('is exact at any k when the decoder ignores z: log p(x) = sum_d log Bernoulli(x_d; sigmoid(b_d))', async () => {
    const D = 6;
    const config = modelSchema.parse({ kind: 'vae', latent: 3, encoder: { hidden: [4], activation: 'tanh' }, decoder: { hidden: [] }, likelihood: { kind: 'bernoulli' } });
    const model = buildModel(config, D, new Rng(1));
    setVariable(model, 'decoder.out.kernel', new Float64Array(3 * D));
    const bias = [-2, -0.5, 0, 0.3, 1.5, 4];
    setVariable(model, 'decoder.out.bias', bias);
    // q(z|x) = p(z) = N(0, I): every importance weight is then p(x|z) = p(x), exactly.
    for (const head of ['encoder.mean', 'encoder.logVar']) {
      setVariable(model, `${head}.kernel`, new Float64Array(4 * 3));
      setVariable(model, `${head}.bias`, new Float64Array(3));
    }
    const rng = new Rng(2);
    const x = Float32Array.from({ length: 50 * D }, () => (rng.uniform() < 0.4 ? 1 : 0));
    const r = await expectNoLeak(() => estimateNll({ model, x, k: 7, rng: new Rng(3) }));
    model.dispose();
    const logSig = (l: number) => -Math.log1p(Math.exp(-l));
    for (let i = 0; i < 50; i++) {
      const exact = bias.reduce((s, l, j) => s + (x[i * D + j] ? logSig(l) : logSig(-l)), 0);
      expect(r.logPx[i]).toBeCloseTo(exact, 4);
    }
  });
});

describe('estimateNll errors', () => {
  it('refuses an autoencoder with a UsageError that says why, and k < 1', async () => {
    const config = modelSchema.parse({ kind: 'autoencoder', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'bernoulli' } });
    const model = buildModel(config, 4, new Rng(1));
    const err = await rejection(() => estimateNll({ model, x: new Float32Array(8), k: 10, rng: new Rng(1) }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/autoencoder model has no posterior/);
    model.dispose();
    const c = ppcaCase(4);
    const vae = ppcaModel(c);
    const bad = await rejection(() => estimateNll({ model: vae, x: c.x, k: 0, rng: new Rng(1) }));
    expect(bad.message).toMatch(/k: 0 is not a positive integer/);
    vae.dispose();
  });
});
