/** The importance-sampled NLL as one native call per chunk (VaekitVaeLogWeights) against the tf-ops estimate on the cpu backend. */
import { describe, expect, it } from 'vitest';
import { tf } from '../engine/tf.js';
import { initBackend } from '../engine/backend.js';
import { Rng } from '../engine/rng.js';
import { FUSED_LOG_WEIGHTS } from '../engine/fused.js';
import { modelSchema, type ModelConfig } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import { estimateNll } from '../evaluate/index.js';
import { addonLoads } from './addon.js';

const D = 24;
const N = 7;

const configs: [string, ModelConfig][] = [
  ['tanh, two layers each side (Burda et al.)', modelSchema.parse({ kind: 'vae', latent: 4, encoder: { hidden: [16, 12], activation: 'tanh' }, decoder: { hidden: [12, 16], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } })],
  ['two stochastic layers (its own log-weights)', modelSchema.parse({ kind: 'hierarchical-vae', latent: 4, latent2: 3, encoder: { hidden: [16, 12], activation: 'tanh' }, decoder: { hidden: [12, 16], activation: 'tanh' }, upper: { hidden: [10, 8], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } })],
  ['softplus variance head, no hidden layers', modelSchema.parse({ kind: 'vae', latent: 3, variance: 'softplus', encoder: { hidden: [] }, decoder: { hidden: [] }, likelihood: { kind: 'bernoulli' } })],
];

/** log p(x_i) estimates of a fresh seeded model on `backend`, and whether the native kernel ran. */
async function estimate(backend: 'cpu' | 'native', config: ModelConfig, maxRows: number): Promise<{ logPx: Float64Array; kernel: boolean }> {
  await initBackend(backend);
  const model = buildModel(config, D, new Rng(3));
  const x = Float32Array.from(new Rng(4).uniformArray(N * D, 0, 1), (u) => (u < 0.4 ? 1 : 0));
  const before = tf.memory().numTensors;
  let logPx: Float64Array = new Float64Array(0);
  const profile = await tf.profile(() => {
    logPx = estimateNll({ model, x, k: 37, rng: new Rng(5), batchSize: 3, maxRows }).logPx;
  });
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
  return { logPx, kernel: profile.kernels.some((k) => k.name === FUSED_LOG_WEIGHTS) };
}

describe.skipIf(!addonLoads())('importance-sampled NLL on the native backend', () => {
  for (const [name, config] of configs) {
    it(`${name}: the same log p(x) per example as the tf-ops estimate, in chunks or not, and the native kernel ran`, async () => {
      for (const maxRows of [10, 5000]) {
        const cpu = await estimate('cpu', config, maxRows);
        const native = await estimate('native', config, maxRows);
        expect(cpu.kernel).toBe(false);
        expect(native.kernel).toBe(true);
        // Same noise, the same sums in another order (float32 products, float64 log-sum-exp): 1e-5 relative.
        native.logPx.forEach((v, i) => expect(Math.abs(v - cpu.logPx[i]), `example ${i}: ${v} vs ${cpu.logPx[i]}`).toBeLessThan(1e-5 * Math.abs(cpu.logPx[i])));
      }
    });
  }
});
