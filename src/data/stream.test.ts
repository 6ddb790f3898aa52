import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../engine/index.js';
import { resolveConfig } from '../config/index.js';
import { train } from '../train/loop.js';
import type { EpochMetrics } from '../train/metrics.js';
import { checkTensorCountPerTest, expectNoLeak, tempDir } from '../../test/helpers.js';
import { DataError } from '../errors.js';
import { loadDataset } from './load.js';
import { writeNpy } from './npy.js';
import type { Batch } from './batch.js';
import { streamBatches } from './stream.js';
import type { Dataset } from './types.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('stream');
afterAll(tmp.remove);

/** n points near a 2-D plane in 8-D: x = W z + 0.1 noise + offset, so a VAE with 2 latents has something to learn. */
function planeData(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const d = 8;
  const w = Float32Array.from({ length: 2 * d }, () => rng.normal());
  const x = new Float32Array(n * d); // [n, D]
  for (let i = 0; i < n; i++) {
    const z = [rng.normal(), rng.normal()];
    for (let j = 0; j < d; j++) x[i * d + j] = 3 + j + z[0] * w[j] + z[1] * w[d + j] + 0.1 * rng.normal();
  }
  return x;
}

const N = 603;
const npyFile = path.join(tmp.dir, 'plane.npy');
const plane = planeData(N, 7);
writeFileSync(npyFile, writeNpy({ shape: [N, 8], data: plane }));

/** An IDX uint8 file [50, 4, 4] whose example i holds the bytes (i + j) % 256. */
const idxFile = path.join(tmp.dir, 'tiny-idx3-ubyte');
const IDX_N = 50;
{
  const bytes = new Uint8Array(16 + IDX_N * 16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x00000803);
  view.setUint32(4, IDX_N);
  view.setUint32(8, 4);
  view.setUint32(12, 4);
  for (let i = 0; i < IDX_N; i++) for (let j = 0; j < 16; j++) bytes[16 + i * 16 + j] = (i * 5 + j) % 256;
  writeFileSync(idxFile, bytes);
}

const base = { seed: 1, testFraction: 0.2 };

/** Every batch of one epoch, with the record numbers an instrumented consumer saw. */
function epoch(ds: Dataset, batchSize: number, seed: number): Batch[] {
  return [...streamBatches(ds.stream!, ds.stream!.train, { batchSize, rng: new Rng(seed) })];
}

describe('streamBatches', () => {
  const ds = loadDataset({ ...base, name: npyFile, stream: true, chunkExamples: 7 });

  it('splits a held-out tail and standardizes with stats from one chunked pass', () => {
    const s = ds.stream!;
    const nTest = Math.round(N * 0.2);
    expect(s.train).toEqual({ first: 0, n: N - nTest });
    expect(s.test).toEqual({ first: N - nTest, n: nTest });
    // Independent answer: the mean and population std of the training rows, straight from the array written.
    expect(ds.preprocessing.kind).toBe('standardize');
    const p = ds.preprocessing as { mean: number[]; std: number[] };
    for (const j of [0, 5]) {
      const col = Array.from({ length: N - nTest }, (_, i) => plane[i * 8 + j]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      expect(p.mean[j]).toBeCloseTo(mean, 9);
      expect(p.std[j]).toBeCloseTo(std, 9);
    }
    expect(Math.abs(s.stats.mean[3])).toBeLessThan(1e-5);
  });

  it('sees every training example exactly once per epoch, in full batches but the last, with the file rows preprocessed', () => {
    const batches = epoch(ds, 32, 3);
    const nTrain = ds.stream!.train.n;
    const seen = new Int32Array(nTrain);
    for (const b of batches) for (const i of b.indices) seen[i]++;
    expect(seen.every((c) => c === 1)).toBe(true);
    expect(batches.slice(0, -1).every((b) => b.indices.length === 32)).toBe(true);
    expect(batches.length).toBe(Math.ceil(nTrain / 32));
    // A row's values are the file's, standardized.
    const p = ds.preprocessing as { mean: number[]; std: number[] };
    const { x, indices } = batches[4];
    for (let j = 0; j < 8; j++) expect(x[2 * 8 + j]).toBeCloseTo((plane[indices[2] * 8 + j] - p.mean[j]) / p.std[j], 5);
  });

  it('gives the same batches for the same seed and chunk size, others for another seed; batches mix chunks', () => {
    const a = epoch(ds, 32, 3).map((b) => Array.from(b.indices));
    const b = epoch(ds, 32, 3).map((b) => Array.from(b.indices));
    const c = epoch(ds, 32, 4).map((b) => Array.from(b.indices));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    // The within-window shuffle: a batch draws from several chunks of 7, not one run of consecutive records.
    const chunks = new Set(a[0].map((i) => Math.floor(i / 7)));
    expect(chunks.size).toBeGreaterThan(2);
  });

  it('streams an IDX uint8 file scaled to [0, 1], each example once', () => {
    const idx = loadDataset({ ...base, name: idxFile, stream: true, chunkExamples: 3 });
    expect(idx.kind).toBe('image');
    expect(idx.shape).toEqual([4, 4, 1]);
    expect(idx.preprocessing).toEqual({ kind: 'scale', scale: 1 / 255 });
    const batches = epoch(idx, 8, 1);
    const all = batches.flatMap((b) => Array.from(b.indices)).sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: IDX_N - 10 }, (_, i) => i));
    const b = batches[1];
    expect(b.x[3 * 16 + 5]).toBeCloseTo(((b.indices[3] * 5 + 5) % 256) / 255, 6);
    expect(idx.stream!.stats.max).toBeLessThanOrEqual(1);
  });
});

