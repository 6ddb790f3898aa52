/**
 * The evaluation terms of the importance-weighted objectives (model.loss outside training) as one native log-weights
 * call (VaekitVaeLogWeights with per-sample outputs) against the tf-ops terms on tfjs's CPU backend: same model, same
 * noise, so the per-example loss, reconstruction and KL must agree to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../engine/tf.js';
import { initBackend } from '../engine/backend.js';
import { Rng } from '../engine/rng.js';
import { FUSED_LOG_WEIGHTS } from '../engine/fused.js';
import { modelSchema, type ModelConfig } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import { addonLoads } from './addon.js';

const D = 20;
const B = 6;

const vae = (objective: Record<string, unknown>): ModelConfig =>
  modelSchema.parse({ kind: 'vae', latent: 3, encoder: { hidden: [16, 12], activation: 'tanh' }, decoder: { hidden: [12, 16], activation: 'tanh' }, likelihood: { kind: 'bernoulli' }, objective });

const objectives: Record<string, unknown>[] = [
  { kind: 'iwae', k: 9 },
  { kind: 'miwae', k: 4, m: 3 },
  { kind: 'ciwae', k: 7, beta: 0.3 },
  { kind: 'piwae', k: 4, m: 2 },
];

/** The per-example evaluation terms of a fresh seeded model on `backend`, and whether the log-weights kernel ran. */
async function terms(backend: 'cpu' | 'native', config: ModelConfig): Promise<{ loss: Float32Array; reconstruction: Float32Array; kl: Float32Array; kernel: boolean }> {
  await initBackend(backend);
  const model = buildModel(config, D, new Rng(3));
  const x = tf.tensor2d(Float32Array.from(new Rng(4).uniformArray(B * D, 0, 1), (u) => (u < 0.4 ? 1 : 0)), [B, D]);
  const before = tf.memory().numTensors;
  let out: { loss: Float32Array; reconstruction: Float32Array; kl: Float32Array } = { loss: new Float32Array(), reconstruction: new Float32Array(), kl: new Float32Array() };
  const profile = await tf.profile(() => {
    const t = model.loss(x, { training: false, rng: new Rng(5), klWeight: { kind: 'beta', beta: 1 } });
    out = { loss: t.loss.dataSync() as Float32Array, reconstruction: t.reconstruction.dataSync() as Float32Array, kl: t.kl.dataSync() as Float32Array };
    tf.dispose([t.loss, t.reconstruction, t.kl]);
  });
  expect(tf.memory().numTensors, 'live tensors after the evaluation').toBe(before);
  x.dispose();
  model.dispose();
  return { ...out, kernel: profile.kernels.some((k) => k.name === FUSED_LOG_WEIGHTS) };
}

/** Two stochastic layers trained on the IWAE bound of `samples` draws: its KL term is sampled, not analytic. */
const hier = (samples: number): ModelConfig =>
  modelSchema.parse({ kind: 'hierarchical-vae', latent: 4, latent2: 3, encoder: { hidden: [16, 12], activation: 'tanh' }, decoder: { hidden: [12, 16], activation: 'tanh' }, upper: { hidden: [10, 8], activation: 'tanh' }, likelihood: { kind: 'bernoulli' }, samples });

const cases: [string, ModelConfig][] = [
  ...objectives.map((o): [string, ModelConfig] => [String(o.kind), vae(o)]),
  ['two stochastic layers, k = 1', hier(1)],
  ['two stochastic layers, k = 6', hier(6)],
];

describe.skipIf(!addonLoads())('importance-weighted evaluation terms on the native backend', () => {
  for (const [name, config] of cases) {
    it(`${name}: the tf-ops loss, reconstruction and KL per example, from one log-weights kernel`, async () => {
      const cpu = await terms('cpu', config);
      const native = await terms('native', config);
      expect(cpu.kernel).toBe(false);
      expect(native.kernel).toBe(true);
      for (const key of ['loss', 'reconstruction', 'kl'] as const) {
        expect(native[key].length).toBe(B);
        native[key].forEach((v, i) => expect(Math.abs(v - cpu[key][i]), `${key}, example ${i}: ${v} vs ${cpu[key][i]}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(cpu[key][i]))));
      }
    });
  }
});
