import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng, type Tensor1D, type Tensor2D } from '../engine/index.js';
import type { BetaSchedule, ModelConfig } from '../config/schema.js';
import { klPenalty, reconstructionLoss, type LossTerms } from '../objectives/index.js';
import { Adam, evalBatch, klWeight, trainStep } from '../train/index.js';
import { writeLossCurve } from '../report/run.js';
import { checkTensorCountPerTest, tempDir } from '../../test/helpers.js';
import type { AutoencoderConfig } from './autoencoder.js';
import { EncoderDecoder } from './base.js';
import { CodeHead } from './heads.js';
import { buildDecoder, buildEncoder } from './parts.js';
import { buildModel, lossNames, modelKind, registerModelKind } from './registry.js';
import type { Encoded, LossContext } from './types.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('registry');
afterAll(tmp.remove);

/**
 * A toy kind written as a new kind would be: a sparse autoencoder, the autoencoder plus beta * sum_j |code_j|. Its
 * file would hold this class and its entry; adding it to vaekit takes one registration line. Its config cannot pass
 * the schema (modelSchema in src/config/schema.ts is a closed zod union of the built-in kinds), so it is handed to
 * the base class as a ModelConfig: the one cast a kind outside the schema needs.
 */
type SparseAeConfig = Omit<AutoencoderConfig, 'kind'> & { kind: 'sparse-ae'; beta: number; betaSchedule: BetaSchedule };

class SparseAe extends EncoderDecoder {
  constructor({ config, inputDim, inputShape, rng }: { config: SparseAeConfig; inputDim: number; inputShape: readonly number[]; rng: Rng }) {
    const encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    const heads = new CodeHead({ inDim: encoder.outDim, latent: config.latent, rng });
    const decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
    super({ config: config as unknown as ModelConfig, inputDim, parts: { encoder, heads, decoder } });
  }

  reparameterize({ mean }: Encoded): Tensor2D {
    return tf.clone(mean);
  }

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { mean } = this.encode(ctx.input ?? x, ctx);
      const reconstruction = reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(mean, ctx) });
      const l1 = tf.sum(tf.abs(mean), 1) as Tensor1D; // [B]
      return { loss: tf.add(reconstruction, klPenalty({ kl: l1, weight: ctx.klWeight })) as Tensor1D, reconstruction, kl: l1 };
    }) as LossTerms;
  }
}

registerModelKind<SparseAeConfig>({ kind: 'sparse-ae', build: (args) => new SparseAe(args), regularizer: 'L1', posterior: 'none' });

const D = 6;
const B = 8;
const config: SparseAeConfig = {
  kind: 'sparse-ae',
  latent: 2,
  encoder: { kind: 'mlp', hidden: [5], activation: 'tanh', batchNorm: 'none', dropout: 0 },
  decoder: { kind: 'mlp', hidden: [5], activation: 'tanh', batchNorm: 'none', dropout: 0 },
  likelihood: { kind: 'bernoulli' },
  decoderBiasInit: 'default',
  latentActivation: 'linear',
  beta: 0.5,
  betaSchedule: { kind: 'constant' },
};

describe('the model registry', () => {
  it('names each built-in kind’s loss and regularizer; an unknown kind is a usage error naming the kinds', () => {
    expect(['vae', 'cvae', 'poor-man-vae', 'autoencoder'].map((kind) => lossNames({ kind }))).toEqual([
      { loss: 'negative ELBO', regularizer: 'KL' },
      { loss: 'negative ELBO', regularizer: 'KL' },
      { loss: 'reconstruction + anchor', regularizer: 'anchor' },
      { loss: 'reconstruction loss', regularizer: undefined },
    ]);
    // The loss is the negative ELBO only when it is one: not with a weight, a schedule, a mean reconstruction or IWAE.
    expect(lossNames({ kind: 'vae', beta: 4 }).loss).toBe('reconstruction + β × KL');
    expect(lossNames({ kind: 'vae', betaSchedule: { kind: 'linear' } }).loss).toBe('reconstruction + β × KL');
    expect(lossNames({ kind: 'vae', reconstructionReduction: 'mean' }).loss).toBe('reconstruction + KL');
    expect(lossNames({ kind: 'vae', objective: { kind: 'iwae', k: 5 } }).loss).toBe('negative IWAE bound (k = 5)');
    expect(lossNames(undefined)).toEqual({ loss: 'negative ELBO', regularizer: 'KL' }); // an old run's config
    expect(() => modelKind('gan')).toThrow(/model\.kind 'gan': not a model kind; expected one of autoencoder, vae, poor-man-vae, cvae, beta-tcvae, dip-vae, info-vae, wae-mmd, rae, factor-vae, vq-vae/);
  });

  it('a kind registered in one line builds, trains a step and is drawn by the report with its regularizer’s name', () => {
    const model = buildModel(config as unknown as ModelConfig, D, new Rng(1));
    expect(model).toBeInstanceOf(SparseAe);
    const x = tf.tensor2d(Float32Array.from(new Rng(2).uniformArray(B * D), (u) => (u > 0.5 ? 1 : 0)), [B, D]);
    const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const weight = klWeight(config, 1);
    expect(weight).toEqual({ kind: 'beta', beta: 0.5 });
    const before = Float32Array.from(model.variables()[0].variable.dataSync());
    const train = trainStep({ model, adam, x, rng: new Rng(3), klWeight: weight });
    // The batch means satisfy the kind's own objective: reconstruction + beta * L1.
    expect(train.loss).toBeCloseTo(train.reconstruction + 0.5 * train.kl, 4);
    expect(train.kl).toBeGreaterThan(0);
    expect(Array.from(model.variables()[0].variable.dataSync())).not.toEqual(Array.from(before));
    const sums = evalBatch({ model, x, rng: new Rng(4), klWeight: weight });
    const test = { loss: sums.loss / B, reconstruction: sums.reconstruction / B, kl: sums.kl / B };
    // A run folder as the trainer leaves it: its config and one epoch's metrics.
    const history = [{ epoch: 1, train, test, samplesPerSecond: 100, epochSeconds: 0.1 }];
    writeFileSync(path.join(tmp.dir, 'config.json'), JSON.stringify({ model: config }));
    writeFileSync(path.join(tmp.dir, 'metrics.jsonl'), history.map((h) => JSON.stringify(h) + '\n').join(''));
    tf.dispose([x]);
    adam.dispose();
    model.dispose();
    const written = writeLossCurve(tmp.dir, history, config);
    const svg = readFileSync(written.find((f) => f.endsWith('.svg'))!, 'utf8');
    expect(svg).toContain('>L1<');
    expect(svg).toContain('>loss (reconstruction + β × L1)<');
    expect(readFileSync(path.join(tmp.dir, 'report.html'), 'utf8')).toContain('<th>L1</th>');
  });
});
