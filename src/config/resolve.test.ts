import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { PRESETS } from './presets.js';
import { deepMerge, resolveConfig } from './resolve.js';

const usageError = (fn: () => unknown): UsageError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
};

describe('resolveConfig', () => {
  it('every preset resolves to a valid config that names it', () => {
    for (const p of PRESETS) expect(resolveConfig({ preset: p.name })).toMatchObject({ preset: p.name, model: { kind: p.config.model.kind } });
  });

  it('applies preset, then file, then overrides; arrays replace, objects merge', () => {
    const c = resolveConfig({
      preset: 'swiss-roll-vae',
      file: { train: { epochs: 7, lr: 0.01 }, model: { decoder: { hidden: [64] } } },
      overrides: { train: { epochs: 3 } },
    });
    expect(c.train).toMatchObject({ epochs: 3, lr: 0.01, batchSize: 128 });
    expect(c.model.decoder.hidden).toEqual([64]);
    expect(c.model.latent).toBe(2);
    // A different model kind replaces the model instead of merging into it.
    expect(deepMerge({ model: { kind: 'vae', beta: 2, latent: 3 } }, { model: { kind: 'autoencoder', latent: 4 } })).toEqual({ model: { kind: 'autoencoder', latent: 4 } });
  });

  it('names the offending key and its value, the unknown preset, or the activation list that is too short', () => {
    expect(usageError(() => resolveConfig({ preset: 'nope' })).message).toMatch(/^--preset: unknown preset 'nope'; expected one of poor-man-vae, /);
    expect(usageError(() => resolveConfig({ preset: 'mnist-vae', overrides: { train: { lr: -1 } } })).message).toMatch(/^preset mnist-vae: train\.lr = -1: /);
    const short = usageError(() => resolveConfig({ preset: 'mnist-vae', overrides: { model: { encoder: { hidden: [8, 8], activation: ['relu'] } } } }));
    expect(short.message).toBe('preset mnist-vae: model.encoder.activation = ["relu"]: a list of activations needs one per hidden layer');
  });
});
