import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { MODEL_KINDS, modelSchema, type BetaSchedule, type ModelConfig } from '../config/schema.js';
import { KINDS_WITHOUT_PRESET, PRESETS } from '../config/presets.js';
import { resolveConfig } from '../config/resolve.js';
import { klPenalty, reconstructionLoss, type LossTerms } from '../objectives/index.js';
import { Adam, evalBatch, klWeight, trainStep } from '../train/index.js';
import { writeLossCurve } from '../report/run.js';
import { checkTensorCountPerTest, tempDir } from '../../test/helpers.js';
import type { AutoencoderConfig } from './autoencoder.js';
import { EncoderDecoder } from './base.js';
import { CodeHead } from './heads.js';
import { buildDecoder, buildEncoder, evalContext } from './parts.js';
import { MODEL_KIND_CONFIGS } from './kinds.js';
import { buildModel, lossNames, modelKind, modelKinds, registerModelKind } from './registry.js';
import { fusedElboSpec } from './fast-paths.js';
import { Vae, type VaeConfig } from './vae.js';
import { DipVae, type DipVaeConfig } from './dip-vae.js';
import type { Encoded, LossContext } from './types.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('registry');
afterAll(tmp.remove);

/**
 * A toy kind written as a new kind would be: a sparse autoencoder, the autoencoder plus beta * sum_j |code_j|. Its
 * file would hold this class and its entry; registered at run time, outside src/models/kinds.ts, its config cannot pass
 * the schema (modelSchema is the zod union of the kinds listed there), so it is handed to the base class as a
 * ModelConfig: the one cast a kind outside the schema needs.
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

/** The presets whose model is of `kind`. */
const presetsOf = (kind: string) => PRESETS.filter((p) => (p.config.model as { kind?: string } | undefined)?.kind === kind);

describe('every built-in kind is complete', () => {
  // The kinds this file registers itself (sparse-ae above, the twins below) are not built in.
  const builtIn = () => modelKinds().filter((k) => !['sparse-ae', 'elbo-twin', 'dip-twin'].includes(k));

  it('the kinds list, the schema’s model union and the registry name the same kinds, in one order', () => {
    expect(MODEL_KIND_CONFIGS.map((k) => k.kind)).toEqual(builtIn());
    expect([...MODEL_KINDS]).toEqual(builtIn());
    expect(new Set(builtIn()).size).toBe(builtIn().length);
  });

  it('has a preset, or says why it has none; a stale marker fails too', () => {
    for (const kind of builtIn()) {
      const has = presetsOf(kind).length > 0;
      const marker = KINDS_WITHOUT_PRESET[kind];
      expect(has || (typeof marker === 'string' && marker.length > 0), `${kind}: no preset and no entry in KINDS_WITHOUT_PRESET`).toBe(true);
      expect(has && marker !== undefined, `${kind}: has a preset and a no-preset marker`).toBe(false);
    }
    for (const kind of Object.keys(KINDS_WITHOUT_PRESET)) expect(builtIn(), `KINDS_WITHOUT_PRESET names '${kind}'`).toContain(kind);
  });

  it('answers every registry question, and its model agrees with the answers', () => {
    const D = 4;
    const x = tf.tensor2d(Float32Array.from(new Rng(5).uniformArray(3 * D), (u) => (u > 0.5 ? 1 : 0)), [3, D]); // [B, D]
    for (const kind of builtIn()) {
      const entry = modelKind(kind);
      // Facts every kind must state, even when the answer is "none".
      expect('regularizer' in entry, `${kind}: regularizer (undefined for none) must be stated`).toBe(true);
      expect(entry.regularizer === undefined || entry.regularizer.length > 0, kind).toBe(true);
      expect(['gaussian', 'noisy-code', 'none'], kind).toContain(entry.posterior);
      for (const caption of [entry.samples, entry.exportGap]) expect(caption === undefined || (typeof caption === 'string' && caption.length > 0), kind).toBe(true);
      expect([undefined, true, false], kind).toContain(entry.conditional);
      const option = modelSchema.options.find((o) => o.shape.kind.value === kind)!;
      // A conditional kind's config says how many classes it reads.
      expect('classes' in option.shape, kind).toBe(entry.conditional === true);

      // On the kind's config (its preset's, or the schema's defaults), with tiny MLP layers.
      const preset = presetsOf(kind)[0];
      const base = preset ? (resolveConfig({ preset: preset.name }).model as Record<string, unknown>) : { kind, latent: 2, likelihood: { kind: 'bernoulli' } };
      const config = modelSchema.parse({ ...base, latent: kind === 'vq-vae' ? 4 : 2, ...(kind === 'vq-vae' && { codeDim: 2, codebookSize: 4 }), ...(kind === 'vamp-prior' && { pseudoInputs: 3 }), encoder: { hidden: [3] }, decoder: { hidden: [3] }, likelihood: { kind: 'bernoulli' } }) as ModelConfig;
      const names = lossNames(config);
      expect(names.loss.length, kind).toBeGreaterThan(0);
      expect(names.regularizer, kind).toBe(entry.regularizer);

      const model = buildModel(config, D, new Rng(1));
      expect(model.config.kind).toBe(kind);
      expect(model.classes !== undefined, `${kind}: conditional`).toBe(entry.conditional === true);
      const labels = model.classes !== undefined ? Int32Array.from([0, 1, 0]) : undefined;
      const { mean, logVar } = model.encode(x, { ...evalContext(), labels });
      // A Gaussian posterior has its log-variance head; a deterministic or noisy code has none.
      expect(logVar !== undefined, `${kind}: posterior ${entry.posterior}`).toBe(entry.posterior === 'gaussian');
      tf.dispose([mean, ...(logVar ? [logVar] : [])]);
      model.dispose();
    }
    x.dispose();
  });
});

