import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import type { StatUpdate } from '../nn/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { buildModel } from './index.js';
import { klWeight } from '../train/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 6;
const B = 4;

// Smooth activations (tanh, elu, sigmoid), so that central differences never straddle a kink; between them the three
// models cover BatchNorm in training mode, dropout masks, both variance heads, the learned-variance Gaussian decoder,
// the poor man's batch anchor, and the fused matMul + bias of every Dense layer.
const MODELS = {
  'vae: BatchNorm before tanh, dropout, Bernoulli, beta 0.7': {
    kind: 'vae',
    latent: 2,
    beta: 0.7,
    encoder: { hidden: [5], activation: 'tanh', batchNorm: 'before' },
    decoder: { hidden: [5], activation: 'elu', dropout: 0.3 },
    likelihood: { kind: 'bernoulli' },
  },
  'vae: softplus head, learned-variance Gaussian': {
    kind: 'vae',
    latent: 2,
    variance: 'softplus',
    encoder: { hidden: [5], activation: 'elu' },
    decoder: { hidden: [5], activation: 'tanh' },
    likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'sigmoid' },
  },
  'poor-man-vae: batch anchor, squared error': {
    kind: 'poor-man-vae',
    latent: 2,
    encoder: { hidden: [5], activation: 'sigmoid' },
    decoder: { hidden: [5], activation: 'sigmoid' },
    likelihood: { kind: 'squared-error', meanActivation: 'sigmoid' },
  },
};

describe('model gradients against central finite differences', () => {
  /**
   * f = the sum of B = 4 losses (|f| < 40). h = 3e-3: float32 rounding in the difference is ~ulp(f)/(2h) < 1e-3, and
   * the truncation error h^2/6 |f'''| stays below that even through BatchNorm over 4 examples, whose curvature is
   * large (measured: worst relative error 0.015 at h = 3e-2, 3e-4 at h = 3e-3, 7e-4 at h = 1e-3 where rounding takes over).
   */
  const H = 3e-3;
  const TOL = 2e-3;

  for (const [name, raw] of Object.entries(MODELS)) {
    it(name, async () => {
      const model = buildModel(modelSchema.parse(raw), D, new Rng(1));
      const x = tf.tensor2d(new Rng(2).uniformArray(B * D), [B, D]);
      const trainable = model.variables().filter((v) => v.trainable);
      // Every evaluation replays the same noise and dropout masks from Rng(3), so the loss is a fixed function of the weights.
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
        for (const { name: vName, variable } of trainable) {
          const base = Float32Array.from(variable.dataSync());
          // Three entries per variable, spread over it.
          for (const i of new Set([0, Math.floor(base.length / 2), base.length - 1])) {
            const at = (delta: number) => {
              const v = Float64Array.from(base);
              v[i] += delta;
              tf.tidy(() => variable.assign(tf.tensor(Float32Array.from(v), variable.shape)));
              return tf.tidy(() => lossOf().dataSync()[0]);
            };
            // The perturbed weight is exactly representable: difference by the float32 values actually used.
            const hUp = Math.fround(base[i] + H) - base[i];
            const hDown = base[i] - Math.fround(base[i] - H);
            const numeric = (at(hUp) - at(-hDown)) / (hUp + hDown);
            tf.tidy(() => variable.assign(tf.tensor(base, variable.shape)));
            const g = analytic[vName][i];
            worst = Math.max(worst, Math.abs(g - numeric) / (1 + Math.abs(g)));
            expect(Math.abs(g - numeric), `${vName}[${i}]: autodiff ${g}, finite difference ${numeric}`).toBeLessThan(TOL * (1 + Math.abs(g)));
          }
        }
        // Most weights matter: the check is not passed by zeros.
        const nonZero = trainable.filter((v) => analytic[v.name].some((g) => Math.abs(g) > 1e-3)).length;
        expect(nonZero).toBeGreaterThanOrEqual(trainable.length - 1);
        expect(worst).toBeLessThan(TOL);
      });
      x.dispose();
      model.dispose();
    });
  }
});
