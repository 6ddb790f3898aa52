import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/index.js';
import { loadDataset } from '../data/index.js';
import { resolveConfig } from '../config/index.js';
import { checkTensorCountPerTest, expectNoLeak, tempDir } from '../../test/helpers.js';
import { latestCheckpointEpoch } from './checkpoint.js';
import { train } from './loop.js';
import type { EpochMetrics } from './metrics.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('resume');
afterAll(tmp.remove);

/** The numbers of an epoch that must not depend on interruption (timings and dates may). */
const losses = (h: EpochMetrics[]) => h.map(({ epoch, train, test }) => ({ epoch, train, test }));

/** Trains `epochs` into `dir` (optionally resuming) and returns the history, with the model disposed. */
async function run(config: ReturnType<typeof resolveConfig>, dir: string, resume = false): Promise<{ history: EpochMetrics[]; epochsRun: number }> {
  const dataset = loadDataset({ name: 'mnist', limit: 512, seed: 1, testFraction: 0.2 });
  const { model, history, epochsRun } = await train({ config, dataset, runDir: dir, backend: 'cpu', resume });
  model.dispose();
  return { history, epochsRun };
}

describe('resume', () => {
  // mnist-vae-bn: BatchNorm running statistics and dropout masks must both continue exactly. Batch 128 instead of the
  // preset's 1000 so each epoch of the 512-example slice has several shuffled batches. The second case adds dynamic
  // binarization, which draws from the same RNG stream.
  for (const binarize of ['none', 'dynamic'] as const) {
    it(`a run stopped after epoch 2 and resumed to 3 equals an uninterrupted 3-epoch run (binarize ${binarize})`, { timeout: 60_000 }, async () => {
      const config = (epochs: number) => resolveConfig({ preset: 'mnist-vae-bn', overrides: { train: { epochs, batchSize: 128 }, data: { binarize } } });
      const a = path.join(tmp.dir, `a-${binarize}`);
      const b = path.join(tmp.dir, `b-${binarize}`);
      const { full, first, resumed } = await expectNoLeak(async () => ({
        full: await run(config(3), a),
        first: await run(config(2), b),
        resumed: await run(config(3), b, true),
      }));
      expect(first.history).toHaveLength(2);
      expect(latestCheckpointEpoch(b)).toBe(3);
      expect(resumed.epochsRun).toBe(1);
      expect(full.history).toHaveLength(3);
      // Exactly equal, every term of every epoch, train and test.
      expect(losses(resumed.history)).toEqual(losses(full.history));
      expect(losses(resumed.history.slice(0, 2))).toEqual(losses(first.history));
      // The metrics file of the resumed run says the same, and so do the final weights, byte for byte.
      const lines = (dir: string) => readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpochMetrics);
      expect(losses(lines(b))).toEqual(losses(full.history));
      expect(readFileSync(path.join(b, 'model', 'weights.bin')).equals(readFileSync(path.join(a, 'model', 'weights.bin')))).toBe(true);
      // The runs learned something: the check is not on a frozen model.
      expect(full.history[2].train.loss).toBeLessThan(full.history[0].train.loss);
    });
  }

  it('resuming a finished run runs no epoch and returns its history', { timeout: 30_000 }, async () => {
    const config = resolveConfig({ preset: 'mnist-vae-bn', overrides: { train: { epochs: 1, batchSize: 256 } } });
    const dir = path.join(tmp.dir, 'done');
    await expectNoLeak(async () => {
      const first = await run(config, dir);
      const again = await run(config, dir, true);
      expect(again.epochsRun).toBe(0);
      expect(losses(again.history)).toEqual(losses(first.history));
    });
  });
});