describe('the native fast paths recognize an architecture, not a kind', () => {
  // Two kinds registered here, under names fast-paths.ts has never seen: a twin of the VAE (its loss the summed ELBO,
  // with the VAE's objective field) and a twin of DIP-VAE (the same layers, another loss).
  const net = { kind: 'mlp' as const, hidden: [5], activation: 'relu' as const, batchNorm: 'none' as const, dropout: 0 };
  const common = { latent: 2, encoder: net, decoder: net, likelihood: { kind: 'bernoulli' as const }, decoderBiasInit: 'default' as const };
  registerModelKind<{ kind: 'elbo-twin' }>({ kind: 'elbo-twin', build: (args) => new Vae(args as never), regularizer: 'KL', posterior: 'gaussian' });
  registerModelKind<{ kind: 'dip-twin' }>({ kind: 'dip-twin', build: (args) => new DipVae(args as never), regularizer: 'KL', posterior: 'gaussian' });

  it('a new kind with Dense MLPs, Gaussian heads, a Bernoulli decoder and the VAE objective gets the fused step; the same layers with another loss do not', () => {
    const vae = modelSchema.parse({ kind: 'vae', ...common }) as VaeConfig;
    const dip = modelSchema.parse({ kind: 'dip-vae', ...common }) as DipVaeConfig;
    const twin = buildModel({ ...vae, kind: 'elbo-twin' } as unknown as ModelConfig, 6, new Rng(1));
    const iwaeTwin = buildModel({ ...vae, kind: 'elbo-twin', objective: { kind: 'iwae', k: 5 } } as unknown as ModelConfig, 6, new Rng(1));
    const dipTwin = buildModel({ ...dip, kind: 'dip-twin' } as unknown as ModelConfig, 6, new Rng(1));
    const spec = fusedElboSpec(twin);
    expect(spec?.encoder.map((l) => l.activation)).toEqual(['relu']);
    expect(spec?.iwaeK).toBeUndefined();
    expect(fusedElboSpec(iwaeTwin)?.iwaeK).toBe(5);
    // Its loss is not what the kernels compute: no fused step, whatever its layers.
    expect(fusedElboSpec(dipTwin)).toBeUndefined();
    [twin, iwaeTwin, dipTwin].forEach((m) => m.dispose());
  });
});
