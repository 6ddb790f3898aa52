/**
 * The whole-step kernel (VaekitElboStep) against the tf-ops training step on tfjs's CPU backend: same model, same
 * seed, same batches, so the two loss curves and the final weights must agree to float32 rounding. Skipped when the
 * addon is not built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../engine/tf.js';
import { initBackend } from '../engine/backend.js';
import { Rng } from '../engine/rng.js';
import { modelSchema, type ModelConfig } from '../config/schema.js';
import { buildModel, fusedElboSpec } from '../models/index.js';
import { Adam, klWeight, trainStep } from '../train/index.js';
import { addonLoads, loadAddon } from './addon.js';
import { FUSED_ELBO_STEP } from '../engine/fused.js';

const available = addonLoads();

const vae = (extra: Record<string, unknown>): ModelConfig =>
  modelSchema.parse({ kind: 'vae', latent: 3, encoder: { hidden: [24] }, decoder: { hidden: [20] }, likelihood: { kind: 'bernoulli' }, ...extra });

/** Burda et al.'s two-stochastic-layer model at test size: z1 of 4, z2 of 3, tanh MLPs. */
const hier = (extra: Record<string, unknown>): ModelConfig =>
  modelSchema.parse({ kind: 'hierarchical-vae', latent: 4, latent2: 3, encoder: { hidden: [16, 12], activation: 'tanh' }, decoder: { hidden: [12, 16], activation: 'tanh' }, upper: { hidden: [10, 8], activation: 'tanh' }, likelihood: { kind: 'bernoulli' }, ...extra });

const D = 30;
const BATCH = 16;
const STEPS = 12;

/** beta: a fixed KL weight; denoise: the encoder sees a corrupted copy; batch: examples per step (default 16). */
interface RunOptions {
  beta?: number;
  denoise?: boolean;
  batch?: number;
}

interface Run {
  losses: number[][];
  weights: Float32Array[];
  used: boolean;
}

/** Trains `config` for STEPS steps on a fixed binary batch on `backend`; `used` says whether the whole-step kernel ran (its last step, profiled). */
async function run(backend: 'cpu' | 'native', config: ModelConfig, opts: RunOptions = {}): Promise<Run> {
  await initBackend(backend);
  const B = opts.batch ?? BATCH;
  const rng = new Rng(7);
  const model = buildModel(config, D, rng);
  const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 3e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const data = new Rng(11);
  const x = tf.tensor2d(Float32Array.from(data.uniformArray(B * D, 0, 1), (u) => (u > 0.6 ? 1 : 0)), [B, D]);
  const input = opts.denoise ? tf.tensor2d(Float32Array.from(x.dataSync(), (v, i) => (i % 5 === 0 ? 0 : v)), [B, D]) : undefined;
  const before = tf.memory().numTensors;
  const losses: number[][] = [];
  let used = false;
  for (let i = 0; i < STEPS; i++) {
    // Reading a weight out (as a checkpoint does) makes the kernel write new arrays for one step instead of in place.
    if (i === STEPS / 2) model.variables()[0].variable.dataSync();
    const step = () => trainStep({ model, adam, x, rng, ...(input && { input }), klWeight: opts.beta !== undefined ? { kind: 'beta', beta: opts.beta } : klWeight(model.config, 'unscheduled') });
    let t: ReturnType<typeof step> | undefined;
    if (i === STEPS - 1) {
      // The last step under the profiler: which kernels really ran.
      const profile = await tf.profile(() => {
        t = step();
      });
      used = profile.kernels.some((k) => k.name === FUSED_ELBO_STEP);
    } else {
      t = step();
    }
    losses.push([t!.loss, t!.reconstruction, t!.kl]);
  }
  expect(tf.memory().numTensors, 'live tensors after training').toBe(before);
  const weights = model.variables().map((v) => Float32Array.from(v.variable.dataSync()));
  tf.dispose([x, ...(input ? [input] : [])]);
  model.dispose();
  adam.dispose();
  return { losses, weights, used };
}

function expectClose(native: Run, cpu: Run, tolerance: number): void {
  native.losses.forEach((terms, i) => terms.forEach((v, k) => expect(Math.abs(v - cpu.losses[i][k]), `step ${i} term ${k}`).toBeLessThan(tolerance * Math.max(1, Math.abs(cpu.losses[i][k])))));
  native.weights.forEach((w, i) => {
    let worst = 0;
    let scale = 0;
    w.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - cpu.weights[i][j]));
      scale = Math.max(scale, Math.abs(cpu.weights[i][j]));
    });
    expect(worst / scale, `weight ${i}`).toBeLessThan(tolerance);
  });
}

