import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import type { StatUpdate } from '../nn/index.js';
import { buildModel, evalContext, type Model } from './index.js';
import { klWeight } from '../train/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 12;
const B = 5;
const L = 3;

const trunk = { encoder: { hidden: [7], activation: 'elu' }, decoder: { hidden: [7], activation: 'elu' } };
const VARIANTS: { name: string; config: Record<string, unknown>; outDim: number; stochastic: boolean }[] = [
  { name: 'autoencoder', config: { kind: 'autoencoder', latent: L, ...trunk, latentActivation: 'relu', likelihood: { kind: 'bernoulli' } }, outDim: D, stochastic: false },
  { name: 'vae (logVar head)', config: { kind: 'vae', latent: L, ...trunk, likelihood: { kind: 'bernoulli' } }, outDim: D, stochastic: true },
  { name: 'vae (softplus head)', config: { kind: 'vae', latent: L, ...trunk, variance: 'softplus', likelihood: { kind: 'bernoulli' } }, outDim: D, stochastic: true },
  {
    name: 'vae (learned-variance Gaussian decoder)',
    config: { kind: 'vae', latent: L, ...trunk, likelihood: { kind: 'gaussian', variance: 'learned' } },
    outDim: 2 * D,
    stochastic: true,
  },
  {
    name: 'vae (BatchNorm + dropout)',
    config: {
      kind: 'vae',
      latent: L,
      encoder: { hidden: [7], activation: 'relu', batchNorm: 'after' },
      decoder: { hidden: [7], activation: 'relu', dropout: 0.2 },
      likelihood: { kind: 'bernoulli' },
    },
    outDim: D,
    stochastic: true,
  },
  { name: 'poor-man-vae', config: { kind: 'poor-man-vae', latent: L, ...trunk, likelihood: { kind: 'squared-error', meanActivation: 'sigmoid' } }, outDim: D, stochastic: true },
];

const x = () => tf.tensor2d(new Rng(9).uniformArray(B * D), [B, D]);

describe.each(VARIANTS)('$name', ({ config, outDim, stochastic }) => {
  const build = (): Model => buildModel(modelSchema.parse(config), D, new Rng(1));

  it('encode, reparameterize, decoderOutput, decode, sample, reconstruct and loss have the right shapes, leaking nothing', async () => {
    const model = build();
    expect([model.inputDim, model.latentDim]).toEqual([D, L]);
    const shapes = await expectNoLeak(() =>
      tf.tidy(() => {
        const xs = x();
        const enc = model.encode(xs);
        const z = model.reparameterize(enc, new Rng(2));
        const updates: StatUpdate[] = [];
        const terms = model.loss(xs, { training: true, rng: new Rng(3), updates, klWeight: klWeight(model.config, 'unscheduled') });
        tf.dispose(updates.map((u) => u.value)); // BatchNorm's pending running-stat updates, which the trainer would apply
        return {
          mean: enc.mean.shape,
          logVar: enc.logVar?.shape,
          z: z.shape,
          output: model.decoderOutput(z).shape,
          decode: model.decode(z).shape,
          sample: model.sample(4, new Rng(4)).shape,
          reconstruct: model.reconstruct(xs).shape,
          terms: [terms.loss.shape, terms.reconstruction.shape, terms.kl.shape],
        };
      }),
    );
    expect(shapes).toEqual({
      mean: [B, L],
      logVar: config.kind === 'vae' ? [B, L] : undefined,
      z: [B, L],
      output: [B, outDim],
      decode: [B, D],
      sample: [4, D],
      reconstruct: [B, D],
      terms: [[B], [B], [B]],
    });
    model.dispose();
  });

  it('samples by decoding N(0, I) draws from the given RNG, and reconstructs deterministically from the code', async () => {
    const model = build();
    const [sample, decodedPrior, r1, r2, viaCode] = await expectNoLeak(() =>
      tf.tidy(() => {
        const xs = x();
        return [
          model.sample(6, new Rng(7)),
          model.decode(tf.tensor2d(new Rng(7).normalArray(6 * L), [6, L])),
          model.reconstruct(xs),
          model.reconstruct(xs),
          model.decode(model.encode(xs).mean),
        ].map((t) => Array.from(t.dataSync()));
      }),
    );
    expect(sample).toEqual(decodedPrior);
    expect(r1).toEqual(r2);
    expect(r1).toEqual(viaCode);
    // A sigmoid-mean decoder puts every value in (0, 1).
    if (config.kind !== 'vae' || (config.likelihood as { kind: string }).kind === 'bernoulli') expect(sample.every((v) => v > 0 && v < 1)).toBe(true);
    model.dispose();
  });

  it(stochastic ? 'draws a different z on each call in training' : 'reparameterizes to the code itself, so the KL term is 0', async () => {
    const model = build();
    const [za, zb, mean, kl, loss, rec] = await expectNoLeak(() =>
      tf.tidy(() => {
        const xs = x();
        const enc = model.encode(xs, evalContext());
        const rng = new Rng(8);
        const t = model.loss(xs, { training: true, rng, klWeight: klWeight(model.config, 'unscheduled') });
        return [model.reparameterize(enc, rng), model.reparameterize(enc, rng), enc.mean, t.kl, t.loss, t.reconstruction].map((v) => Array.from(v.dataSync()));
      }),
    );
    if (stochastic) {
      expect(za).not.toEqual(zb);
    } else {
      expect(za).toEqual(mean);
      expect(kl.every((v) => v === 0)).toBe(true);
      expect(loss).toEqual(rec);
    }
    model.dispose();
  });
});
