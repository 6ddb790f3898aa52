import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { configSchema, modelSchema, type ModelConfig } from '../config/schema.js';
import { loadDataset } from '../data/index.js';
import { train } from '../train/index.js';
import { checkTensorCountPerTest, expectNoLeak, tempDir } from '../../test/helpers.js';
import { logPxByQuadrature } from '../../test/latent-integral.js';
import { reconstructionLoss } from '../objectives/index.js';
import { estimateNll } from '../evaluate/index.js';
import { buildModel, lossNames } from './index.js';
import type { VampPrior } from './vamp-prior.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('vamp-prior');
afterAll(tmp.remove);

const D = 5;
const net = { encoder: { hidden: [6], activation: 'tanh' }, decoder: { hidden: [6], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } };
const build = (config: Record<string, unknown>, seed = 1) => buildModel(modelSchema.parse({ kind: 'vamp-prior', ...net, ...config }) as ModelConfig, D, new Rng(seed)) as VampPrior;
const binary = (n: number, seed: number) => Float32Array.from(new Rng(seed).uniformArray(n * D), (u) => (u < 0.4 ? 1 : 0));

/** log (1/K) sum_k N(z; m_k, exp(v_k)) in float64 from the prior's components [K, L]. */
function logMixture(z: number[], means: number[][], logVars: number[][]): number {
  const comps = means.map((m, k) => m.reduce((s, mk, l) => s - 0.5 * (Math.log(2 * Math.PI) + logVars[k][l] + (z[l] - mk) ** 2 / Math.exp(logVars[k][l])), 0));
  const top = Math.max(...comps);
  return top + Math.log(comps.reduce((s, c) => s + Math.exp(c - top), 0) / comps.length);
}

function components(model: VampPrior): { means: number[][]; logVars: number[][] } {
  const p = model.prior();
  const out = { means: p.mean.arraySync(), logVars: p.logVar.arraySync() };
  tf.dispose([p.mean, p.logVar]);
  return out;
}

/**
 * Spreads the pseudo-inputs over [0, 1] and moves the encoder's components to mean about 2, variance about e^-2, far
 * from N(0, 1); the decoder's kernels are scaled by 4 so that p(x|z) depends on z enough for the prior to matter.
 */
function shiftPrior(model: VampPrior): void {
  const find = (name: string) => model.variables().find((v) => v.name === name)!.variable;
  tf.tidy(() => {
    for (const v of model.variables()) if (v.name.startsWith('decoder') && v.name.endsWith('kernel')) v.variable.assign(tf.mul(v.variable, 4));
    model.pseudoInputs.assign(tf.tensor2d(new Rng(9).uniformArray(model.pseudoInputs.size), model.pseudoInputs.shape as [number, number]));
    find('encoder.mean.bias').assign(tf.add(find('encoder.mean.bias'), 2));
    find('encoder.logVar.bias').assign(tf.sub(find('encoder.logVar.bias'), 2));
  });
}

