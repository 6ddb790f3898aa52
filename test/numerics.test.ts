/**
 * Numerical faults: extreme log-variances, all-zero and all-one images, tiny and huge learning rates. Either training
 * stays finite or the guard stops it with a message; never a silent NaN. Tensor count stays constant over 5 epochs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/engine/index.js';
import type { Dataset } from '../src/data/index.js';
import { resolveConfig } from '../src/config/index.js';
import { train, latestCheckpointEpoch } from '../src/train/index.js';
import { VaekitError } from '../src/errors.js';
import { klStandardNormal } from '../src/objectives/index.js';
import { buildModel, fusedElboSpec } from '../src/models/index.js';
import { Rng } from '../src/engine/index.js';
import { addonLoads } from '../src/native/addon.js';
import { rejection, tempDir } from './helpers.js';

/** The native backend trains these MLP VAEs with its whole-step kernel, so the guard is checked on both paths. */
const BACKENDS = ['cpu', ...(addonLoads() ? ['native' as const] : [])] as const;

const tmp = tempDir('numerics');
afterAll(tmp.remove);

/** A constant image dataset of n 8x8 grey images. */
function constantImages(value: number, n = 64): Dataset {
  const split = (m: number) => ({ x: new Float32Array(m * 64).fill(value), n: m });
  return { name: `all-${value}`, kind: 'image', shape: [8, 8, 1], train: split(n), test: split(16), preprocessing: { kind: 'scale', scale: 1 / 255 }, source: 'test' };
}

const small = (train: Record<string, number>, model: Record<string, unknown> = {}) =>
  resolveConfig({ preset: 'mnist-vae', overrides: { model: { latent: 2, encoder: { hidden: [16] }, decoder: { hidden: [16] }, ...model }, train: { batchSize: 16, epochs: 3, ...train } } });

function finiteHistory(history: { train: object; test: object }[]): boolean {
  return history.every((m) => [...Object.values(m.train), ...Object.values(m.test)].every((v) => Number.isFinite(v)));
}

for (const backend of BACKENDS) describe(`numerical faults (${backend})`, () => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  for (const value of [0, 1]) {
    it(`all-${value} images train to a finite, falling loss`, async () => {
      const { model, history } = await train({ config: small({}), dataset: constantImages(value), runDir: path.join(tmp.dir, `${backend}-const-${value}`), backend });
      model.dispose();
      expect(finiteHistory(history)).toBe(true);
      expect(history[2].train.loss).toBeLessThan(history[0].train.loss);
    });
  }

  it('a tiny learning rate leaves the loss finite and the weights where they started', async () => {
    const config = small({ lr: 1e-12 });
    // train() initializes from Rng(seed) first thing, so this is the same starting point.
    const initial = buildModel(config.model, 64, new Rng(config.train.seed));
    const { model, history } = await train({ config, dataset: constantImages(1), runDir: path.join(tmp.dir, `${backend}-tiny-lr`), backend });
    expect(finiteHistory(history)).toBe(true);
    const after = model.variables();
    initial.variables().forEach((v, i) => {
      const a = v.variable.dataSync();
      const b = after[i].variable.dataSync();
      for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j])).toBeLessThan(1e-6);
    });
    model.dispose();
    initial.dispose();
  });

  it('a huge learning rate is stopped by the guard with a message, keeping the last good checkpoint', async () => {
    const dir = path.join(tmp.dir, `${backend}-huge-lr`);
    const before = tf.memory().numTensors;
    const err = await rejection(() => train({ config: small({ lr: 1e8, epochs: 20 }, { variance: 'logVar' }), dataset: constantImages(1), runDir: dir, backend }));
    expect(err).toBeInstanceOf(VaekitError);
    expect((err as VaekitError).code).toBe('numeric');
    expect(err.message).toMatch(/the loss is (NaN|Infinity|-Infinity); training stopped/);
    expect(tf.memory().numTensors).toBe(before);
    const last = latestCheckpointEpoch(dir);
    const lines = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
    // Every epoch that was recorded is finite and has its checkpoint; the failing one recorded nothing.
    expect(lines.length).toBe(last ?? 0);
    for (const l of lines) expect(finiteHistory([JSON.parse(l)])).toBe(true);
    if (last) expect(existsSync(path.join(dir, 'model', 'model.json'))).toBe(true);
  });

  it('extreme log-variances: the KL overflows to Infinity rather than a silent NaN, and training stops on it', async () => {
    const kl = tf.tidy(() => klStandardNormal({ mean: tf.zeros([1, 2]), logVar: tf.fill([1, 2], 200) }).dataSync()[0]);
    expect(kl).toBe(Infinity);
    const klSmall = tf.tidy(() => klStandardNormal({ mean: tf.zeros([1, 2]), logVar: tf.fill([1, 2], -80) }).dataSync()[0]);
    expect(klSmall).toBeCloseTo(79, 0); // -0.5 * 2 * (1 - 80 - e^-80): large but finite
    const config = small({ epochs: 2 }, { variance: 'logVar' });
    const dir = path.join(tmp.dir, `${backend}-extreme-logvar`);
    const first = await train({ config: { ...config, train: { ...config.train, epochs: 1 } }, dataset: constantImages(0), runDir: dir, backend });
    first.model.dispose();
    // Inputs of 1e30 drive the pre-activations, and with them the log-variance head, far past exp's range.
    const err = await rejection(() => train({ config, dataset: constantImages(1e30), runDir: dir, backend, resume: true }));
    expect((err as VaekitError).code).toBe('numeric');
    expect(latestCheckpointEpoch(dir)).toBe(1);
  });
});

for (const backend of BACKENDS) describe(`resources (${backend})`, () => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('the number of live tensors is constant across 5 epochs', async () => {
    const counts: number[] = [];
    const { model } = await train({
      config: small({ epochs: 5 }, { encoder: { hidden: [16], batchNorm: 'after' }, decoder: { hidden: [16], dropout: 0.2 } }),
      dataset: constantImages(0.5),
      runDir: path.join(tmp.dir, `${backend}-five`),
      backend,
      onEpoch: () => counts.push(tf.memory().numTensors),
    });
    model.dispose();
    expect(counts).toHaveLength(5);
    expect(new Set(counts).size).toBe(1);
  });

  it('the same for a plain MLP VAE, which the native backend trains with its whole-step kernel', async () => {
    const counts: number[] = [];
    const { model } = await train({ config: small({ epochs: 5 }), dataset: constantImages(0.5), runDir: path.join(tmp.dir, `${backend}-five-plain`), backend, onEpoch: () => counts.push(tf.memory().numTensors) });
    if (backend === 'native') expect(fusedElboSpec(model)).toBeDefined();
    model.dispose();
    expect(counts).toHaveLength(5);
    expect(new Set(counts).size).toBe(1);
  });
});
