import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { initBackend, Rng } from '../engine/index.js';
import { buildModel } from '../models/index.js';
import { exampleSize, loadDataset } from '../data/index.js';
import { train } from '../train/index.js';
import { checkTensorCountPerTest, expectNoLeak, tempDir } from '../../test/helpers.js';
import { DEFAULT_PRESET, findPreset, PRESETS } from './presets.js';
import { resolveConfig } from './resolve.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('presets');
afterAll(tmp.remove);

/** Parameters of a dense layer in -> out. */
const dense = (i: number, o: number) => i * o + o;

/** Trainable parameter counts from each seed's architecture as its description states it. */
const EXPECTED_PARAMS: Record<string, number> = {
  // 784-392(sigmoid)-10, decoder 10-392(sigmoid)-784
  'poor-man-vae': dense(784, 392) + dense(392, 10) + dense(10, 392) + dense(392, 784),
  // 784-20(ReLU, BatchNorm: gamma and beta)-(mean, logVar) 10, decoder 10-20-784
  'mnist-vae-bn': dense(784, 20) + 2 * 20 + 2 * dense(20, 10) + dense(10, 20) + dense(20, 784),
  // 2-128-128-(mean, logVar) 2, decoder 2-128 (linear), 128-128, 128-128, 128-2
  'swiss-roll-vae': dense(2, 128) + dense(128, 128) + 2 * dense(128, 2) + dense(2, 128) + 2 * dense(128, 128) + dense(128, 2),
  // 784-200(ReLU)-784
  'mnist-ae': dense(784, 200) + dense(200, 784),
  // 784-200-(mean, softplus variance) 10, decoder 10-200-784
  'mnist-vae': dense(784, 200) + 2 * dense(200, 10) + dense(10, 200) + dense(200, 784),
  // pytorch/examples: 784-400-(20, 20), decoder 20-400-784
  'mnist-vae-pytorch': dense(784, 400) + 2 * dense(400, 20) + dense(20, 400) + dense(400, 784),
  // Burda et al.: 784-200-200-(mean, logVar) 50, decoder 50-200-200-784
  'iwae-paper': dense(784, 200) + dense(200, 200) + 2 * dense(200, 50) + dense(50, 200) + dense(200, 200) + dense(200, 784),
  // keras.io VAE: conv 3x3 1->32, 32->64, dense 3136-16, heads 16-2; decoder 2-3136, transposed 3x3 64->64, 64->32, 32->1.
  // keras.io's model summaries: encoder 69,076 + decoder 65,089 = 134,165.
  'mnist-conv-vae': conv(1, 32) + conv(32, 64) + dense(7 * 7 * 64, 16) + 2 * dense(16, 2) + dense(2, 7 * 7 * 64) + conv(64, 64) + conv(64, 32) + conv(32, 1),
  'fashion-conv-vae': conv(1, 32) + conv(32, 64) + dense(7 * 7 * 64, 16) + 2 * dense(16, 2) + dense(2, 7 * 7 * 64) + conv(64, 64) + conv(64, 32) + conv(32, 1),
  // The same conv layers around a 16-value code.
  'mnist-conv-ae': conv(1, 32) + conv(32, 64) + dense(7 * 7 * 64, 16) + dense(16, 7 * 7 * 64) + conv(64, 64) + conv(64, 32) + conv(32, 1),
  // [x, onehot(y)] 794-512-(mean, logVar) 2, decoder [z, onehot(y)] 12-512-784
  'mnist-cvae': dense(794, 512) + 2 * dense(512, 2) + dense(12, 512) + dense(512, 784),
  // PyTorch-VAE's VanillaVAE on 64x64x1: convs 1-32-64-128-256-512 with BatchNorm (gamma, beta), a 2x2x512 map to the
  // heads (latent 10); decoder 10 -> 2x2x512, transposed 512-256-128-64-32-32 with BatchNorm, then 32 -> 1.
  'dsprites-conv-vae': vanilla(1, 10, 1),
  // The same on 64x64x3, latent 64, a learned-variance Gaussian (mean and log-variance per pixel: 6 output channels).
  'images64-conv-vae': vanilla(3, 64, 6),
  // Chen et al.'s dSprites MLP: 4096-1200-1200-(mean, logVar) 10, decoder 10-1200-1200-1200-4096
  'dsprites-beta-tcvae': dense(4096, 1200) + dense(1200, 1200) + 2 * dense(1200, 10) + dense(10, 1200) + 2 * dense(1200, 1200) + dense(1200, 4096),
  'dsprites-dip-vae': dense(4096, 1200) + dense(1200, 1200) + 2 * dense(1200, 10) + dense(10, 1200) + 2 * dense(1200, 1200) + dense(1200, 4096),
  // 784-400-(mean, logVar) 10, decoder 10-400-784
  'mnist-info-vae': dense(784, 400) + 2 * dense(400, 10) + dense(10, 400) + dense(400, 784),
  // deterministic codes: 784-400-8 and 784-400-16, decoders back
  'mnist-wae-mmd': dense(784, 400) + dense(400, 8) + dense(8, 400) + dense(400, 784),
  'mnist-rae': dense(784, 400) + dense(400, 16) + dense(16, 400) + dense(400, 784),
  // The discriminator is not part of the model; the codebook is not trained by the optimizer (EMA).
  'dsprites-factor-vae': dense(4096, 1200) + dense(1200, 1200) + 2 * dense(1200, 10) + dense(10, 1200) + 2 * dense(1200, 1200) + dense(1200, 4096),
  'mnist-vq-vae': dense(784, 400) + dense(400, 64) + dense(64, 400) + dense(400, 784),
  'mnist-rae-gp': dense(784, 400) + dense(400, 16) + dense(16, 400) + dense(400, 784),
  // Tomczak & Welling: 784-300-300-(mean, logVar) 40, decoder 40-300-300-784, and 500 pseudo-inputs of 784 values
  'mnist-vamp-prior': dense(784, 300) + dense(300, 300) + 2 * dense(300, 40) + dense(40, 300) + dense(300, 300) + dense(300, 784) + 500 * 784,
  // 784-400-(mean, logVar) 40, decoder 40-400-784, and 10 planar steps (u, w [40], b) or radial steps (z0 [40], alpha, beta)
  'mnist-planar-flow': dense(784, 400) + 2 * dense(400, 40) + dense(40, 400) + dense(400, 784) + 10 * (2 * 40 + 1),
  'mnist-radial-flow': dense(784, 400) + 2 * dense(400, 40) + dense(40, 400) + dense(400, 784) + 10 * (40 + 2),
  // 784-400-(mean, logVar, context) 32, decoder 32-400-784, 2 MADEs: z 32 and h 32 -> 128 -> m, s 32
  // Burda et al.'s two stochastic layers as their code builds them: 784-200-200-(mean, logVar) 100 and 100-100-100-(mean, logVar) 50; 50-100-100-(mean, logVar) 100 and 100-200-200-784
  'iwae-paper-2layer': dense(784, 200) + dense(200, 200) + 2 * dense(200, 100) + dense(100, 100) + dense(100, 100) + 2 * dense(100, 50) + dense(50, 100) + dense(100, 100) + 2 * dense(100, 100) + dense(100, 200) + dense(200, 200) + dense(200, 784),
  'iwae-paper-2layer-k50': dense(784, 200) + dense(200, 200) + 2 * dense(200, 100) + dense(100, 100) + dense(100, 100) + 2 * dense(100, 50) + dense(50, 100) + dense(100, 100) + 2 * dense(100, 100) + dense(100, 200) + dense(200, 200) + dense(200, 784),
  'mnist-iaf': dense(784, 400) + 3 * dense(400, 32) + dense(32, 400) + dense(400, 784) + 2 * (dense(32, 128) + 32 * 128 + 2 * dense(128, 32)),
};