describe('the VampPrior VAE (Tomczak & Welling 2018)', () => {
  it('loss = reconstruction + beta (log q(z|x) - log p(z)), the mixture prior recomputed in float64 from the encoded pseudo-inputs', () => {
    const [b, l] = [4, 2];
    const model = build({ latent: l, pseudoInputs: 3 });
    shiftPrior(model);
    const x = tf.tensor2d(binary(b, 2), [b, D]);
    const t = model.loss(x, { training: false, rng: new Rng(5), klWeight: { kind: 'beta', beta: 2 } });
    const [loss, rec, kl] = [t.loss, t.reconstruction, t.kl].map((v) => Array.from(v.dataSync()));
    tf.dispose([t.loss, t.reconstruction, t.kl]);
    const { means, logVars } = components(model);
    const want = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      const eps = tf.tensor2d(new Rng(5).normalArray(b * l), [b, l]); // the loss's one draw
      const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), eps)) as tf.Tensor2D;
      return { rec: Array.from(reconstructionLoss({ likelihood: model.likelihood, x, output: model.decoderOutput(z) }).dataSync()), z: z.arraySync(), mean: mean.arraySync(), logVar: logVar!.arraySync() };
    });
    for (let i = 0; i < b; i++) {
      const logQ = want.z[i].reduce((s, zl, j) => s - 0.5 * (Math.log(2 * Math.PI) + want.logVar[i][j] + (zl - want.mean[i][j]) ** 2 / Math.exp(want.logVar[i][j])), 0);
      const klWant = logQ - logMixture(want.z[i], means, logVars);
      expect(rec[i]).toBeCloseTo(want.rec[i], 4);
      expect(kl[i]).toBeCloseTo(klWant, 3);
      expect(loss[i]).toBeCloseTo(want.rec[i] + 2 * klWant, 3);
    }
    x.dispose();
    model.dispose();
  });

  it('eval --nll weighs by the mixture prior: with a 1-D latent, k = 5000 lands within 0.05 nats of log p(x) integrated numerically', async () => {
    const model = build({ latent: 1, pseudoInputs: 3 });
    shiftPrior(model);
    const x = binary(3, 4);
    const { means, logVars } = components(model);
    const exact = logPxByQuadrature({ model, x, logPrior: (z) => logMixture([z], means, logVars) });
    // The same decoder under N(0, 1) gives a log p(x) about 0.7 nats away on average: the check tells the priors apart.
    const standard = logPxByQuadrature({ model, x, logPrior: (z) => -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) });
    const { logPx } = await expectNoLeak(() => estimateNll({ model, x, k: 5000, rng: new Rng(6), maxRows: 3000 }));
    expect(exact.reduce((s, v, i) => s + Math.abs(v - standard[i]), 0) / 3).toBeGreaterThan(0.5);
    for (let i = 0; i < 3; i++) expect(Math.abs(logPx[i] - exact[i])).toBeLessThan(0.05);
    model.dispose();
  });

  it('samples decode draws from the mixture: with one tight component, every sample is the decoded component mean', async () => {
    const model = build({ latent: 2, pseudoInputs: 1 });
    const find = (name: string) => model.variables().find((v) => v.name === name)!.variable;
    tf.tidy(() => find('encoder.logVar.bias').assign(tf.fill([2], -30)));
    const { means } = components(model);
    const got = await expectNoLeak(() => tf.tidy(() => model.sample(4, new Rng(7)).arraySync()));
    const want = tf.tidy(() => model.decode(tf.tensor2d([means[0]])).arraySync());
    expect(got).toHaveLength(4);
    for (const row of got) for (let j = 0; j < D; j++) expect(row[j]).toBeCloseTo(want[0][j], 4);
    model.dispose();
  });

  it("pseudoInputInit 'data': the pseudo-inputs start as distinct training examples; 'random' leaves them; streamed data is refused", () => {
    const x = binary(6, 8);
    const rowsOf = (u: number[][]) => u.map((row) => [0, 1, 2, 3, 4, 5].find((r) => row.every((v, j) => v === x[r * D + j])));
    const model = build({ latent: 2, pseudoInputs: 4, pseudoInputInit: 'data' });
    model.initFromData(x, new Rng(1));
    const picked = rowsOf(model.pseudoInputs.arraySync() as number[][]);
    expect(picked.every((r) => r !== undefined)).toBe(true);
    expect(new Set(picked).size).toBe(4);
    expect(() => model.initFromData(undefined, new Rng(1))).toThrow(/model.pseudoInputInit 'data': streamed training data/);
    model.dispose();
    const random = build({ latent: 2, pseudoInputs: 4 });
    const before = random.pseudoInputs.arraySync();
    random.initFromData(x, new Rng(1));
    expect(random.pseudoInputs.arraySync()).toEqual(before);
    random.dispose();
  });

  it("a fresh run with pseudoInputInit 'data' starts from MNIST training images (after one Adam step each pseudo-input is within 0.01 of one)", async () => {
    const config = configSchema.parse({
      data: { name: 'mnist', limit: 40 },
      model: { kind: 'vamp-prior', latent: 2, pseudoInputs: 3, pseudoInputInit: 'data', encoder: { hidden: [4] }, decoder: { hidden: [4] }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 1, batchSize: 64 },
    });
    const dataset = loadDataset({ ...config.data, seed: config.train.seed });
    const { model } = await train({ config, dataset, runDir: path.join(tmp.dir, 'data-init'), backend: 'cpu' });
    const u = (model as VampPrior).pseudoInputs.arraySync() as number[][];
    const d = model.inputDim;
    const x = dataset.train.x;
    for (const row of u) {
      let best = Infinity;
      for (let r = 0; r < dataset.train.n; r++) best = Math.min(best, row.reduce((m, v, j) => Math.max(m, Math.abs(v - x[r * d + j])), 0));
      expect(best).toBeLessThan(0.01);
    }
    model.dispose();
  });

  it('names its loss; the pseudo-inputs are a saved, trainable weight', () => {
    expect(lossNames(modelSchema.parse({ kind: 'vamp-prior', latent: 2, ...net }) as ModelConfig)).toEqual({ loss: 'reconstruction + KL to the VampPrior (K = 500, sampled)', regularizer: 'KL' });
    const model = build({ latent: 2, pseudoInputs: 7 });
    const u = model.variables().find((v) => v.name === 'prior.pseudoInputs');
    expect(u?.trainable).toBe(true);
    expect(u?.variable.shape).toEqual([7, D]);
    model.dispose();
  });
});
