import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../engine/index.js';
import type { Dataset } from '../data/index.js';
import { resolveConfig } from '../config/index.js';
import { checkTensorCountPerTest, tempDir } from '../../test/helpers.js';
import { train } from './loop.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('schedule');
afterAll(tmp.remove);

/** 40 random 2x3 binary-ish images whose pixel means differ by column. */
function images(): Dataset {
  const rng = new Rng(3);
  const p = [0.05, 0.2, 0.5, 0.7, 0.9, 0];
  const split = (n: number) => ({ x: Float32Array.from({ length: n * 6 }, (_, i) => (rng.uniform() < p[i % 6] ? 1 : 0)), n });
  return { name: 'toy', kind: 'image', shape: [2, 3, 1], train: split(40), test: split(10), preprocessing: { kind: 'scale', scale: 1 }, source: 'test' };
}

describe('train() with the burda schedule and a data-mean decoder bias', () => {
  it('records the scheduled lr per epoch, starts the output bias at logit(clipped mean), and stops when asked', async () => {
    const config = resolveConfig({
      preset: 'iwae-paper',
      overrides: {
        model: { latent: 2, encoder: { hidden: [4] }, decoder: { hidden: [4] } },
        // A learning rate so small that the bias stays where the initialization put it.
        train: { epochs: 6, batchSize: 20, lr: 1e-12 },
      },
    });
    const dataset = images();
    let asked = 0;
    const { model, history, epochsRun } = await train({ config, dataset, runDir: path.join(tmp.dir, 'run'), backend: 'cpu', shouldStop: (m) => (asked++, m.epoch === 5) });
    const bias = model.variables().find((v) => v.name === 'decoder.out.bias')!.variable.dataSync();
    model.dispose();
    expect(epochsRun).toBe(5);
    expect(asked).toBe(5);
    expect(history.map((m) => m.lr! / 1e-12)).toEqual([1, 10 ** (-1 / 7), 10 ** (-1 / 7), 10 ** (-1 / 7), 10 ** (-2 / 7)].map((v) => expect.closeTo(v, 12)));
    for (let j = 0; j < 6; j++) {
      let mean = 0;
      for (let i = 0; i < 40; i++) mean += dataset.train.x[i * 6 + j] / 40;
      const m = Math.min(1 - 1e-3, Math.max(1e-3, mean));
      expect(bias[j]).toBeCloseTo(Math.log(m / (1 - m)), 4);
    }
    // The config stays as resolved: the schedule changed Adam's copy of lr, not config.train.lr.
    expect(config.train.lr).toBe(1e-12);
  });

  it('resumes exactly: 2 epochs then a resume to 5 match 5 uninterrupted epochs, lr included', async () => {
    const config = (epochs: number) =>
      resolveConfig({ preset: 'iwae-paper', overrides: { model: { latent: 2, encoder: { hidden: [4] }, decoder: { hidden: [4] }, objective: { kind: 'iwae', k: 3 } }, train: { epochs, batchSize: 8 } } });
    const dataset = images();
    const whole = await train({ config: config(5), dataset, runDir: path.join(tmp.dir, 'whole'), backend: 'cpu' });
    whole.model.dispose();
    const first = await train({ config: config(2), dataset, runDir: path.join(tmp.dir, 'split'), backend: 'cpu' });
    first.model.dispose();
    const rest = await train({ config: config(5), dataset, runDir: path.join(tmp.dir, 'split'), backend: 'cpu', resume: true });
    rest.model.dispose();
    const strip = (h: typeof whole.history) => h.map(({ epoch, train: t, test, lr }) => ({ epoch, train: t, test, lr }));
    expect(strip(rest.history)).toEqual(strip(whole.history));
    expect(rest.history.map((m) => m.lr)).toEqual([1, 2, 3, 4, 5].map((e) => 1e-3 * 10 ** (-(e === 1 ? 0 : e <= 4 ? 1 : 2) / 7)));
  });
});
