import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema, type ModelConfig } from '../config/schema.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { estimateNll } from '../evaluate/index.js';
import { buildModel, lossNames } from './index.js';
import type { HierarchicalVae } from './hierarchical-vae.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 5;
const net = { encoder: { hidden: [6], activation: 'tanh' }, decoder: { hidden: [6], activation: 'tanh' }, upper: { hidden: [4], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } };
const build = (config: Record<string, unknown>, seed = 1) => buildModel(modelSchema.parse({ kind: 'hierarchical-vae', ...net, ...config }) as ModelConfig, D, new Rng(seed)) as HierarchicalVae;
const binary = (n: number, seed: number) => Float32Array.from(new Rng(seed).uniformArray(n * D), (u) => (u < 0.4 ? 1 : 0));

const LOG_2PI = Math.log(2 * Math.PI);
const logNormal = (z: number[], mean: number[], logVar: number[]) => z.reduce((s, v, j) => s - 0.5 * (LOG_2PI + logVar[j] + (v - mean[j]) ** 2 / Math.exp(logVar[j])), 0);
const logBernoulli = (x: ArrayLike<number>, logits: number[]) => logits.reduce((s, l, j) => s + x[j] * l - Math.max(l, 0) - Math.log1p(Math.exp(-Math.abs(l))), 0);
const logMeanExp = (xs: number[]) => {
  const top = xs.reduce((m, v) => Math.max(m, v), -Infinity);
  return top + Math.log(xs.reduce((s, v) => s + Math.exp(v - top), 0) / xs.length);
};

/** The model's sub-networks evaluated on given rows, as arrays. */
function run(model: HierarchicalVae, what: 'q1' | 'q2' | 'p1' | 'px', rows: number[][]): { mean: number[][]; logVar: number[][] } {
  return tf.tidy(() => {
    const ctx = { training: false, rng: new Rng(0) };
    const t = tf.tensor2d(rows);
    if (what === 'px') return { mean: model.decoderOutput(t).arraySync(), logVar: [] };
    const g = what === 'q1' ? (model.encode(t) as { mean: tf.Tensor2D; logVar: tf.Tensor2D }) : (what === 'q2' ? model.inference : model.generative).apply(t, ctx);
    return { mean: g.mean.arraySync(), logVar: g.logVar.arraySync() };
  });
}

/** Makes p(x|z1) depend strongly on z1 and p(z1|z2) far from N(0, I), and widens q. */
function sharpen(model: HierarchicalVae): void {
  tf.tidy(() => {
    for (const v of model.variables()) {
      if (v.name.startsWith('decoder') && v.name.endsWith('kernel')) v.variable.assign(tf.mul(v.variable, 4));
      if (v.name === 'upper.p.mean.bias') v.variable.assign(tf.add(v.variable, 1.5));
      // A wider q (the encoder is untrained) covers the posterior's tails, so k = 20,000 suffices.
      if (v.name === 'encoder.logVar.bias' || v.name === 'upper.q.logVar.bias') v.variable.assign(tf.add(v.variable, 1.5));
    }
  });
}

