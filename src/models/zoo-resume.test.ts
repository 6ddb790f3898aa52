import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/index.js';
import { loadDataset } from '../data/index.js';
import { resolveConfig } from '../config/index.js';
import { checkTensorCountPerTest, expectNoLeak, tempDir } from '../../test/helpers.js';
import { train, type EpochMetrics } from '../train/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('zoo-resume');
afterAll(tmp.remove);

const losses = (h: EpochMetrics[]) => h.map(({ epoch, train, test }) => ({ epoch, train, test }));

async function run(config: ReturnType<typeof resolveConfig>, dir: string, resume = false): Promise<EpochMetrics[]> {
  const dataset = loadDataset({ name: 'mnist', limit: 256, seed: 1, testFraction: 0.2 });
  const { model, history } = await train({ config, dataset, runDir: dir, backend: 'cpu', resume });
  model.dispose();
  return history;
}

// The weights these kinds add (pseudo-inputs, flow steps and MADEs, the second stochastic layer) are in the checkpoint,
// and the VampPrior's data initialization runs on a fresh run only.
const small = { latent: 3, encoder: { hidden: [16] }, decoder: { hidden: [16] } };
const CASES: Record<string, Record<string, unknown>> = {
  'mnist-vamp-prior': { ...small, pseudoInputs: 5, pseudoInputInit: 'data' },
  'mnist-iaf': { ...small, flow: { kind: 'iaf', steps: 2, hidden: 8, context: 4 } },
  'iwae-paper-2layer': { ...small, latent2: 2, upper: { hidden: [4] }, samples: 2 },
};

describe('the new zoo kinds resume exactly', () => {
  for (const [preset, model] of Object.entries(CASES)) {
    it(`${preset} (small): stopped after epoch 1 and resumed to 2 equals an uninterrupted 2-epoch run, weights byte for byte`, { timeout: 120_000 }, async () => {
      const config = (epochs: number) => resolveConfig({ preset, overrides: { model, train: { epochs, batchSize: 64 }, data: { binarize: 'none' } } });
      const [a, b] = [path.join(tmp.dir, `${preset}-a`), path.join(tmp.dir, `${preset}-b`)];
      const { full, resumed } = await expectNoLeak(async () => {
        const full = await run(config(2), a);
        await run(config(1), b);
        return { full, resumed: await run(config(2), b, true) };
      });
      expect(losses(resumed)).toEqual(losses(full));
      expect(readFileSync(path.join(b, 'model', 'weights.bin')).equals(readFileSync(path.join(a, 'model', 'weights.bin')))).toBe(true);
      expect(full[1].train.loss).toBeLessThan(full[0].train.loss);
    });
  }
});
