import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng, type Tensor2D } from '../engine/index.js';
import { configSchema, modelSchema, type ModelConfig } from '../config/schema.js';
import { resolveConfig } from '../config/index.js';
import { loadDataset } from '../data/index.js';
import { checkTensorCountPerTest, expectNoLeak, tempDir } from '../../test/helpers.js';
import { codebookUsage, reconstructionLoss } from '../objectives/index.js';
import { Adam, evalBatch, evaluateSplit, klWeight, train, trainStep } from '../train/index.js';
import { posterior } from '../evaluate/index.js';
import { buildModel, evalContext, hasDiscreteCodes, lossNames, VqVae } from './index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('vq-vae');
afterAll(tmp.remove);

const D = 12;
const B = 16;
const net = { encoder: { hidden: [8], activation: 'tanh' }, decoder: { hidden: [8], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } };
/** latent 4 = 2 vectors of 2 values, 6 codes. */
const build = (config: Record<string, unknown> = {}, seed = 1) =>
  buildModel(modelSchema.parse({ kind: 'vq-vae', latent: 4, codeDim: 2, codebookSize: 6, ...net, ...config }) as ModelConfig, D, new Rng(seed)) as VqVae;
const data = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * D }, (_, i) => {
    const bit = (i % D) % 3 === Math.floor(i / D) % 3 ? 1 : 0;
    return rng.uniform() < 0.05 ? 1 - bit : bit;
  });
};
const rowsOf = (a: ArrayLike<number>, d: number) => Array.from({ length: a.length / d }, (_, i) => Array.from(a).slice(i * d, (i + 1) * d));
const nearest = (v: number[], book: number[][]) => book.reduce((best, e, k) => (e.reduce((s, x, j) => s + (x - v[j]) ** 2, 0) < book[best].reduce((s, x, j) => s + (x - v[j]) ** 2, 0) ? k : best), 0);

/** z_e of a batch, [B * M, D] rows, computed from the encoder's layers. */
const zeRows = (model: VqVae, x: Tensor2D) =>
  tf.tidy(() => rowsOf(model.quantizer.code.apply(model.parts.encoder.apply(x, evalContext())).dataSync(), 2));
const codebookOf = (model: VqVae) => rowsOf(model.variables().find((v) => v.name === 'encoder.codebook')!.variable.dataSync(), 2);

