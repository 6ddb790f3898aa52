import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng, tf } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { ConvDecoder, ConvEncoder, type ConvSpec } from './conv.js';
import { klWeight } from '../train/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const spec: ConvSpec = { filters: [4, 8], kernel: 3, stride: 2, activation: 'relu', batchNorm: 'after', hidden: [6] };

describe('conv encoder and decoder shapes, from the data shape', () => {
  // [H, W, C], the feature map after two stride-2 convs (ceil halving), and the decoder's first map before cropping.
  const cases = [
    { shape: [28, 28, 1], down: [7, 7], up: [28, 28] },
    { shape: [32, 32, 3], down: [8, 8], up: [32, 32] },
    { shape: [20, 12, 1], down: [5, 3], up: [20, 12] },
    { shape: [27, 13, 2], down: [7, 4], up: [28, 16] }, // odd sizes: the decoder crops 28x16 to 27x13
  ];
  for (const { shape, down, up } of cases) {
    it(`[${shape.join(', ')}]`, async () => {
      const d = shape[0] * shape[1] * shape[2];
      const rng = new Rng(1);
      const enc = new ConvEncoder({ name: 'encoder', inputShape: shape, spec, rng });
      const dec = new ConvDecoder({ name: 'decoder', latent: 3, outputShape: shape, groups: 1, spec: { ...spec, filters: [8, 4] }, rng });
      expect(enc.outDim).toBe(6);
      expect(enc.summary().find((r) => r.name === 'encoder.conv1')!.outputShape).toEqual([-1, ...down, 8]);
      expect(dec.summary().find((r) => r.name === 'decoder.out')!.outputShape).toEqual([-1, ...up, shape[2]]);
      expect(dec.outDim).toBe(d);
      await expectNoLeak(() => {
        const ctx = { training: true, rng: new Rng(2), updates: [] as { value: tf.Tensor }[] };
        const x = tf.tensor2d(new Rng(3).uniformArray(5 * d), [5, d]);
        const h = enc.apply(x, ctx as never);
        const z = tf.slice(h, [0, 0], [5, 3]) as tf.Tensor2D; // [B, 3]: a code for the decoder
        const y = dec.apply(z, ctx as never);
        expect(h.shape).toEqual([5, 6]);
        expect(y.shape).toEqual([5, d]);
        // Two BatchNorm layers in each of encoder and decoder pushed their running mean and variance.
        expect(ctx.updates.length).toBe(8);
        tf.dispose([x, h, z, y, ...ctx.updates.map((u) => u.value)]);
      });
      tf.dispose([...enc.variables(), ...dec.variables()].map((v) => v.variable));
    });
  }

  it('a whole conv VAE: encode [B, L], learned-variance output [B, 2D], decode, sample and reconstruct [B, D]', async () => {
    const shape = [20, 12, 1];
    const d = 240;
    const config = modelSchema.parse({
      kind: 'vae',
      latent: 2,
      encoder: { kind: 'conv', filters: [4, 8], hidden: [16] },
      decoder: { kind: 'conv', filters: [8, 4] },
      likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'sigmoid' },
    });
    const model = buildModel(config, d, new Rng(1), { inputShape: shape });
    await expectNoLeak(() => {
      const x = tf.tensor2d(new Rng(3).uniformArray(3 * d), [3, d]);
      const { mean, logVar } = model.encode(x);
      const out = model.decoderOutput(mean);
      const [xRecon, samples] = [model.reconstruct(x), model.sample(4, new Rng(5))];
      const terms = model.loss(x, { training: true, rng: new Rng(6), klWeight: klWeight(model.config, 'unscheduled') });
      expect([mean.shape, logVar!.shape, out.shape, xRecon.shape, samples.shape]).toEqual([[3, 2], [3, 2], [3, 2 * d], [3, d], [4, d]]);
      expect(terms.loss.shape).toEqual([3]);
      expect(Number.isFinite(terms.loss.dataSync()[0])).toBe(true);
      tf.dispose([x, mean, logVar!, out, xRecon, samples, terms.loss, terms.reconstruction, terms.kl]);
    });
    model.dispose();
  });

  it('refuses a conv block on data that is not [H, W, C], and an inputShape that does not match inputDim', () => {
    const config = modelSchema.parse({ kind: 'autoencoder', latent: 2, encoder: { kind: 'conv', filters: [4] }, decoder: {}, likelihood: { kind: 'bernoulli' } });
    expect(() => buildModel(config, 6, new Rng(1))).toThrow(/model\.encoder: a conv encoder needs image data of shape \[H, W, C\]; this data's examples have shape \[6\]/);
    expect(() => buildModel(config, 6, new Rng(1), { inputShape: [2, 2, 1] })).toThrow(/inputShape \[2, 2, 1\] holds 4 values, but inputDim is 6/);
  });

  it('old configs without an encoder kind still parse as MLPs', () => {
    const config = modelSchema.parse({ kind: 'vae', latent: 2, encoder: { hidden: [4] }, decoder: {}, likelihood: { kind: 'bernoulli' } });
    expect(config.encoder).toEqual({ kind: 'mlp', hidden: [4], activation: 'relu', batchNorm: 'none', dropout: 0 });
    expect(modelSchema.safeParse({ kind: 'vae', latent: 2, encoder: { kind: 'conv' }, decoder: {}, likelihood: { kind: 'bernoulli' } }).success).toBe(false);
  });
});
