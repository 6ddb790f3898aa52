/**
 * The whole-step kernel with a penalty on the codes (beta-TCVAE, FactorVAE, DIP-VAE; src/models/fast-paths.ts,
 * codePenaltyStep) against the kinds' own tf-ops step on tfjs's CPU backend: same model, seed, batch and noise, so the
 * updated weights and reported terms must agree to float32 rounding; and `train()` must reach the kernel for these
 * kinds. Skipped when the addon is not built.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../engine/tf.js';
import { initBackend } from '../engine/backend.js';
import { Rng } from '../engine/rng.js';
import { FUSED_ELBO_STEP } from '../engine/fused.js';
import { modelSchema, resolveConfig, type ModelConfig } from '../config/index.js';
import { loadDataset } from '../data/index.js';
import { buildModel, type Model } from '../models/index.js';
import { Adam, auxiliaryStep, train, trainStep } from '../train/index.js';
import { tempDir } from '../../test/helpers.js';
import { addonLoads } from './addon.js';

const available = addonLoads();

const D = 20;
const B = 12;
const STEPS = 12;

/** A 20-16-8 encoder to a latent of 3 and an 8-16 decoder, Bernoulli: the architecture the kernel runs. */
const net = { latent: 3, encoder: { hidden: [16, 8], activation: 'relu' }, decoder: { hidden: [8, 16], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } };
const config = (extra: Record<string, unknown>): ModelConfig => modelSchema.parse({ ...net, ...extra });

const KINDS: [string, Record<string, unknown>][] = [
  ['beta-TCVAE, minibatch stratified sampling', { kind: 'beta-tcvae', beta: 6, estimator: 'mss', datasetSize: 100 }],
  ['beta-TCVAE, minibatch weighted sampling, alpha and gamma not 1, softplus head', { kind: 'beta-tcvae', beta: 4, alpha: 0.5, gamma: 2, estimator: 'mws', datasetSize: 100, variance: 'softplus' }],
  ['FactorVAE (its discriminator stepped after each VAE step)', { kind: 'factor-vae', gamma: 10, beta: 2, discriminator: { hidden: [8, 8] } }],
  ['DIP-VAE-I', { kind: 'dip-vae', dip: 'i', lambdaOffDiag: 5 }],
  ['DIP-VAE-II', { kind: 'dip-vae', dip: 'ii', lambdaOffDiag: 10, beta: 2 }],
];

interface Run {
  /** [loss, reconstruction, kl] of each step, as trainStep reports them. */
  terms: number[][];
  /** The model's weights after the first step and after the last. */
  first: Float32Array[];
  last: Float32Array[];
  /** Whether the whole-step kernel ran in the last step (profiled). */
  used: boolean;
}

const weightsOf = (model: Model) => model.variables().map((v) => Float32Array.from(v.variable.dataSync()));

/** Trains `config` for STEPS steps on a fixed binary batch on `backend`, stepping FactorVAE's discriminator after each step as the trainer does. */
async function run(backend: 'cpu' | 'native', cfg: ModelConfig): Promise<Run> {
  await initBackend(backend);
  const rng = new Rng(7);
  const model = buildModel(cfg, D, rng);
  const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 3e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const auxiliaryAdam = model.auxiliary && new Adam(model.auxiliary.variables().filter((v) => v.trainable), { ...model.auxiliary.optimizer, epsilon: 1e-8 });
  const x = tf.tensor2d(Float32Array.from(new Rng(11).uniformArray(B * D, 0, 1), (u) => (u > 0.6 ? 1 : 0)), [B, D]);
  const klWeight = { kind: 'beta', beta: 'beta' in cfg ? cfg.beta : 1 } as const;
  const before = tf.memory().numTensors;
  const out: Run = { terms: [], first: [], last: [], used: false };
  for (let i = 0; i < STEPS; i++) {
    const step = () => {
      const t = trainStep({ model, adam, x, rng, klWeight });
      if (auxiliaryAdam) auxiliaryStep({ model, adam: auxiliaryAdam, x, rng, klWeight });
      return t;
    };
    let t: ReturnType<typeof step> | undefined;
    if (i === STEPS - 1) {
      const profile = await tf.profile(() => {
        t = step();
      });
      out.used = profile.kernels.some((k) => k.name === FUSED_ELBO_STEP);
    } else {
      t = step();
    }
    out.terms.push([t!.loss, t!.reconstruction, t!.kl]);
    if (i === 0) out.first = weightsOf(model);
  }
  expect(tf.memory().numTensors, 'live tensors after training').toBe(before);
  out.last = weightsOf(model);
  x.dispose();
  model.dispose();
  adam.dispose();
  auxiliaryAdam?.dispose();
  return out;
}

