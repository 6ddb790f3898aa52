import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { resolveConfig } from '../config/index.js';
import { exampleSize, loadDataset } from '../data/index.js';
import { evaluateSplit, klWeight, train } from '../train/index.js';
import type { StatUpdate } from '../nn/index.js';
import { checkTensorCountPerTest, expectNoLeak, tempDir } from '../../test/helpers.js';
import { buildModel } from './index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('conv-models');
afterAll(tmp.remove);

// Odd image sizes, so the stride-2 'same' padding is uneven and the decoder crops; smooth activations, so central
// differences never straddle a kink.
const MODELS = {
  'conv vae [5, 3, 2]: BatchNorm before tanh, learned-variance Gaussian (crop and channel-group transpose)': {
    shape: [5, 3, 2],
    model: {
      kind: 'vae',
      latent: 2,
      encoder: { kind: 'conv', filters: [3], kernel: 3, activation: 'tanh', batchNorm: 'before', hidden: [4] },
      decoder: { kind: 'conv', filters: [3], kernel: 3, activation: 'tanh' },
      likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'sigmoid' },
    },
  },
  'conv autoencoder [7, 6, 1]: two stride-2 layers, kernel 2 and elu, Bernoulli': {
    shape: [7, 6, 1],
    model: {
      kind: 'autoencoder',
      latent: 3,
      encoder: { kind: 'conv', filters: [2, 3], kernel: 2, activation: 'elu' },
      decoder: { kind: 'conv', filters: [3, 2], kernel: 2, activation: 'elu', hidden: [4] },
      likelihood: { kind: 'bernoulli' },
    },
  },
};

describe('conv model gradients against central finite differences', () => {
  /** As in gradients.test.ts: f = the sum of B = 4 losses, float32, h = 3e-3, tolerance relative to 1 + |g|. */
  const H = 3e-3;
  const TOL = 2e-3;
  const B = 4;

  for (const [name, { shape, model: raw }] of Object.entries(MODELS)) {
    it(name, async () => {
      const d = shape[0] * shape[1] * shape[2];
      const model = buildModel(modelSchema.parse(raw), d, new Rng(1), { inputShape: shape });
      const x = tf.tensor2d(new Rng(2).uniformArray(B * d), [B, d]);
      const trainable = model.variables().filter((v) => v.trainable);
      const lossOf = () => {
        const updates: StatUpdate[] = [];
        const loss = tf.sum(model.loss(x, { training: true, rng: new Rng(3), updates, klWeight: klWeight(model.config, 'unscheduled') }).loss) as tf.Scalar;
        tf.dispose(updates.map((u) => u.value));
        return loss;
      };
      await expectNoLeak(() => {
        const analytic = tf.tidy(() => {
          const { grads } = tf.variableGrads(lossOf, trainable.map((v) => v.variable));
          return Object.fromEntries(trainable.map((v) => [v.name, Float32Array.from(grads[v.variable.name].dataSync())]));
        });
        let worst = 0;
        let checked = 0;
        for (const { name: vName, variable } of trainable) {
          const base = Float32Array.from(variable.dataSync());
          // Five entries per variable, spread over it (kernels: different taps and channels).
          for (const i of new Set([0, Math.floor(base.length / 4), Math.floor(base.length / 2), Math.floor((3 * base.length) / 4), base.length - 1])) {
            const at = (delta: number) => {
              const v = Float64Array.from(base);
              v[i] += delta;
              tf.tidy(() => variable.assign(tf.tensor(Float32Array.from(v), variable.shape)));
              return tf.tidy(() => lossOf().dataSync()[0]);
            };
            const hUp = Math.fround(base[i] + H) - base[i];
            const hDown = base[i] - Math.fround(base[i] - H);
            const numeric = (at(hUp) - at(-hDown)) / (hUp + hDown);
            tf.tidy(() => variable.assign(tf.tensor(base, variable.shape)));
            const g = analytic[vName][i];
            worst = Math.max(worst, Math.abs(g - numeric) / (1 + Math.abs(g)));
            checked++;
            expect(Math.abs(g - numeric), `${vName}[${i}]: autodiff ${g}, finite difference ${numeric}`).toBeLessThan(TOL * (1 + Math.abs(g)));
          }
        }
        const nonZero = trainable.filter((v) => analytic[v.name].some((g) => Math.abs(g) > 1e-3)).length;
        expect(nonZero).toBeGreaterThanOrEqual(trainable.length - 1);
        expect(checked).toBeGreaterThan(30);
        expect(worst).toBeLessThan(TOL);
      });
      x.dispose();
      model.dispose();
    });
  }
});

describe('conv presets train', () => {
  // The cpu backend trains these at ~3-8 examples/s on 2 vCPUs (see conv-ops.ts), so the epoch is short: a 60-digit
  // slice (48 train, 12 test), batch 16, 3 Adam steps at the preset's lr.
  for (const preset of ['mnist-conv-vae', 'mnist-conv-ae']) {
    it(`${preset}: one short epoch lowers the test loss`, { timeout: 90_000 }, async () => {
      const config = resolveConfig({ preset, overrides: { data: { name: 'mnist', limit: 60 }, train: { epochs: 1, batchSize: 16 }, backend: 'cpu' } });
      const dataset = loadDataset({ name: 'mnist', limit: 60, seed: 1, testFraction: 0.2 });
      const d = exampleSize(dataset);
      // The same seed builds the same initial weights train() starts from.
      const fresh = buildModel(config.model, d, new Rng(config.train.seed), { inputShape: dataset.shape });
      const before = evaluateSplit({ model: fresh, split: dataset.test, d, seed: 'before', klWeight: klWeight(fresh.config, 'unscheduled') });
      fresh.dispose();
      const { model, history } = await train({ config, dataset, runDir: path.join(tmp.dir, preset), backend: 'cpu' });
      const after = history[0].test;
      expect(model.graph().encoder[0]).toEqual({ op: 'reshape', shape: [28, 28, 1] });
      model.dispose();
      console.log(`${preset}: test loss ${before.loss.toFixed(1)} -> ${after.loss.toFixed(1)} after 3 steps, ${history[0].samplesPerSecond.toFixed(0)} samples/s (cpu)`);
      expect(after.loss).toBeLessThan(before.loss);
    });
  }

  it('fashion-conv-vae is mnist-conv-vae on Fashion-MNIST (not installed here, so its training is the case above)', () => {
    const fashion = resolveConfig({ preset: 'fashion-conv-vae' });
    const mnist = resolveConfig({ preset: 'mnist-conv-vae' });
    expect(fashion.model).toEqual(mnist.model);
    expect([fashion.data.name, fashion.train]).toEqual(['fashion-mnist', mnist.train]);
  });
});