/** VanillaVAE's trainable parameters for c input channels, a latent size and the output layer's channels. */
function vanilla(c: number, latent: number, out: number): number {
  const enc = [c, 32, 64, 128, 256, 512];
  const dec = [512, 256, 128, 64, 32, 32];
  let n = 0;
  for (let i = 1; i < enc.length; i++) n += conv(enc[i - 1], enc[i]) + 2 * enc[i];
  n += 2 * dense(2 * 2 * 512, latent) + dense(latent, 2 * 2 * 512);
  for (let i = 1; i < dec.length; i++) n += conv(dec[i - 1], dec[i]) + 2 * dec[i];
  return n + conv(32, out);
}

/** Each preset's example shape where it is not MNIST's. */
const SHAPES: Record<string, [number, number, number]> = { 'dsprites-conv-vae': [64, 64, 1], 'images64-conv-vae': [64, 64, 3], 'dsprites-beta-tcvae': [64, 64, 1], 'dsprites-dip-vae': [64, 64, 1], 'dsprites-factor-vae': [64, 64, 1] };

/** Parameters of a 3x3 convolution (or transposed convolution) in -> out channels. */
function conv(i: number, o: number): number {
  return 9 * i * o + o;
}

/**
 * Presets whose training is tested in their own files, built and counted only here: conv presets train at a few
 * examples/s on the cpu backend (src/models/conv-models.test.ts trains each for a short epoch; fashion-conv-vae's data
 * is not installed on this machine; src/native/conv-training.test.ts trains dsprites-conv-vae on the native backend;
 * images64-conv-vae needs a folder of images), src/models/cvae.test.ts trains mnist-cvae for 5 epochs on wasm, and
 * src/models/zoo.test.ts trains each zoo kind on small data (the dSprites presets' 4096-1200 MLPs and generated data
 * take minutes on the cpu backend; test/zoo-cli.test.ts trains the MNIST ones from the CLI).
 */
