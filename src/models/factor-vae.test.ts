import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng, type Tensor2D } from '../engine/index.js';
import { modelSchema, type ModelConfig } from '../config/schema.js';
import { resolveConfig } from '../config/index.js';
import { loadDataset } from '../data/index.js';
import { checkTensorCountPerTest, expectNoLeak, tempDir } from '../../test/helpers.js';
import { klStandardNormal, reconstructionLoss } from '../objectives/index.js';
import { Adam, auxiliaryStep, evalBatch, klWeight, train, trainStep } from '../train/index.js';
import { estimateNll } from '../evaluate/index.js';
import { buildModel, Discriminator, FactorVae, lossNames } from './index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('factor-vae');
afterAll(tmp.remove);

const D = 12;
const B = 16;
const net = { encoder: { hidden: [8], activation: 'tanh' }, decoder: { hidden: [8], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } };
const build = (config: Record<string, unknown> = {}, seed = 1) =>
  buildModel(modelSchema.parse({ kind: 'factor-vae', latent: 3, ...net, discriminator: { hidden: [16, 16] }, ...config }) as ModelConfig, D, new Rng(seed)) as FactorVae;
/** Binary data with structure: each example repeats one of three patterns with a few bits flipped. */
const data = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * D }, (_, i) => {
    const bit = (i % D) % 3 === Math.floor(i / D) % 3 ? 1 : 0;
    return rng.uniform() < 0.05 ? 1 - bit : bit;
  });
};