describe('VQ-VAE', () => {
  it('loss = reconstruction of decode(nearest codes) + 0.25 x the commitment, recomputed from z_e and the codebook', () => {
    const model = build({ commitment: 0.25 });
    const x = tf.tensor2d(data(B, 5), [B, D]);
    const t = model.loss(x, { training: false, rng: new Rng(1), klWeight: { kind: 'beta', beta: 0 } });
    const [loss, rec, commitment] = [t.loss, t.reconstruction, t.kl].map((v) => Array.from(v.dataSync()));
    tf.dispose([t.loss, t.reconstruction, t.kl]);
    const ze = zeRows(model, x);
    const book = codebookOf(model);
    const idx = ze.map((v) => nearest(v, book));
    const zq = idx.flatMap((k) => book[k]);
    const wantRec = tf.tidy(() => Array.from(reconstructionLoss({ likelihood: model.likelihood, x, output: model.decoderOutput(tf.tensor2d(zq, [B, 4])) }).dataSync()));
    expect(Array.from(model.codeIndices(x))).toEqual(idx);
    for (let i = 0; i < B; i++) {
      const want = [0, 1].reduce((s, m) => s + ze[2 * i + m].reduce((a, v, j) => a + (v - book[idx[2 * i + m]][j]) ** 2, 0), 0);
      expect(commitment[i]).toBeCloseTo(want, 5);
      expect(rec[i]).toBeCloseTo(wantRec[i], 4);
      expect(loss[i]).toBeCloseTo(rec[i] + 0.25 * want, 4);
    }
    x.dispose();
    model.dispose();
  });

  it('a training step moves the codebook by the EMA of the batch’s z_e (hand-computed in float64) and restarts codes unused for restartAfter steps', () => {
    const model = build({ decay: 0.9, epsilon: 1e-5, restartAfter: 1 });
    const x = tf.tensor2d(data(B, 6), [B, D]);
    const ze = zeRows(model, x);
    const book = codebookOf(model);
    const idx = ze.map((v) => nearest(v, book));
    const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    trainStep({ model, adam, x, rng: new Rng(2), klWeight: { kind: 'beta', beta: 0 } });
    const after = codebookOf(model);
    // Every code starts with count 1 and sum = its entry.
    const count = book.map((_, k) => 0.9 + 0.1 * idx.filter((i) => i === k).length);
    const sums = book.map((e, k) => e.map((v, j) => 0.9 * v + 0.1 * ze.reduce((s, z, r) => s + (idx[r] === k ? z[j] : 0), 0)));
    const n = count.reduce((a, b) => a + b, 0);
    const used = new Set(idx);
    expect(used.size).toBeLessThan(6); // the test needs an unused code, to see it restarted
    for (let k = 0; k < 6; k++) {
      if (used.has(k)) {
        const smoothed = ((count[k] + 1e-5) / (n + 6e-5)) * n;
        after[k].forEach((v, j) => expect(v).toBeCloseTo(sums[k][j] / smoothed, 4));
      } else {
        // Unused for 1 step = restartAfter: reset to one of the batch's z_e.
        expect(ze.some((z) => z.every((v, j) => Math.abs(v - after[k][j]) < 1e-6))).toBe(true);
      }
    }
    x.dispose();
    adam.dispose();
    model.dispose();
  });

  for (const kind of ['mlp', 'conv'] as const) {
    it(`${kind}: trains (the loss falls over 60 Adam steps), uses its codebook, without leaking tensors`, async () => {
      const conv = { encoder: { kind: 'conv', filters: [4], hidden: [] }, decoder: { kind: 'conv', filters: [4] } };
      const model = (kind === 'conv' ? buildModel(modelSchema.parse({ kind: 'vq-vae', latent: 8, codeDim: 2, codebookSize: 16, restartAfter: 5, ...net, ...conv }) as ModelConfig, 36, new Rng(1), { inputShape: [6, 6, 1] }) : build({ codebookSize: 16, restartAfter: 5 })) as VqVae;
      const d = model.inputDim;
      const xs = kind === 'conv' ? Float32Array.from({ length: 64 * d }, (_, i) => ((i % d) % 6 < Math.floor(i / d) % 6 ? 1 : 0)) : data(64, 2);
      const x = tf.tensor2d(xs, [64, d]);
      const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      const weight = klWeight(model.config, 1);
      const rng = new Rng(3);
      const first = evalBatch({ model, x, rng: new Rng(4), klWeight: weight }).loss / 64;
      await expectNoLeak(() => {
        for (let i = 0; i < 60; i++) trainStep({ model, adam, x, rng, klWeight: weight });
      });
      const last = evalBatch({ model, x, rng: new Rng(4), klWeight: weight }).loss / 64;
      const counts = new Array(16).fill(0);
      for (const k of model.codeIndices(x)) counts[k]++;
      x.dispose();
      adam.dispose();
      model.dispose();
      expect(Number.isFinite(last)).toBe(true);
      expect(last).toBeLessThan(first - 1);
      expect(codebookUsage(counts).usage).toBeGreaterThan(1 / 16);
    });
  }

  it('encode gives z_q; decodeIndices(codeIndices(x)) is reconstruct(x); sample decodes uniformly random codes', () => {
    const model = build();
    expect(hasDiscreteCodes(model)).toBe(true);
    expect([model.codebookSize, model.codesPerExample]).toEqual([6, 2]);
    const x = tf.tensor2d(data(5, 7), [5, D]);
    const indices = model.codeIndices(x);
    const [a, b, zq] = tf.tidy(() => [model.decodeIndices(indices, 5).arraySync(), model.reconstruct(x).arraySync(), model.encode(x).mean.arraySync()]) as number[][][];
    expect(a).toEqual(b);
    const book = codebookOf(model);
    expect(zq).toEqual(rowsOf(Array.from(indices).flatMap((k) => book[k]), 4).map((r) => r.map((v) => Math.fround(v))));
    const s = tf.tidy(() => model.sample(3, new Rng(1)).arraySync()) as number[][];
    expect(s).toHaveLength(3);
    expect(s.flat().every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(() => model.decodeIndices(Int32Array.from([0, 6]), 1)).toThrow(/index 1 is 6; expected a code in 0\.\.5/);
    expect(() => model.decodeIndices(Int32Array.from([0]), 1)).toThrow(/1 indices for 1 examples; expected 2 per example/);
    // No posterior density: the NLL and active units say so in one line.
    expect(() => posterior(model, x)).toThrow(/the vq-vae model has no posterior q\(z\|x\), its code is deterministic/);
    x.dispose();
    model.dispose();
  });

  it('evaluation reports the codebook’s usage and perplexity over the split, as codebookUsage of the code counts', () => {
    const model = build();
    const xs = data(40, 8);
    const t = evaluateSplit({ model, split: { x: xs, n: 40 }, d: D, seed: 'e', klWeight: { kind: 'beta', beta: 0 } });
    const x = tf.tensor2d(xs, [40, D]);
    const counts = new Array(6).fill(0);
    for (const k of model.codeIndices(x)) counts[k]++;
    x.dispose();
    model.dispose();
    expect(t.codebook).toEqual(codebookUsage(counts));
    expect(t.codebook!.perplexity).toBeGreaterThanOrEqual(1);
  });

  it('names its loss, and the schema refuses a latent size that codeDim does not divide', () => {
    expect(lossNames(modelSchema.parse({ kind: 'vq-vae', latent: 4, codeDim: 2, ...net }) as ModelConfig)).toEqual({ loss: 'reconstruction + 0.25 × commitment', regularizer: 'commitment' });
    expect(() => configSchema.parse({ model: { kind: 'vq-vae', latent: 5, codeDim: 2, ...net } })).toThrow(/latent 5 is not a multiple of codeDim 2/);
    expect(() => build({ latent: 5 })).toThrow(/model\.latent 5: not a multiple of model\.codeDim 2/);
  });

  it('resumes exactly: 2 epochs straight equal 1 epoch, a checkpoint and 1 more, codebook and its EMA state byte for byte', { timeout: 60_000 }, async () => {
    const config = (epochs: number) =>
      resolveConfig({
        overrides: {
          data: { name: 'mnist' },
          model: { kind: 'vq-vae', latent: 8, codeDim: 4, codebookSize: 16, restartAfter: 3, encoder: { hidden: [32], activation: 'relu' }, decoder: { hidden: [32], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
          train: { epochs, batchSize: 64, lr: 1e-3, seed: 4 },
        },
      });
    const dataset = loadDataset({ name: 'mnist', limit: 256, seed: 1, testFraction: 0.25 });
    const run = async (epochs: number, dir: string, resume = false) => {
      const r = await train({ config: config(epochs), dataset, runDir: dir, backend: 'cpu', resume });
      r.model.dispose();
      return r;
    };
    const [a, b] = [path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b')];
    const { full, first, resumed } = await expectNoLeak(async () => ({ full: await run(2, a), first: await run(1, b), resumed: await run(2, b, true) }));
    expect(resumed.epochsRun).toBe(1);
    const bytes = (dir: string, file: string) => readFileSync(path.join(dir, file));
    expect(bytes(b, 'model/weights.bin').equals(bytes(a, 'model/weights.bin'))).toBe(true);
    const names = (JSON.parse(bytes(b, 'checkpoints/epoch-0002/state.json').toString('utf8')) as { tensors: { name: string }[] }).tensors.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['model/encoder.codebook', 'model/encoder.codebook.emaCount', 'model/encoder.codebook.emaSum', 'model/encoder.codebook.unusedSteps']));
    expect(resumed.history.map((h) => h.test)).toEqual(full.history.map((h) => h.test));
    expect(first.history[0].test.codebook!.size).toBe(16);
    expect(full.history[1].train.loss).toBeLessThan(full.history[0].train.loss);
  });
});
