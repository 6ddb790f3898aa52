/** A conv VAE trains the same on the native backend as on tfjs's CPU backend, through the native conv kernels. */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, Rng } from '../engine/index.js';
import { resolveConfig } from '../config/index.js';
import { buildModel } from '../models/index.js';
import { Adam, klWeight, trainStep } from '../train/index.js';
import { addonLoads } from './addon.js';
import { loadDataset } from '../data/index.js';

const SHAPE = [20, 20, 1];
const D = 400;
const BATCH = 6;
const STEPS = 8;

/** The keras.io layout, smaller, with BatchNorm and leaky ReLU: every conv op, BatchNorm and activation gradient of training. */
function config() {
  const base = resolveConfig({ preset: 'mnist-conv-vae' });
  const conv = { kind: 'conv' as const, kernel: 3, stride: 2, activation: 'leakyRelu' as const, batchNorm: 'before' as const, hidden: [] };
  return { ...base.model, latent: 3, encoder: { ...conv, filters: [4, 8], hidden: [12] }, decoder: { ...conv, filters: [8, 4] } };
}

/** Seeded binary-ish batches, the same on every backend. */
function batches(): Float32Array[] {
  const rng = new Rng(5);
  return Array.from({ length: STEPS }, () => rng.uniformArray(BATCH * D, 0, 1).map((u) => (u < 0.3 ? 1 : 0)));
}

/** Per-step losses of a fresh model trained on `backend`, and the kernels one native step ran. */
async function run(backend: 'cpu' | 'native'): Promise<{ losses: number[]; kernels: string[] }> {
  await initBackend(backend);
  const before = tf.memory().numTensors;
  const rng = new Rng(1);
  const model = buildModel(config(), D, rng, { inputShape: SHAPE });
  const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const losses: number[] = [];
  let kernels: string[] = [];
  for (const [i, values] of batches().entries()) {
    const x = tf.tensor2d(values, [BATCH, D]);
    if (i === STEPS - 1 && backend === 'native') {
      const profile = await tf.profile(() => {
        losses.push(trainStep({ model, adam, x, rng, klWeight: klWeight(model.config, 'unscheduled') }).loss);
      });
      kernels = profile.kernels.map((k) => k.name);
    } else {
      losses.push(trainStep({ model, adam, x, rng, klWeight: klWeight(model.config, 'unscheduled') }).loss);
    }
    x.dispose();
  }
  adam.dispose();
  model.dispose();
  expect(tf.memory().numTensors, `${backend}: tensors left behind`).toBeLessThanOrEqual(before);
  return { losses, kernels };
}

describe.skipIf(!addonLoads())('conv VAE training on the native backend', () => {
  it('follows the cpu backend step by step (relative 1e-5) and runs the native conv, batch norm and activation-gradient kernels', async () => {
    const cpu = await run('cpu');
    const native = await run('native');
    // Float sums in another order (blocked GEMMs, two threads) differ by ~1e-7 relative per op, and Adam steps amplify
    // that: the curves agreed to 6e-8 relative over these steps when measured; 1e-5 leaves room for other CPUs.
    native.losses.forEach((l, i) => expect(Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i]), `step ${i}: ${l} vs ${cpu.losses[i]}`).toBeLessThan(1e-5));
    expect(cpu.losses.at(-1)!).toBeLessThan(cpu.losses[0]);
    for (const k of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'VaekitBatchNormTrain', 'VaekitBatchNormTrainGrad', 'VaekitLeakyReluGrad']) {
      expect(native.kernels, k).toContain(k);
    }
    // The portable filter gradient (pad, strided slices, stack) is not on the native path.
    expect(native.kernels).not.toContain('StridedSlice');
  });

  it('trains dsprites-conv-vae (the 64x64 VanillaVAE-style preset) on dSprites with a falling loss and no leak', async () => {
    await initBackend('native');
    const config = resolveConfig({ preset: 'dsprites-conv-vae' });
    const data = loadDataset({ ...config.data, limit: 96, seed: 1 });
    const before = tf.memory().numTensors;
    const rng = new Rng(1);
    const model = buildModel(config.model, 64 * 64, rng, { inputShape: data.shape });
    const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 2e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const batch = 16;
    const losses: number[] = [];
    for (let step = 0; step < 18; step++) {
      const i = step % (data.train.n / batch);
      const x = tf.tensor2d(data.train.x.subarray(i * batch * 4096, (i + 1) * batch * 4096), [batch, 4096]);
      losses.push(trainStep({ model, adam, x, rng, klWeight: klWeight(model.config, 'unscheduled') }).loss);
      x.dispose();
    }
    adam.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    // The first passes over the six batches against the last: the summed Bernoulli loss of a mostly black image falls fast.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-6))).toBeLessThan(0.5 * mean(losses.slice(0, 6)));
  });
});