describe('the hierarchical VAE (Burda et al. 2015, two stochastic layers)', () => {
  for (const samples of [1, 3]) {
    it(`samples ${samples}: the loss is minus ${samples === 1 ? 'the ELBO' : 'the IWAE bound'} of log p(x|z1) + log p(z1|z2) + log p(z2) - log q(z1|x) - log q(z2|z1), recomputed in float64 from the same draws`, () => {
      const [b, l1, l2] = [3, 2, 2];
      const model = build({ latent: l1, latent2: l2, samples });
      sharpen(model);
      const xs = binary(b, 2);
      const x = tf.tensor2d(xs, [b, D]);
      const t = model.loss(x, { training: false, rng: new Rng(5), klWeight: { kind: 'beta', beta: 1 } });
      const [loss, rec, kl] = [t.loss, t.reconstruction, t.kl].map((v) => Array.from(v.dataSync()));
      tf.dispose([t.loss, t.reconstruction, t.kl]);
      x.dispose();
      // The draws as the model takes them: all of z1's noise, then all of z2's; draw s of example i in row s * B + i.
      const rng = new Rng(5);
      const eps1 = rng.normalArray(samples * b * l1);
      const eps2 = rng.normalArray(samples * b * l2);
      const rows = Array.from({ length: samples * b }, (_, r) => r);
      const xRows = rows.map((r) => Array.from(xs.subarray((r % b) * D, (r % b + 1) * D)));
      const q1 = run(model, 'q1', xRows);
      const z1 = rows.map((r) => q1.mean[r].map((m, j) => m + Math.exp(q1.logVar[r][j] / 2) * eps1[r * l1 + j]));
      const q2 = run(model, 'q2', z1);
      const z2 = rows.map((r) => q2.mean[r].map((m, j) => m + Math.exp(q2.logVar[r][j] / 2) * eps2[r * l2 + j]));
      const p1 = run(model, 'p1', z2);
      const logits = run(model, 'px', z1).mean;
      const terms = rows.map((r) => {
        const logPx = logBernoulli(xRows[r], logits[r]);
        const logP = logNormal(z1[r], p1.mean[r], p1.logVar[r]) + logNormal(z2[r], [0, 0], [0, 0]);
        const logQ = logNormal(z1[r], q1.mean[r], q1.logVar[r]) + logNormal(z2[r], q2.mean[r], q2.logVar[r]);
        return { logW: logPx + logP - logQ, logPx, kl: logQ - logP };
      });
      for (let i = 0; i < b; i++) {
        const mine = Array.from({ length: samples }, (_, s) => terms[s * b + i]);
        expect(loss[i]).toBeCloseTo(-logMeanExp(mine.map((m) => m.logW)), 3);
        expect(rec[i]).toBeCloseTo(-mine.reduce((s, m) => s + m.logPx, 0) / samples, 3);
        expect(kl[i]).toBeCloseTo(mine.reduce((s, m) => s + m.kl, 0) / samples, 3);
      }
      model.dispose();
    });
  }

  it('eval --nll samples z1 then z2 and weighs by p(x, z1, z2) / q: with 1-D z1 and z2, k = 20,000 lands within 0.05 nats of the double integral', async () => {
    const model = build({ latent: 1, latent2: 1 });
    sharpen(model);
    const x = binary(3, 4);
    // log p(x) = log ∫∫ p(x|z1) p(z1|z2) p(z2) dz1 dz2 by the midpoint rule in float64.
    const [g1, lo1, hi1, g2, lo2, hi2] = [3000, -12, 12, 600, -7, 7];
    const [h1, h2] = [(hi1 - lo1) / g1, (hi2 - lo2) / g2];
    const z1s = Array.from({ length: g1 }, (_, g) => [lo1 + (g + 0.5) * h1]);
    const z2s = Array.from({ length: g2 }, (_, g) => [lo2 + (g + 0.5) * h2]);
    const logits = run(model, 'px', z1s).mean;
    const p1 = run(model, 'p1', z2s);
    const exact = [0, 1, 2].map((i) => {
      const xi = x.subarray(i * D, (i + 1) * D);
      const logPx = logits.map((l) => logBernoulli(xi, l));
      const terms: number[] = [];
      for (let b2 = 0; b2 < g2; b2++) {
        const logPz2 = logNormal(z2s[b2], [0], [0]);
        for (let b1 = 0; b1 < g1; b1++) terms.push(logPx[b1] + logNormal(z1s[b1], p1.mean[b2], p1.logVar[b2]) + logPz2);
      }
      return logMeanExp(terms) + Math.log(terms.length * h1 * h2);
    });
    const { logPx } = await expectNoLeak(() => estimateNll({ model, x, k: 20_000, rng: new Rng(6), maxRows: 6000 }));
    // Measured: within 0.014 nats (k = 200,000 without the wider q: the underestimate of a poor proposal, 0.15 at k = 20,000, shrinks to 0.04).
    for (let i = 0; i < 3; i++) expect(Math.abs(logPx[i] - exact[i])).toBeLessThan(0.05);
    model.dispose();
  });

  it('samples z2 ~ N(0, I), then z1 ~ p(z1|z2), decoded: with p(z1|z2) a point mass, every sample is decode(mean(z2))', async () => {
    const model = build({ latent: 2, latent2: 2 });
    tf.tidy(() => {
      for (const v of model.variables()) if (v.name === 'upper.p.logVar.bias') v.variable.assign(tf.fill([2], -40));
    });
    const got = await expectNoLeak(() => tf.tidy(() => model.sample(3, new Rng(7)).arraySync()));
    const z2 = Array.from({ length: 3 }, (_, r) => Array.from(new Rng(7).normalArray(6)).slice(r * 2, r * 2 + 2));
    const want = tf.tidy(() => model.decode(tf.tensor2d(run(model, 'p1', z2).mean)).arraySync());
    for (let r = 0; r < 3; r++) for (let j = 0; j < D; j++) expect(got[r][j]).toBeCloseTo(want[r][j], 4);
    model.dispose();
  });

  it('names its loss by the bound it trains', () => {
    const name = (samples: number) => lossNames(modelSchema.parse({ kind: 'hierarchical-vae', latent: 2, samples, ...net }) as ModelConfig).loss;
    expect(name(1)).toBe('negative ELBO (two stochastic layers, KL sampled)');
    expect(name(50)).toBe('negative IWAE bound (k = 50, two stochastic layers)');
  });
});