describe('FactorVAE', () => {
  it('training loss = reconstruction + beta KL + gamma x the discriminator’s logit of z, recomputed from the same draws; evaluation drops the TC', () => {
    const model = build({ gamma: 7, beta: 2 });
    const x = tf.tensor2d(data(B, 5), [B, D]);
    const weight = { kind: 'beta', beta: 2 } as const;
    const t = model.loss(x, { training: true, rng: new Rng(9), klWeight: weight });
    const [loss, rec, kl] = [t.loss, t.reconstruction, t.kl].map((v) => Array.from(v.dataSync()));
    tf.dispose([t.loss, t.reconstruction, t.kl]);
    const want = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      const eps = tf.tensor2d(new Rng(9).normalArray(B * 3), [B, 3]);
      const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), eps)) as Tensor2D;
      return {
        rec: Array.from(reconstructionLoss({ likelihood: model.likelihood, x, output: model.decoderOutput(z) }).dataSync()),
        kl: Array.from(klStandardNormal({ mean, logVar: logVar! }).dataSync()),
        logit: Array.from(model.auxiliary.logits(z).dataSync()),
      };
    });
    for (let i = 0; i < B; i++) {
      expect(rec[i]).toBeCloseTo(want.rec[i], 3);
      expect(kl[i]).toBeCloseTo(want.kl[i], 4);
      expect(loss[i]).toBeCloseTo(want.rec[i] + 2 * want.kl[i] + 7 * want.logit[i], 3);
    }
    const e = model.loss(x, { training: false, rng: new Rng(9), klWeight: weight });
    const [eLoss, eRec, eKl] = [e.loss, e.reconstruction, e.kl].map((v) => Array.from(v.dataSync()));
    tf.dispose([e.loss, e.reconstruction, e.kl]);
    for (let i = 0; i < B; i++) expect(eLoss[i]).toBeCloseTo(eRec[i] + 2 * eKl[i], 3);
    x.dispose();
    model.dispose();
  });

  it('the discriminator is no part of the model’s variables (so not of the saved model), and its names are its own', () => {
    const model = build();
    const names = model.variables().map((v) => v.name);
    expect(names.some((n) => n.startsWith('discriminator'))).toBe(false);
    expect(model.auxiliary.variables().map((v) => v.name)).toEqual([
      'discriminator.dense0.kernel',
      'discriminator.dense0.bias',
      'discriminator.dense1.kernel',
      'discriminator.dense1.bias',
      'discriminator.out.kernel',
      'discriminator.out.bias',
    ]);
    expect(model.auxiliary.optimizer).toEqual({ lr: 1e-4, beta1: 0.5, beta2: 0.9 });
    expect(lossNames(model.config).loss).toBe('reconstruction + KL + 10 × TC');
    model.dispose();
  });

  it('a discriminator trained on correlated Gaussian codes against their per-dimension permutations estimates their closed-form TC', async () => {
    // z ~ N(0, [[1, rho], [rho, 1]]), rho = 0.9: TC = -log(1 - rho^2) / 2 = 0.830 nats. The "encoder" hands the batch
    // through, so the discriminator's own step (fresh permutations each batch) is what is tested.
    const rho = 0.9;
    const draw = (n: number, rng: Rng) => {
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const a = rng.normal();
        out[2 * i] = a;
        out[2 * i + 1] = rho * a + Math.sqrt(1 - rho * rho) * rng.normal();
      }
      return tf.tensor2d(out, [n, 2]);
    };
    const spec = { hidden: [32, 32], activation: 'leakyRelu' as const, lr: 3e-3, beta1: 0.5, beta2: 0.9 };
    const disc = new Discriminator({ latent: 2, spec, rng: new Rng(1), encode: (x) => tf.clone(x) });
    const adam = new Adam(disc.variables(), { ...disc.optimizer, epsilon: 1e-8 });
    const rng = new Rng(2);
    const test = draw(5000, new Rng(3));
    const untrained = tf.tidy(() => tf.mean(disc.logits(test)).arraySync() as number);
    await expectNoLeak(() => {
      for (let step = 0; step < 250; step++) {
        const z = draw(128, rng);
        const { value, grads } = tf.variableGrads(() => disc.loss(z, { training: true, rng, klWeight: { kind: 'beta', beta: 1 } }), disc.variables().map((v) => v.variable));
        adam.apply(grads);
        tf.dispose([z, value, grads]);
      }
    });
    const tc = tf.tidy(() => tf.mean(disc.logits(test)).arraySync() as number);
    test.dispose();
    adam.dispose();
    disc.dispose();
    // Measured: 0.791 after 250 steps of batch 128; the untrained discriminator's estimate is far off.
    expect(Math.abs(tc - -0.5 * Math.log(1 - rho * rho))).toBeLessThan(0.15);
    expect(Math.abs(untrained - -0.5 * Math.log(1 - rho * rho))).toBeGreaterThan(0.4);
  });

  it('trains: VAE steps with discriminator steps between them lower the loss over 60 steps, without leaking tensors', async () => {
    const model = build({ gamma: 2 });
    const x = tf.tensor2d(data(64, 2), [64, D]);
    const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const discAdam = new Adam(model.auxiliary.variables(), { ...model.auxiliary.optimizer, epsilon: 1e-8 });
    const weight = klWeight(model.config, 1);
    const rng = new Rng(3);
    const first = evalBatch({ model, x, rng: new Rng(4), klWeight: weight }).loss / 64;
    const discBefore = Array.from(model.auxiliary.out.kernel.dataSync());
    await expectNoLeak(() => {
      for (let i = 0; i < 60; i++) {
        trainStep({ model, adam, x, rng, klWeight: weight });
        auxiliaryStep({ model, adam: discAdam, x, rng, klWeight: weight });
      }
    });
    const last = evalBatch({ model, x, rng: new Rng(4), klWeight: weight }).loss / 64;
    expect(Array.from(model.auxiliary.out.kernel.dataSync())).not.toEqual(discBefore);
    expect(discAdam.step).toBe(60);
    // Its NLL estimate is the VAE's (Gaussian q(z|x), standard normal prior).
    const nll = estimateNll({ model, x: data(4, 9), k: 20, rng: new Rng(1) });
    x.dispose();
    adam.dispose();
    discAdam.dispose();
    model.dispose();
    expect(last).toBeLessThan(first - 1);
    expect(nll.nll).toBeGreaterThan(0);
  });

  it('resumes exactly: 2 epochs straight equal 1 epoch, a checkpoint and 1 more, model and discriminator (and its Adam) byte for byte', { timeout: 60_000 }, async () => {
    const config = (epochs: number) =>
      resolveConfig({
        overrides: {
          data: { name: 'mnist' },
          model: { kind: 'factor-vae', latent: 4, gamma: 5, encoder: { hidden: [32], activation: 'relu' }, decoder: { hidden: [32], activation: 'relu' }, likelihood: { kind: 'bernoulli' }, discriminator: { hidden: [16, 16] } },
          train: { epochs, batchSize: 64, lr: 1e-3, seed: 4 },
        },
      });
    const dataset = loadDataset({ name: 'mnist', limit: 256, seed: 1, testFraction: 0.25 });
    const run = async (epochs: number, dir: string, resume = false) => {
      const r = await train({ config: config(epochs), dataset, runDir: dir, backend: 'cpu', resume });
      r.model.dispose();
      return r;
    };
    const [a, b] = [path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b')];
    const { full, resumed } = await expectNoLeak(async () => ({ full: await run(2, a), first: await run(1, b), resumed: await run(2, b, true) }));
    expect(resumed.epochsRun).toBe(1);
    const bytes = (dir: string, file: string) => readFileSync(path.join(dir, file));
    expect(bytes(b, 'model/weights.bin').equals(bytes(a, 'model/weights.bin'))).toBe(true);
    // The checkpoint holds the discriminator and its Adam: equal too, and named as such.
    expect(bytes(b, 'checkpoints/epoch-0002/tensors.bin').equals(bytes(a, 'checkpoints/epoch-0002/tensors.bin'))).toBe(true);
    const state = JSON.parse(bytes(b, 'checkpoints/epoch-0002/state.json').toString('utf8')) as { auxiliaryAdamStep: number; adamStep: number; tensors: { name: string }[] };
    expect(state.auxiliaryAdamStep).toBe(state.adamStep);
    expect(state.tensors.map((t) => t.name)).toContain('auxiliary/discriminator.out.kernel');
    expect(state.tensors.map((t) => t.name)).toContain('auxiliaryAdam/discriminator.out.kernel.v');
    expect(resumed.history.map((h) => h.test)).toEqual(full.history.map((h) => h.test));
    expect(full.history[1].train.loss).toBeLessThan(full.history[0].train.loss);
  });
});
