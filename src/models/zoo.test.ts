import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { configSchema, modelSchema, type ModelConfig } from '../config/schema.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { dipPenalty, klStandardNormal, mmd, reconstructionLoss } from '../objectives/index.js';
import { Adam, klWeight, trainStep, evalBatch } from '../train/index.js';
import { posterior, disposePosterior, estimateNll } from '../evaluate/index.js';
import { buildModel, dipLambdaDiag, lossNames, type DipVaeConfig, type Model } from './index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 12;
const B = 16;
const net = { encoder: { hidden: [8], activation: 'tanh' }, decoder: { hidden: [8], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } };
const build = (config: Record<string, unknown>, seed = 1): Model => buildModel(modelSchema.parse({ latent: 3, ...net, ...config }) as ModelConfig, D, new Rng(seed));
/** Binary data with structure: each example repeats one of three patterns with a few bits flipped. */
const data = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * D }, (_, i) => {
    const pattern = Math.floor(i / D) % 3;
    const bit = (i % D) % 3 === pattern ? 1 : 0;
    return rng.uniform() < 0.05 ? 1 - bit : bit;
  });
};

const KINDS: Record<string, unknown>[] & { steps?: number }[] = [
  { kind: 'beta-tcvae', beta: 6, datasetSize: 64 },
  { kind: 'beta-tcvae', estimator: 'mws', datasetSize: 64 },
  { kind: 'dip-vae', dip: 'i' },
  { kind: 'dip-vae', dip: 'ii', beta: 2 },
  { kind: 'info-vae', lambda: 10, steps: 100 }, // its MMD term slows the first steps (a plateau to about step 50)
  { kind: 'wae-mmd' },
  { kind: 'rae' },
  { kind: 'rae', decoderRegularizer: 'gradient-penalty', decoderWeight: 0.1 },
  { kind: 'vamp-prior', pseudoInputs: 4 },
  { kind: 'flow-vae', flow: { kind: 'planar', steps: 4 } },
  { kind: 'flow-vae', flow: { kind: 'radial', steps: 4 } },
  { kind: 'flow-vae', flow: { kind: 'iaf', steps: 2, hidden: 8, context: 4 } },
  { kind: 'hierarchical-vae', latent2: 2, upper: { hidden: [4], activation: 'tanh' } },
  { kind: 'hierarchical-vae', latent2: 2, upper: { hidden: [4], activation: 'tanh' }, samples: 5 },
];

