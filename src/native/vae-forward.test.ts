/**
 * The forward-pass kernel (VaekitVaeForward) against the tf-ops forward pass on tfjs's CPU backend: the same model
 * (same seed), the same batch and the same draws, so reconstructions, sampled forward passes and evaluation losses
 * must agree to float32 rounding. Skipped when the addon is not built.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tf } from '../engine/tf.js';
import { initBackend } from '../engine/backend.js';
import { Rng } from '../engine/rng.js';
import { FUSED_VAE_FORWARD } from '../engine/fused.js';
import { modelSchema, type ModelConfig } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import { forward } from '../models/index.js';
import { klWeight } from '../train/index.js';
import type { KlWeight } from '../objectives/index.js';
import { addonLoads } from './addon.js';

const available = addonLoads();

const vae = (extra: Record<string, unknown>): ModelConfig =>
  modelSchema.parse({ kind: 'vae', latent: 3, encoder: { hidden: [24] }, decoder: { hidden: [20] }, likelihood: { kind: 'bernoulli' }, ...extra });

const D = 30;
const B = 17; // not a multiple of any tile

interface Pass {
  outputs: Float32Array[];
  fusedCalls: number;
}

/** Every forward-pass output of a fresh `config` model on `backend`, and how many times the fused kernel ran. */
async function run(backend: 'cpu' | 'native', config: ModelConfig, weight?: KlWeight): Promise<Pass> {
  await initBackend(backend);
  const model = buildModel(config, D, new Rng(7));
  const data = new Rng(11);
  const x = tf.tensor2d(Float32Array.from(data.uniformArray(B * D, 0, 1), (u) => (u > 0.6 ? 1 : u)), [B, D]);
  const spy = vi.spyOn(tf.engine(), 'runKernel');
  const before = tf.memory().numTensors;
  const rng = new Rng(5);
  const recon = model.reconstruct(x);
  const pass = forward(model, x, rng);
  const terms = model.loss(x, { training: false, rng, klWeight: weight ?? klWeight(model.config, 'unscheduled') });
  const all = [recon, pass.recon, pass.mean, pass.logVar, terms.loss, terms.reconstruction, terms.kl];
  const outputs = all.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(all);
  expect(tf.memory().numTensors, 'live tensors after the passes').toBe(before);
  const fusedCalls = spy.mock.calls.filter(([name]) => name === FUSED_VAE_FORWARD).length;
  spy.mockRestore();
  x.dispose();
  model.dispose();
  return { outputs, fusedCalls };
}

const NAMES = ['reconstruct', 'forward recon', 'forward mean', 'forward logVar', 'eval loss', 'eval reconstruction', 'eval kl'];

function expectClose(native: Pass, cpu: Pass, tolerance: number): void {
  native.outputs.forEach((values, i) => {
    expect(values.length, NAMES[i]).toBe(cpu.outputs[i].length);
    let worst = 0;
    values.forEach((v, j) => {
      const ref = cpu.outputs[i][j];
      worst = Math.max(worst, Math.abs(v - ref) / Math.max(1, Math.abs(ref)));
    });
    expect(worst, NAMES[i]).toBeLessThan(tolerance);
  });
}

describe.skipIf(!available)('forward-pass kernel (native)', () => {
  let previous: string;
  beforeAll(() => {
    previous = tf.getBackend();
  });
  afterAll(async () => {
    await initBackend(previous as 'native');
  });

  const cases: [string, ModelConfig, KlWeight?][] = [
    ['log-variance head, ReLU (pytorch/examples)', vae({ variance: 'logVar', encoder: { hidden: [24], activation: 'relu' } })],
    ['softplus variance head (seed 004)', vae({ variance: 'softplus' })],
    ['one activation of each kind', vae({ encoder: { hidden: [24, 16, 12], activation: ['leakyRelu', 'sigmoid', 'elu'] }, decoder: { hidden: [12, 18], activation: ['softplus', 'tanh'] } })],
    ['no hidden layers', vae({ encoder: { hidden: [] }, decoder: { hidden: [] } })],
    ['beta 4 from the schedule', vae({}), { kind: 'beta', beta: 4 }],
  ];
  for (const [name, config, weight] of cases) {
    it(`${name}: reconstruct, forward and the evaluation loss match the tf-ops pass on the CPU backend`, async () => {
      const cpu = await run('cpu', config, weight);
      const native = await run('native', config, weight);
      expect(cpu.fusedCalls).toBe(0);
      expect(native.fusedCalls).toBe(3);
      // The loss terms really depend on the inputs: a sanity floor against a kernel that writes zeros.
      expect(Math.min(...native.outputs[5])).toBeGreaterThan(1);
      expectClose(native, cpu, 1e-5);
    });
  }

  it('an IWAE model reconstructs and forwards through the kernel, and evaluates its bound with tf ops', async () => {
    const config = vae({ objective: { kind: 'iwae', k: 3 } });
    const cpu = await run('cpu', config);
    const native = await run('native', config);
    expect(native.fusedCalls).toBe(2);
    expectClose(native, cpu, 1e-5);
  });

  it('a capacity schedule evaluates with tf ops (its penalty is a batch term)', async () => {
    const config = vae({});
    const cpu = await run('cpu', config, { kind: 'capacity', gamma: 2, capacity: 3 });
    const native = await run('native', config, { kind: 'capacity', gamma: 2, capacity: 3 });
    expect(native.fusedCalls).toBe(2);
    expectClose(native, cpu, 1e-5);
  });

  it('is not used for BatchNorm, dropout or a Gaussian likelihood', async () => {
    for (const config of [vae({ encoder: { hidden: [8], batchNorm: 'after' } }), vae({ decoder: { hidden: [8], dropout: 0.2 } }), vae({ likelihood: { kind: 'gaussian', variance: 1 } })]) {
      const native = await run('native', config);
      expect(native.fusedCalls, JSON.stringify(config)).toBe(0);
    }
  });
});