/** The largest difference of each weight tensor relative to its largest entry, over all tensors. */
function worstRelative(a: Float32Array[], b: Float32Array[]): number {
  return Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i][j]))) / Math.max(...b[i].map(Math.abs))));
}

describe.skipIf(!available)('whole-step kernel with a penalty on the codes (native)', () => {
  let previous: string;
  beforeAll(() => {
    previous = tf.getBackend();
  });
  afterAll(async () => {
    await initBackend(previous as 'native');
  });

  for (const [name, extra] of KINDS) {
    it(`${name}: the tf-ops step's weights and terms, step by step`, async () => {
      const cfg = config(extra);
      const cpu = await run('cpu', cfg);
      const native = await run('native', cfg);
      expect(native.used, 'the whole-step kernel ran').toBe(true);
      expect(cpu.used).toBe(false);
      // One step from the same weights and noise: the same update.
      expect(worstRelative(native.first, cpu.first), 'weights after one step').toBeLessThan(1e-4);
      native.terms[0].forEach((v, k) => expect(Math.abs(v - cpu.terms[0][k]), `step 1 term ${k}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu.terms[0][k]))));
      // The loss curve and the weights at its end (measured: within 3e-7 of the tf-ops step's for every kind here).
      native.terms.forEach((terms, i) => terms.forEach((v, k) => expect(Math.abs(v - cpu.terms[i][k]), `step ${i + 1} term ${k}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(cpu.terms[i][k])))));
      expect(worstRelative(native.last, cpu.last), `weights after ${STEPS} steps`).toBeLessThan(2e-5);
      expect(native.terms[STEPS - 1][0]).toBeLessThan(native.terms[0][0]);
    });
  }

  it('beta-TCVAE reports the TC as its third term, not the KL the kernel computes', async () => {
    const cfg = config(KINDS[0][1]);
    await initBackend('native');
    const model = buildModel(cfg, D, new Rng(3));
    const x = tf.tensor2d(Float32Array.from(new Rng(5).uniformArray(B * D, 0, 1), (u) => (u > 0.5 ? 1 : 0)), [B, D]);
    const klWeight = { kind: 'beta', beta: 6 } as const;
    const reference = tf.tidy(() => {
      const terms = model.loss(x, { training: true, rng: new Rng(9), klWeight });
      return Array.from(tf.stack([tf.mean(terms.loss), tf.mean(terms.reconstruction), tf.mean(terms.kl)]).dataSync());
    });
    const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const step = trainStep({ model, adam, x, rng: new Rng(9), klWeight });
    expect(step.loss).toBeCloseTo(reference[0], 3);
    expect(step.reconstruction).toBeCloseTo(reference[1], 3);
    expect(step.kl).toBeCloseTo(reference[2], 4);
    tf.dispose(x);
    model.dispose();
    adam.dispose();
  });

  it('train() runs every batch of these kinds through the whole-step kernel on the native backend', { timeout: 60_000 }, async () => {
    await initBackend('native');
    const tmp = tempDir('code-penalty');
    // Counts the kernel's calls by wrapping its registered function for the length of the test.
    const kernel = tf.getKernel(FUSED_ELBO_STEP, 'native')!;
    const original = kernel.kernelFunc;
    let calls = 0;
    kernel.kernelFunc = (args) => {
      calls++;
      return original(args);
    };
    try {
      const dataset = loadDataset({ name: 'xy-squares', seed: 2, testFraction: 0.2, n: 80 }); // 64 train: 4 batches of 16
      const small = { latent: 3, encoder: { hidden: [16] }, decoder: { hidden: [16] } };
      for (const [preset, model] of [
        ['dsprites-beta-tcvae', { ...small, datasetSize: 64 }],
        ['dsprites-factor-vae', { ...small, discriminator: { hidden: [8] } }],
        ['dsprites-dip-vae', small],
      ] as const) {
        calls = 0;
        const before = tf.memory().numTensors;
        const cfg = resolveConfig({ preset, overrides: { data: { name: 'xy-squares' }, model, train: { epochs: 1, batchSize: 16 } } });
        const result = await train({ config: cfg, dataset, runDir: path.join(tmp.dir, preset), backend: 'native' });
        expect(calls, `${preset}: whole-step kernel calls in one epoch of 4 batches`).toBe(4);
        expect(Number.isFinite(result.history[0].train.loss)).toBe(true);
        result.model.dispose();
        expect(tf.memory().numTensors, `${preset}: live tensors after train()`).toBe(before);
      }
    } finally {
      kernel.kernelFunc = original;
      tmp.remove();
    }
  });
});