const TRAINED_ELSEWHERE = new Set([
  'mnist-conv-vae',
  'fashion-conv-vae',
  'mnist-conv-ae',
  'mnist-cvae',
  'dsprites-conv-vae',
  'images64-conv-vae',
  'dsprites-beta-tcvae',
  'dsprites-dip-vae',
  'mnist-info-vae',
  'mnist-wae-mmd',
  'mnist-rae',
  'dsprites-factor-vae',
  'mnist-vq-vae',
  'mnist-rae-gp',
  'mnist-vamp-prior',
  'mnist-planar-flow',
  'mnist-radial-flow',
  'mnist-iaf',
  'iwae-paper-2layer',
  'iwae-paper-2layer-k50',
]);

describe('presets', () => {
  it('one per seed system plus pytorch/examples, each described, the default among them', () => {
    expect(PRESETS.map((p) => p.name).sort()).toEqual(Object.keys(EXPECTED_PARAMS).sort());
    for (const p of PRESETS) expect(p.description.length).toBeGreaterThan(20);
    expect(findPreset(DEFAULT_PRESET)).toBeDefined();
  });

  // Each preset with its own architecture and hyper-parameters (lr, batch size, optimizer), on the first 600
  // training examples (100 test) for 3 epochs. mnist-vae-bn's batch of 1000 then means one step per epoch.
  for (const preset of PRESETS.filter((p) => TRAINED_ELSEWHERE.has(p.name))) {
    it(`${preset.name} builds with the parameters its source states`, () => {
      const config = resolveConfig({ preset: preset.name });
      const shape = SHAPES[preset.name] ?? [28, 28, 1];
      const model = buildModel(config.model, shape[0] * shape[1] * shape[2], new Rng(1), { inputShape: shape });
      const trainable = model.variables().filter((v) => v.trainable);
      expect(trainable.reduce((s, v) => s + v.variable.size, 0)).toBe(EXPECTED_PARAMS[preset.name]);
      expect(model.summary().reduce((s, r) => s + r.params, 0)).toBe(EXPECTED_PARAMS[preset.name]);
      model.dispose();
    });
  }

  for (const preset of PRESETS.filter((p) => !TRAINED_ELSEWHERE.has(p.name))) {
    it(`${preset.name} builds as its seed describes and trains with decreasing loss`, { timeout: 120_000 }, async () => {
      const config = resolveConfig({ preset: preset.name, overrides: { train: { epochs: 3 }, data: { limit: 600 } } });
      const dataset = loadDataset({ ...config.data, seed: config.train.seed });
      expect(dataset.train.n).toBe(600);
      const history = await expectNoLeak(async () => {
        const { model, history } = await train({ config, dataset, runDir: path.join(tmp.dir, preset.name), backend: 'cpu' });
        const trainable = model.variables().filter((v) => v.trainable);
        expect(trainable.reduce((s, v) => s + v.variable.size, 0)).toBe(EXPECTED_PARAMS[preset.name]);
        expect(model.summary().reduce((s, r) => s + r.params, 0)).toBe(EXPECTED_PARAMS[preset.name]);
        expect(model.inputDim).toBe(exampleSize(dataset));
        model.dispose();
        return history;
      });
      const [first, , last] = history;
      expect(history.every((h) => [h.train, h.test].every((t) => Number.isFinite(t.loss)))).toBe(true);
      expect(last.train.loss, `train loss by epoch: ${history.map((h) => h.train.loss.toFixed(2)).join(', ')}`).toBeLessThan(first.train.loss);
      expect(last.test.loss, `test loss by epoch: ${history.map((h) => h.test.loss.toFixed(2)).join(', ')}`).toBeLessThan(first.test.loss);
    });
  }
});