describe.skipIf(!available)('whole-step training kernel (native)', () => {
  let previous: string;
  beforeAll(() => {
    previous = tf.getBackend();
  });
  afterAll(async () => {
    await initBackend(previous as 'native');
  });

  const cases: [string, ModelConfig, RunOptions?][] = [
    ['log-variance head, ReLU (pytorch/examples)', vae({ variance: 'logVar', encoder: { hidden: [24], activation: 'relu' } })],
    ['softplus variance head (seed 004)', vae({ variance: 'softplus' })],
    ['two tanh layers each side (Burda et al.)', vae({ encoder: { hidden: [24, 16], activation: 'tanh' }, decoder: { hidden: [16, 24], activation: 'tanh' } })],
    ['one activation of each kind', vae({ encoder: { hidden: [24, 16, 12], activation: ['leakyRelu', 'sigmoid', 'elu'] }, decoder: { hidden: [12, 18], activation: ['softplus', 'linear'] } })],
    ['no hidden layers', vae({ encoder: { hidden: [] }, decoder: { hidden: [] } })],
    ['beta 4 from the schedule', vae({}), { beta: 4 }],
    ['denoising: encoder input differs from the target', vae({ variance: 'softplus' }), { denoise: true }],
    ['the IWAE bound, k = 5', vae({ objective: { kind: 'iwae', k: 5 } })],
    ['the IWAE bound, k = 50, tanh (Burda et al.)', vae({ objective: { kind: 'iwae', k: 50 }, encoder: { hidden: [24, 16], activation: 'tanh' }, decoder: { hidden: [16, 24], activation: 'tanh' } })],
    ['the IWAE bound, k = 3, softplus head, no hidden layers, denoising', vae({ objective: { kind: 'iwae', k: 3 }, variance: 'softplus', encoder: { hidden: [] }, decoder: { hidden: [] } }), { denoise: true }],
    ['MIWAE, 4 groups of k = 3', vae({ objective: { kind: 'miwae', k: 3, m: 4 } })],
    ['MIWAE, 8 groups of k = 8, tanh (Rainforth et al.)', vae({ objective: { kind: 'miwae', k: 8, m: 8 }, encoder: { hidden: [24, 16], activation: 'tanh' }, decoder: { hidden: [16, 24], activation: 'tanh' } })],
    ['CIWAE, k = 5, beta 0.5', vae({ objective: { kind: 'ciwae', k: 5, beta: 0.5 } })],
    ['CIWAE, k = 7, beta 0.9, softplus head, denoising', vae({ objective: { kind: 'ciwae', k: 7, beta: 0.9 }, variance: 'softplus' }), { denoise: true }],
    ['PIWAE, 4 groups of k = 3', vae({ objective: { kind: 'piwae', k: 3, m: 4 } })],
    ['two stochastic layers, the ELBO (k = 1)', hier({ samples: 1 })],
    ['two stochastic layers, the IWAE bound, k = 5', hier({ samples: 5 })],
    ['two stochastic layers, k = 50 (Burda et al.)', hier({ samples: 50 })],
    ['two stochastic layers, k = 3, softplus head, ReLU, upper networks without hidden layers, denoising', hier({ samples: 3, variance: 'softplus', encoder: { hidden: [16], activation: 'relu' }, upper: { hidden: [] } }), { denoise: true }],
    ['two stochastic layers, k = 4, one activation of each kind above', hier({ samples: 4, upper: { hidden: [10, 9, 8], activation: ['leakyRelu', 'elu', 'softplus'] } })],
    ['PIWAE, k = 1 (the encoder on the ELBO), 5 samples, tanh', vae({ objective: { kind: 'piwae', k: 1, m: 5 }, encoder: { hidden: [24, 16], activation: 'tanh' }, decoder: { hidden: [16, 24], activation: 'tanh' } })],
    // The IWAE step splits the batch's examples into two halves: with one example the first half is empty.
    ['the IWAE bound, k = 1, a batch of one example', vae({ objective: { kind: 'iwae', k: 1 } }), { batch: 1 }],
    ['the IWAE bound, k = 2, a batch of one example', vae({ objective: { kind: 'iwae', k: 2 } }), { batch: 1 }],
    ['PIWAE, 3 groups of k = 3, a batch of three', vae({ objective: { kind: 'piwae', k: 3, m: 3 } }), { batch: 3 }],
    ['two stochastic layers, k = 5, a batch of one example', hier({ samples: 5 }), { batch: 1 }],
  ];
  for (const [name, config, opts] of cases) {
    it(`${name}: the same loss curve and weights as the tf-ops step on the CPU backend`, async () => {
      const cpu = await run('cpu', config, opts);
      const native = await run('native', config, opts);
      expect(native.used).toBe(true);
      expect(native.losses[STEPS - 1][0]).toBeLessThan(native.losses[0][0]);
      expectClose(native, cpu, 2e-5);
    });
  }

  // The IWAE and two-layer steps' two halves of the batch are fixed (not one per thread) and their gradients summed in
  // one order, so one thread or the whole pool gives the same weights to the last bit.
  const threadCases: [string, ModelConfig][] = [
    ['the IWAE step', vae({ objective: { kind: 'iwae', k: 50 }, encoder: { hidden: [24, 16], activation: 'tanh' }, decoder: { hidden: [16, 24], activation: 'tanh' } })],
    ['the two-layer step', hier({ samples: 50 })],
  ];
  for (const [name, config] of threadCases) {
    it(`${name} gives the same numbers on one thread as on the pool`, async () => {
      const addon = loadAddon();
      const pool = addon.info().poolSize;
      const all = await run('native', config);
      addon.setThreads(1);
      try {
        const one = await run('native', config);
        expect(one.losses).toEqual(all.losses);
        one.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(all.weights[i].buffer)), `weight ${i}`).toBe(true));
      } finally {
        addon.setThreads(pool);
      }
    });
  }

  it('is not offered where its loss would differ: BatchNorm, dropout, Gaussian likelihood, mean reduction', () => {
    const rng = new Rng(1);
    const others = [
      vae({ encoder: { hidden: [8], batchNorm: 'after' } }),
      hier({ upper: { hidden: [8], batchNorm: 'after' } }),
      hier({ upper: { hidden: [8], dropout: 0.2 } }),
      vae({ decoder: { hidden: [8], dropout: 0.2 } }),
      vae({ likelihood: { kind: 'gaussian', variance: 1 } }),
      vae({ reconstructionReduction: 'mean' }),
    ];
    for (const config of others) {
      const model = buildModel(config, D, rng);
      expect(fusedElboSpec(model), JSON.stringify(config)).toBeUndefined();
      model.dispose();
    }
  });
});