describe('the model zoo kinds', () => {
  for (const { steps = 50, ...config } of KINDS) {
    it(`${JSON.stringify(config)}: trains (the loss falls over ${steps} Adam steps on 64 examples) without leaking tensors`, async () => {
      const model = build(config);
      const x = tf.tensor2d(data(64, 2), [64, D]);
      const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      const weight = klWeight(model.config, 1);
      const rng = new Rng(3);
      const first = evalBatch({ model, x, rng: new Rng(4), klWeight: weight }).loss / 64;
      await expectNoLeak(() => {
        for (let i = 0; i < steps; i++) trainStep({ model, adam, x, rng, klWeight: weight });
      });
      const last = evalBatch({ model, x, rng: new Rng(4), klWeight: weight }).loss / 64;
      x.dispose();
      adam.dispose();
      model.dispose();
      expect(Number.isFinite(last)).toBe(true);
      expect(last).toBeLessThan(first - 1);
    });
  }

  it('DIP-VAE: loss = reconstruction + beta KL + the DIP penalty of the batch means, the penalty recomputed from encode()', () => {
    const model = build({ kind: 'dip-vae', dip: 'ii', beta: 2, lambdaOffDiag: 5 });
    const x = tf.tensor2d(data(B, 5), [B, D]);
    const terms = model.loss(x, { training: true, rng: new Rng(6), klWeight: { kind: 'beta', beta: 2 } });
    const [loss, rec, kl] = [terms.loss, terms.reconstruction, terms.kl].map((t) => Array.from(t.dataSync()));
    tf.dispose([terms.loss, terms.reconstruction, terms.kl]);
    const penalty = tf.tidy(() => {
      const { mean, logVar } = model.encode(x, { training: true, rng: new Rng(0) });
      return dipPenalty({ mean, logVar: logVar!, type: 'ii', lambdaOffDiag: 5, lambdaDiag: dipLambdaDiag(model.config as DipVaeConfig) }).arraySync();
    });
    expect(dipLambdaDiag(model.config as DipVaeConfig)).toBe(5);
    for (let i = 0; i < B; i++) expect(loss[i]).toBeCloseTo(rec[i] + 2 * kl[i] + penalty, 3);
    x.dispose();
    model.dispose();
  });

  it('beta-TCVAE with alpha = beta = gamma = 1: the regularizer averages to the analytic KL (MI + TC + dim-wise KL = log q(z|x) - log p(z))', () => {
    const model = build({ kind: 'beta-tcvae', datasetSize: 1000 });
    const x = tf.tensor2d(data(B, 7), [B, D]);
    const kl = tf.tidy(() => tf.mean(klStandardNormal(model.encode(x) as { mean: tf.Tensor2D; logVar: tf.Tensor2D })).arraySync() as number);
    let sum = 0;
    const draws = 400;
    for (let d = 0; d < draws; d++) {
      const t = model.loss(x, { training: false, rng: new Rng(100 + d), klWeight: { kind: 'beta', beta: 1 } });
      sum += tf.tidy(() => tf.mean(tf.sub(t.loss, t.reconstruction)).arraySync() as number);
      tf.dispose([t.loss, t.reconstruction, t.kl]);
    }
    expect(sum / draws).toBeCloseTo(kl, 1);
    x.dispose();
    model.dispose();
  });

  it('WAE-MMD and InfoVAE: the loss adds the weighted MMD of the batch codes against prior draws from the same RNG', () => {
    for (const config of [{ kind: 'wae-mmd', lambda: 7 }, { kind: 'info-vae', alpha: 0.5, lambda: 3 }]) {
      const model = build(config);
      const x = tf.tensor2d(data(B, 8), [B, D]);
      const t = model.loss(x, { training: true, rng: new Rng(9), klWeight: { kind: 'beta', beta: 0 } });
      const [loss, rec, reg] = [t.loss, t.reconstruction, t.kl].map((v) => Array.from(v.dataSync()));
      tf.dispose([t.loss, t.reconstruction, t.kl]);
      const want = tf.tidy(() => {
        const rng = new Rng(9);
        const { mean, logVar } = model.encode(x);
        if (config.kind === 'wae-mmd') {
          const rec64 = reconstructionLoss({ likelihood: model.likelihood, x, output: model.decoderOutput(mean) });
          const prior = tf.tensor2d(rng.normalArray(B * 3), [B, 3]);
          return { rec: Array.from(rec64.dataSync()), mmd: mmd({ a: mean, b: prior }).arraySync(), kl: 0 };
        }
        const eps = tf.tensor2d(rng.normalArray(B * 3), [B, 3]);
        const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), eps)) as tf.Tensor2D;
        const rec64 = reconstructionLoss({ likelihood: model.likelihood, x, output: model.decoderOutput(z) });
        const prior = tf.tensor2d(rng.normalArray(B * 3), [B, 3]);
        return { rec: Array.from(rec64.dataSync()), mmd: mmd({ a: z, b: prior }).arraySync(), kl: Array.from(klStandardNormal({ mean, logVar: logVar! }).dataSync()) };
      });
      for (let i = 0; i < B; i++) {
        expect(rec[i]).toBeCloseTo(want.rec[i], 3);
        expect(reg[i]).toBeCloseTo(want.mmd, 4);
        const klTerm = config.kind === 'info-vae' ? 0.5 * (want.kl as number[])[i] : 0;
        const mmdWeight = config.kind === 'info-vae' ? 0.5 + 3 - 1 : 7;
        expect(loss[i]).toBeCloseTo(rec[i] + klTerm + mmdWeight * want.mmd, 3);
      }
      x.dispose();
      model.dispose();
    }
  });

  it('the Gaussian kinds have a posterior for the NLL; WAE and RAE have none and say so', async () => {
    const x = tf.tensor2d(data(4, 9), [4, D]);
    for (const kind of ['beta-tcvae', 'dip-vae', 'info-vae']) {
      const model = build({ kind, datasetSize: 10 });
      const q = posterior(model, x);
      expect(q.logVar).toBeInstanceOf(tf.Tensor);
      disposePosterior(q);
      const nll = estimateNll({ model, x: data(4, 9), k: 20, rng: new Rng(1) });
      expect(nll.nll).toBeGreaterThan(0);
      model.dispose();
    }
    for (const kind of ['wae-mmd', 'rae']) {
      const model = build({ kind });
      expect(() => posterior(model, x)).toThrow(new RegExp(`the ${kind} model has no posterior q\\(z\\|x\\), its code is deterministic`));
      model.dispose();
    }
    x.dispose();
  });

  it('VampPrior, flow and hierarchical VAEs take conv encoders and decoders: finite losses and NLL estimates on 6x6 images', () => {
    const shape = [6, 6, 1];
    const conv = { encoder: { kind: 'conv', filters: [2], kernel: 3, activation: 'tanh', hidden: [4] }, decoder: { kind: 'conv', filters: [2], kernel: 3, activation: 'tanh' } };
    const x = Float32Array.from(new Rng(3).uniformArray(4 * 36), (u) => (u < 0.3 ? 1 : 0));
    for (const config of [{ kind: 'vamp-prior', pseudoInputs: 3 }, { kind: 'flow-vae', flow: { kind: 'iaf', steps: 2, hidden: 4, context: 2 } }, { kind: 'hierarchical-vae', latent2: 2 }]) {
      const model = buildModel(modelSchema.parse({ latent: 2, ...net, ...conv, ...config }) as ModelConfig, 36, new Rng(1), { inputShape: shape });
      const loss = tf.tidy(() => tf.mean(model.loss(tf.tensor2d(x, [4, 36]), { training: true, rng: new Rng(2), klWeight: { kind: 'beta', beta: 1 } }).loss).arraySync() as number);
      expect(Number.isFinite(loss)).toBe(true);
      expect(estimateNll({ model, x, k: 5, rng: new Rng(4) }).nll).toBeGreaterThan(0);
      model.dispose();
    }
  });

  it('names each kind’s loss for the figures and the report', () => {
    const names = (config: Record<string, unknown>) => lossNames(modelSchema.parse({ latent: 2, ...net, ...config }) as ModelConfig);
    expect(names({ kind: 'beta-tcvae', beta: 6 })).toEqual({ loss: 'reconstruction + MI + β × TC + dim-wise KL', regularizer: 'TC' });
    expect(names({ kind: 'dip-vae', dip: 'i' }).loss).toBe('reconstruction + KL + DIP-I penalty');
    expect(names({ kind: 'info-vae' }).loss).toBe('reconstruction + 1 × KL + 999 × MMD');
    expect(names({ kind: 'wae-mmd' })).toEqual({ loss: 'reconstruction + 10 × MMD', regularizer: 'MMD' });
    expect(names({ kind: 'rae' }).regularizer).toBe('|z|²/2');
  });

  it('the schema refuses the capacity schedule for beta-TCVAE and an InfoVAE alpha above 1', () => {
    expect(() => modelSchema.parse({ latent: 2, ...net, kind: 'info-vae', alpha: 2 })).toThrow(/alpha/);
    const capacity = { kind: 'capacity', cMax: 5, epochs: 3 };
    expect(() => configSchema.parse({ model: { latent: 2, ...net, kind: 'beta-tcvae', betaSchedule: capacity } })).toThrow(/beta-TCVAE weighs its total correlation/);
    expect(() => configSchema.parse({ model: { latent: 2, ...net, kind: 'dip-vae', betaSchedule: capacity } })).not.toThrow();
  });
});
