/** Strict config keys: a key the schema does not define is an error naming it and the nearest known key, from any layer. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { PRESETS } from './presets.js';
import { resolveConfig } from './resolve.js';
import { trainSchema } from './schema.js';
import { nearestKey, unknownKeys } from './unknown-keys.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('unknown config keys', () => {
  it("refuses the issue's typo file, naming each key, the nearest known key, or the keys known there", () => {
    const m = message(() => resolveConfig({ file: { train: { epoch: 1, learningRate: 5 } }, origin: '--config typo.json' }));
    const trainKeys = Object.keys(trainSchema.shape).join(', ');
    expect(m).toBe(`--config typo.json: train.epoch: unknown key; did you mean train.epochs? train.learningRate: unknown key; the keys of train are ${trainKeys}`);
  });

  it('reads a model against its kind and a network against mlp or conv', () => {
    expect(message(() => resolveConfig({ file: { model: { latnt: 3 } }, origin: 'f' }))).toBe('f: model.latnt: unknown key; did you mean model.latent?');
    // `anchor` belongs to the poor man's VAE, not to the default preset's VAE.
    expect(message(() => resolveConfig({ file: { model: { anchor: 'batch' } }, origin: 'f' }))).toMatch(/^f: model\.anchor: unknown key; the keys of model are kind, latent, /);
    expect(message(() => resolveConfig({ file: { model: { encoder: { hiden: [3] } } }, origin: 'f' }))).toBe('f: model.encoder.hiden: unknown key; did you mean model.encoder.hidden?');
    expect(message(() => resolveConfig({ preset: 'mnist-conv-vae', file: { model: { decoder: { filter: [3] } } }, origin: 'f' }))).toBe('f: model.decoder.filter: unknown key; did you mean model.decoder.filters?');
    expect(message(() => resolveConfig({ file: { model: { betaSchedule: { kind: 'linear', epoch: 3 } } }, origin: 'f' }))).toBe('f: model.betaSchedule.epoch: unknown key; did you mean model.betaSchedule.epochs?');
    expect(message(() => resolveConfig({ overrides: { dat: { name: 'mnist' } } }))).toBe('overrides: dat: unknown key; did you mean data?');
  });

  it('finds none in any preset, and none in a full resolved config', () => {
    for (const p of PRESETS) expect(unknownKeys(p.config), p.name).toEqual([]);
    for (const p of PRESETS) expect(unknownKeys(resolveConfig({ preset: p.name })), p.name).toEqual([]);
  });

  it('suggests a key only when it is near: at most a third of its letters differ, case ignored', () => {
    expect(nearestKey('Epochs', ['epochs', 'lr'])).toBe('epochs');
    expect(nearestKey('bathSize', ['epochs', 'batchSize'])).toBe('batchSize');
    expect(nearestKey('learningRate', ['epochs', 'lr'])).toBeUndefined();
  });
});

describe('partial config files', () => {
  it("merge over the preset: a model without a kind keeps the preset's kind and layers", () => {
    const mnistVae = resolveConfig({ preset: 'mnist-vae' });
    const partial = resolveConfig({ file: { model: { latent: 3 } }, origin: '--config partial.json' });
    expect(partial.model).toEqual({ ...mnistVae.model, latent: 3 });
    expect(partial.train).toEqual(mnistVae.train);
    const roll = resolveConfig({ preset: 'swiss-roll-vae', file: { model: { latent: 3 } } });
    expect(roll.model).toEqual({ ...resolveConfig({ preset: 'swiss-roll-vae' }).model, latent: 3 });
  });

  it('a model naming another kind replaces the preset model and takes the schema defaults for the rest', () => {
    const ae = resolveConfig({ file: { model: { kind: 'autoencoder', latent: 4, encoder: { hidden: [8] }, decoder: { hidden: [8] }, likelihood: { kind: 'bernoulli' } } } });
    expect(ae.model).toMatchObject({ kind: 'autoencoder', latent: 4, latentActivation: 'linear', decoderBiasInit: 'default' });
  });
});

describe('layer widths', () => {
  it('refuses a width over 65,536 and two consecutive layers over 2^27 weights, naming the key', () => {
    expect(message(() => resolveConfig({ file: { model: { encoder: { hidden: [1e9] } } }, origin: 'f' }))).toBe('f: model.encoder.hidden.0 = 1000000000: expected at most 65536 units in a layer');
    expect(message(() => resolveConfig({ file: { model: { latent: 65_537 } }, origin: 'f' }))).toBe('f: model.latent = 65537: expected at most 65536 units in a layer');
    // 11586^2 = 134,235,396 > 2^27 = 134,217,728 > 11585^2.
    expect(message(() => resolveConfig({ file: { model: { decoder: { hidden: [11586, 11586] } } }, origin: 'f' }))).toMatch(/^f: model\.decoder\.hidden = \[11586,11586\]: two consecutive layers hold more than 134217728 weights/);
    expect(resolveConfig({ file: { model: { decoder: { hidden: [11585, 11585] } } } }).model.decoder.hidden).toEqual([11585, 11585]);
  });
});
