import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng, tf, type Tensor1D } from '../engine/index.js';
import type { Dataset } from '../data/index.js';
import { resolveConfig } from '../config/index.js';
import { klPenalty } from '../objectives/index.js';
import { checkTensorCountPerTest, tempDir } from '../../test/helpers.js';
import { klWeight } from './beta-schedule.js';
import { train } from './loop.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('beta-schedule');
afterAll(tmp.remove);

const betas = (model: Parameters<typeof klWeight>[0], n: number) =>
  Array.from({ length: n }, (_, i) => klWeight(model, i + 1)).map((w) => (w.kind === 'beta' ? w.beta : Number.NaN));

describe('klWeight', () => {
  it('constant: beta at every epoch', () => {
    expect(betas({ beta: 4, betaSchedule: { kind: 'constant' } }, 5)).toEqual([4, 4, 4, 4, 4]);
  });

  it('linear: 0 at epoch 1, beta reached after `epochs` epochs, then held', () => {
    expect(betas({ beta: 2, betaSchedule: { kind: 'linear', epochs: 4 } }, 7)).toEqual([0, 0.5, 1, 1.5, 2, 2, 2]);
  });

  it('cyclical (Fu et al.): each period ramps over its first `ratio` and then holds beta', () => {
    // Period 4, ratio 0.5: tau = 0, 1/4, 2/4, 3/4 -> min(1, tau / 0.5) = 0, 0.5, 1, 1; then the cycle restarts.
    expect(betas({ beta: 1, betaSchedule: { kind: 'cyclical', period: 4, ratio: 0.5 } }, 9)).toEqual([0, 0.5, 1, 1, 0, 0.5, 1, 1, 0]);
    // Ratio 1: a saw-tooth 0, 1/3, 2/3.
    expect(betas({ beta: 3, betaSchedule: { kind: 'cyclical', period: 3, ratio: 1 } }, 6)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('capacity (Burgess et al.): weight gamma, C ramped 0 -> cMax over `epochs` epochs, then held', () => {
    const s = { beta: 1, betaSchedule: { kind: 'capacity', gamma: 100, cMax: 25, epochs: 5 } } as const;
    const w = Array.from({ length: 7 }, (_, i) => klWeight(s, i + 1));
    expect(w.map((x) => x.kind === 'capacity' && x.gamma)).toEqual([100, 100, 100, 100, 100, 100, 100]);
    expect(w.map((x) => x.kind === 'capacity' && x.capacity)).toEqual([0, 5, 10, 15, 20, 25, 25]);
  });

  it('the schema defaults to constant and ratio 0.5, and rejects a schedule with IWAE', () => {
    const base = { kind: 'vae', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'bernoulli' } } as const;
    const c = resolveConfig({ overrides: { model: base } });
    expect(c.model.kind === 'vae' && c.model.betaSchedule).toEqual({ kind: 'constant' });
    const cyc = resolveConfig({ overrides: { model: { ...base, betaSchedule: { kind: 'cyclical', period: 4 } } } });
    expect(cyc.model.kind === 'vae' && cyc.model.betaSchedule).toEqual({ kind: 'cyclical', period: 4, ratio: 0.5 });
    expect(() => resolveConfig({ overrides: { model: { ...base, objective: { kind: 'iwae', k: 2 }, betaSchedule: { kind: 'linear', epochs: 3 } } } })).toThrow(/model\.betaSchedule.*: the IWAE objective is defined for beta = 1 with no KL schedule/);
  });
});

describe('klPenalty', () => {
  it('beta * kl without a capacity; gamma * |mean kl - C| for every example with one', () => {
    const kl = tf.tensor1d([1, 2, 6]) as Tensor1D;
    const plain = klPenalty({ kl, weight: { kind: 'beta', beta: 2 } });
    const capped = klPenalty({ kl, weight: { kind: 'capacity', gamma: 10, capacity: 4 } });
    const below = klPenalty({ kl, weight: { kind: 'capacity', gamma: 10, capacity: 1 } });
    expect(Array.from(plain.dataSync())).toEqual([2, 4, 12]);
    expect(Array.from(capped.dataSync())).toEqual([10, 10, 10]); // |3 - 4| * 10
    expect(Array.from(below.dataSync())).toEqual([20, 20, 20]); // |3 - 1| * 10
    tf.dispose([kl, plain, capped, below]);
  });
});

/** 40 random 2x3 binary images with per-pixel means. */
function images(): Dataset {
  const rng = new Rng(3);
  const p = [0.05, 0.2, 0.5, 0.7, 0.9, 0];
  const split = (n: number) => ({ x: Float32Array.from({ length: n * 6 }, (_, i) => (rng.uniform() < p[i % 6] ? 1 : 0)), n });
  return { name: 'toy', kind: 'image', shape: [2, 3, 1], train: split(40), test: split(10), preprocessing: { kind: 'scale', scale: 1 }, source: 'test' };
}

describe('train() with a beta schedule', () => {
  const model = (betaSchedule: object) => ({ kind: 'vae', latent: 2, encoder: { hidden: [4] }, decoder: { hidden: [4] }, likelihood: { kind: 'bernoulli' }, beta: 2, betaSchedule });

  it('records each epoch beta, and the train loss is reconstruction + beta * kl of that epoch', async () => {
    const config = resolveConfig({ overrides: { model: model({ kind: 'linear', epochs: 2 }), train: { epochs: 3, batchSize: 40 } } });
    const { model: m, history } = await train({ config, dataset: images(), runDir: path.join(tmp.dir, 'linear'), backend: 'cpu' });
    m.dispose();
    expect(history.map((h) => h.beta)).toEqual([0, 1, 2]);
    // One batch per epoch, so the epoch's means satisfy the batch identity exactly (up to float32).
    for (const h of history) {
      expect(h.train.loss).toBeCloseTo(h.train.reconstruction + h.beta! * h.train.kl, 3);
      expect(h.test.loss).toBeCloseTo(h.test.reconstruction + h.beta! * h.test.kl, 3);
    }
  });

  it('capacity: records C and the loss is reconstruction + gamma * |kl - C|', async () => {
    const config = resolveConfig({ overrides: { model: model({ kind: 'capacity', gamma: 5, cMax: 2, epochs: 2 }), train: { epochs: 3, batchSize: 40 } } });
    const { model: m, history } = await train({ config, dataset: images(), runDir: path.join(tmp.dir, 'capacity'), backend: 'cpu' });
    m.dispose();
    expect(history.map((h) => [h.beta, h.capacity])).toEqual([[5, 0], [5, 1], [5, 2]]);
    for (const h of history) expect(h.train.loss).toBeCloseTo(h.train.reconstruction + 5 * Math.abs(h.train.kl - h.capacity!), 3);
  });

  it('resumes exactly: 2 epochs then a resume to 5 equal 5 uninterrupted epochs of a cyclical schedule', async () => {
    const config = (epochs: number) => resolveConfig({ overrides: { model: model({ kind: 'cyclical', period: 3 }), train: { epochs, batchSize: 8 } } });
    const whole = await train({ config: config(5), dataset: images(), runDir: path.join(tmp.dir, 'whole'), backend: 'cpu' });
    whole.model.dispose();
    (await train({ config: config(2), dataset: images(), runDir: path.join(tmp.dir, 'split'), backend: 'cpu' })).model.dispose();
    const rest = await train({ config: config(5), dataset: images(), runDir: path.join(tmp.dir, 'split'), backend: 'cpu', resume: true });
    rest.model.dispose();
    const strip = (h: typeof whole.history) => h.map(({ epoch, train: t, test, beta }) => ({ epoch, train: t, test, beta }));
    expect(strip(rest.history)).toEqual(strip(whole.history));
    // Period 3, ratio 0.5: tau = 0, 1/3, 2/3 -> 0, 2/3, 1 (times beta 2).
    expect(rest.history.map((h) => h.beta)).toEqual([0, 4 / 3, 2, 0, 4 / 3].map((v) => expect.closeTo(v, 12)));
  });
});
