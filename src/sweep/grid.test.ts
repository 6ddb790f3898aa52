/** The sweep grid: --over parsing, every grid point checked by the schema before training, and the sweep presets. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { configLayers } from '../cli/train-flags.js';
import { gridPoints, parseOver, type Axis } from './grid.js';
import { SWEEP_PRESETS, findSweepPreset } from './presets.js';

const base = (flags: Parameters<typeof configLayers>[0] = {}) => ({ layers: (kind: string | undefined) => configLayers({ ...flags, model: kind as never }) });

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseOver', () => {
  it('reads numbers, names and lists as JSON where they parse', () => {
    expect(parseOver('model.latent=2,4,8')).toEqual({ key: 'model.latent', values: [2, 4, 8] });
    expect(parseOver('model.kind=autoencoder,vae')).toEqual({ key: 'model.kind', values: ['autoencoder', 'vae'] });
    expect(parseOver('model.encoder.hidden=[400],[200,100]')).toEqual({ key: 'model.encoder.hidden', values: [[400], [200, 100]] });
    expect(parseOver('model.beta=0.5, 1')).toEqual({ key: 'model.beta', values: [0.5, 1] });
  });

  it('refuses text that is not KEY=V1,V2 with a line naming it', () => {
    expect(usageMessage(() => parseOver('latent'))).toBe("--over 'latent': expected KEY=V1,V2,... with a dotted config key, e.g. model.latent=2,4,8");
    expect(usageMessage(() => parseOver('model.latent=2,,4'))).toMatch(/^--over 'model.latent=2,,4': an empty value/);
    expect(usageMessage(() => parseOver('model.latent=2,2'))).toMatch(/a value is repeated/);
  });
});

describe('gridPoints', () => {
  it('crosses two axes, the first varying slowest, and sets each value in its run config', () => {
    const axes: Axis[] = [parseOver('model.kind=autoencoder,vae'), parseOver('model.latent=2,16')];
    const points = gridPoints(axes, base({ preset: 'mnist-vae', epochs: 2 }));
    expect(points.map((p) => p.name)).toEqual(['1-kind-autoencoder_latent-2', '2-kind-autoencoder_latent-16', '3-kind-vae_latent-2', '4-kind-vae_latent-16']);
    expect(points.map((p) => [p.config.model.kind, p.config.model.latent])).toEqual([['autoencoder', 2], ['autoencoder', 16], ['vae', 2], ['vae', 16]]);
    // Switching the kind keeps the preset's layers (as train --model does) and every run shares the flags.
    for (const p of points) {
      expect(p.config.model.encoder).toMatchObject({ hidden: [200] });
      expect(p.config.train.epochs).toBe(2);
      expect(p.config.preset).toBe('mnist-vae');
    }
  });

  it('names an unknown key, with the value, in one line before anything trains', () => {
    const message = usageMessage(() => gridPoints([parseOver('model.latnet=2,4')], base()));
    expect(message).toBe('--over model.latnet=2: model.latnet: unknown key; did you mean model.latent?');
    // A key of another model kind is unknown to this one.
    expect(usageMessage(() => gridPoints([parseOver('model.noise=0.5,1')], base({ preset: 'mnist-vae' })))).toMatch(/^--over model.noise=0.5: model.noise: unknown key/);
  });

  it('names a value the schema refuses, in one line', () => {
    const message = usageMessage(() => gridPoints([parseOver('model.latent=2,0')], base()));
    expect(message).toMatch(/^--over model.latent=0 \(model.latent\): Too small/);
    expect(message).not.toContain('\n');
    expect(usageMessage(() => gridPoints([parseOver('model.kind=vae,gan')], base()))).toMatch(/^--over model.kind=gan \(model.kind\)/);
    expect(usageMessage(() => gridPoints([parseOver('train.lr=0.001,fast')], base()))).toMatch(/^--over train.lr=fast \(train.lr\)/);
  });

  it('takes one or two axes of different keys', () => {
    const a = parseOver('model.latent=2,4');
    expect(usageMessage(() => gridPoints([], base()))).toMatch(/^--over: no axis given/);
    expect(usageMessage(() => gridPoints([a, a], base()))).toBe('--over model.latent: given twice; expected two different keys');
    expect(usageMessage(() => gridPoints([a, parseOver('model.beta=1,2'), parseOver('train.lr=0.1,0.2')], base()))).toMatch(/^--over: 3 axes given/);
  });
});

describe('sweep presets', () => {
  it('latent-size-study is the autoencoder and the VAE of mnist-vae over latent 2..64, every config valid', () => {
    const p = findSweepPreset('latent-size-study')!;
    const points = gridPoints(p.over, base({ preset: p.preset, epochs: p.epochs, limit: p.limit }));
    expect(points).toHaveLength(12);
    expect(new Set(points.map((q) => q.config.model.kind))).toEqual(new Set(['autoencoder', 'vae']));
    expect([...new Set(points.map((q) => q.config.model.latent))]).toEqual([2, 4, 8, 16, 32, 64]);
    expect(points.every((q) => q.config.data.name === 'mnist' && q.config.data.limit === 20000 && q.config.train.epochs === 3)).toBe(true);
  });

  it("poor-man-vs-vae sets seed 000's model beside a VAE of the same layers and likelihood", () => {
    const p = findSweepPreset('poor-man-vs-vae')!;
    const [poor, vae] = gridPoints(p.over, base({ preset: p.preset, epochs: p.epochs, limit: p.limit })).map((q) => q.config.model);
    expect([poor.kind, vae.kind]).toEqual(['poor-man-vae', 'vae']);
    expect(vae.encoder).toEqual(poor.encoder);
    expect(vae.decoder).toEqual(poor.decoder);
    expect(vae.likelihood).toEqual(poor.likelihood);
    expect(vae.latent).toBe(poor.latent);
  });

  it('every sweep preset names a run preset and resolves', () => {
    for (const p of SWEEP_PRESETS) expect(() => gridPoints(p.over, base({ preset: p.preset }))).not.toThrow();
  });
});