describe('the memory budget', () => {
  const bigFile = path.join(tmp.dir, 'big.npy');
  writeFileSync(bigFile, writeNpy({ shape: [5000, 8], data: planeData(5000, 3) }));

  it('refuses a file over the budget, suggesting --stream; with stream it streams instead of loading', () => {
    let err: unknown;
    try {
      loadDataset({ ...base, name: bigFile, memoryBudget: 100_000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/over the memory budget of .*; train with --stream/);
    // 5000 x 8 float32 = 160 KB, over a 100 KB budget; a window of 4 chunks of 7 rows and 2000 rows for figures (64 KB) is under it.
    const ds = loadDataset({ ...base, name: bigFile, memoryBudget: 100_000, stream: true, chunkExamples: 7 });
    expect(ds.stream).toBeDefined();
    expect([ds.train.n, ds.test.n]).toEqual([1000, 1000]);
  });

  it('refuses a chunk whose window is over the budget', () => {
    expect(() => loadDataset({ ...base, name: bigFile, memoryBudget: 100_000, stream: true, chunkExamples: 400 })).toThrow(/streaming: a window of 4 chunks of 400 examples.*use a smaller --chunk-examples/);
  });
});

describe('training on a stream', () => {
  const losses = (h: EpochMetrics[]) => h.map(({ epoch, train, test }) => ({ epoch, train, test }));
  const config = (stream: boolean, epochs: number, seed = 5) =>
    resolveConfig({
      overrides: {
        data: { name: npyFile, ...(stream && { stream: true, chunkExamples: 16 }) },
        model: { kind: 'vae', latent: 2, encoder: { hidden: [16] }, decoder: { hidden: [16] }, likelihood: { kind: 'gaussian', variance: 1, meanActivation: 'linear' } },
        train: { epochs, batchSize: 32, lr: 3e-3, seed },
      },
    });
  async function run(stream: boolean, epochs: number, dir: string, resume = false, seed = 5): Promise<EpochMetrics[]> {
    const c = config(stream, epochs, seed);
    const dataset = loadDataset({ ...c.data, seed: c.train.seed });
    const { model, history } = await train({ config: c, dataset, runDir: path.join(tmp.dir, dir), backend: 'cpu', resume });
    model.dispose();
    return history;
  }

  it('same seed and chunk size give identical metrics; a resumed run continues exactly; the loss is close to a loaded run', { timeout: 60_000 }, async () => {
    const { a, b, first, resumed, loaded, loaded6, stream6 } = await expectNoLeak(async () => ({
      a: await run(true, 4, 'a'),
      b: await run(true, 4, 'b'),
      first: await run(true, 2, 'c'),
      resumed: await run(true, 4, 'c', true),
      loaded: await run(false, 4, 'loaded'),
      loaded6: await run(false, 4, 'loaded6', false, 6),
      stream6: await run(true, 4, 'stream6', false, 6),
    }));
    expect(losses(b)).toEqual(losses(a));
    expect(losses(resumed)).toEqual(losses(a));
    expect(losses(first)).toEqual(losses(a.slice(0, 2)));
    expect(a[3].train.loss).toBeLessThan(a[0].train.loss);
    // Different splits (the file's tail vs a seeded 20% of 603) and shuffles of iid data. The noise here is the
    // seed-to-seed spread of loaded runs (about 7% on the 121-example test set after 4 epochs), so compare the means
    // of two seeds: within 5%, train and test.
    const mean = (hs: EpochMetrics[][], k: 'train' | 'test') => hs.reduce((acc, h) => acc + h[3][k].loss, 0) / hs.length;
    for (const k of ['train', 'test'] as const) {
      const streamed = mean([a, stream6], k);
      const inMemory = mean([loaded, loaded6], k);
      expect(Math.abs(streamed - inMemory) / inMemory).toBeLessThan(0.05);
    }
  });
});
