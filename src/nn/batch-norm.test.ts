import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { BatchNorm } from './batch-norm.js';
import type { StatUpdate } from './types.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const B = 6;
const D = 3;
const EPS = 1e-5;
const GAMMA = [1.5, 0.5, 2];
const BETA = [0.1, -0.2, 0.3];

/** Column means and (biased or unbiased) variances of a [B, D] array, in float64. */
function columnStats(x: number[][], unbiased: boolean): { mean: number[]; variance: number[] } {
  const n = x.length;
  const mean = x[0].map((_, j) => x.reduce((s, r) => s + r[j], 0) / n);
  const variance = mean.map((m, j) => x.reduce((s, r) => s + (r[j] - m) ** 2, 0) / (unbiased ? n - 1 : n));
  return { mean, variance };
}

/** gamma (x - mean) / sqrt(var + eps) + beta, row by row, in float64. */
function normalize(x: number[][], mean: number[], variance: number[]): number[][] {
  return x.map((r) => r.map((v, j) => (GAMMA[j] * (v - mean[j])) / Math.sqrt(variance[j] + EPS) + BETA[j]));
}

function batch(seed: number, shift: number): number[][] {
  const v = new Rng(seed).normalArray(B * D);
  return Array.from({ length: B }, (_, i) => Array.from({ length: D }, (_, j) => shift + (j + 1) * v[i * D + j]));
}

function makeBn(): BatchNorm {
  const bn = new BatchNorm({ name: 'bn', dim: D });
  tf.tidy(() => {
    bn.gamma.assign(tf.tensor1d(GAMMA));
    bn.beta.assign(tf.tensor1d(BETA));
  });
  return bn;
}

/** Applies pending updates the way trainStep does. */
function applyUpdates(updates: StatUpdate[]): void {
  for (const u of updates) {
    u.variable.assign(u.value);
    u.value.dispose();
  }
  updates.length = 0;
}

const close = (a: number[][] | number[], b: number[][] | number[], digits = 4) =>
  (a.flat() as number[]).forEach((v, i) => expect(v).toBeCloseTo((b.flat() as number[])[i], digits));

describe('BatchNorm (PyTorch BatchNorm1d conventions)', () => {
  it('normalizes by the batch mean and biased variance in training', async () => {
    const bn = makeBn();
    const x = batch(1, 2);
    const y = await expectNoLeak(() => tf.tidy(() => bn.apply(tf.tensor2d(x), { training: true, rng: new Rng(0) }).arraySync() as number[][]));
    const { mean, variance } = columnStats(x, false);
    close(y, normalize(x, mean, variance));
    bn.variables().forEach((v) => v.variable.dispose());
  });

  it('updates running statistics with momentum 0.1 and the unbiased variance, then uses them in eval', async () => {
    const bn = makeBn();
    const x1 = batch(2, 3);
    const x2 = batch(3, -1);
    const updates: StatUpdate[] = [];
    await expectNoLeak(() => {
      for (const x of [x1, x2]) {
        tf.tidy(() => {
          bn.apply(tf.tensor2d(x), { training: true, rng: new Rng(0), updates });
        });
        expect(updates.map((u) => u.variable)).toEqual([bn.runningMean, bn.runningVar]);
        applyUpdates(updates);
      }
    });
    // PyTorch: running = (1 - momentum) running + momentum batch, starting from mean 0 and variance 1.
    const s1 = columnStats(x1, true);
    const s2 = columnStats(x2, true);
    const runningMean = [0, 1, 2].map((j) => 0.9 * (0.9 * 0 + 0.1 * s1.mean[j]) + 0.1 * s2.mean[j]);
    const runningVar = [0, 1, 2].map((j) => 0.9 * (0.9 * 1 + 0.1 * s1.variance[j]) + 0.1 * s2.variance[j]);
    close(Array.from(bn.runningMean.dataSync()), runningMean, 5);
    close(Array.from(bn.runningVar.dataSync()), runningVar, 5);

    // Eval: running statistics, no updates, each row independent of the rest of the batch.
    const x3 = batch(4, 0.5);
    const evalUpdates: StatUpdate[] = [];
    const [y, firstAlone] = await expectNoLeak(() =>
      tf.tidy(() => {
        const ctx = { training: false, rng: new Rng(0), updates: evalUpdates };
        return [bn.apply(tf.tensor2d(x3), ctx).arraySync() as number[][], bn.apply(tf.tensor2d([x3[0]]), ctx).arraySync() as number[][]];
      }),
    );
    expect(evalUpdates).toHaveLength(0);
    close(y, normalize(x3, runningMean, runningVar));
    close(firstAlone[0], y[0], 5);
    bn.variables().forEach((v) => v.variable.dispose());
  });

  it('backpropagates through the batch statistics in training but not in eval', async () => {
    // In training each output column has mean beta whatever x is, so d sum(y) / dx = 0; in eval it is gamma / sqrt(var + eps).
    const bn = makeBn();
    const x = batch(5, 1);
    const [gTrain, gEval] = await expectNoLeak(() =>
      tf.tidy(() =>
        [true, false].map(
          (training) => tf.grad((t: tf.Tensor) => tf.sum(bn.apply(t as tf.Tensor2D, { training, rng: new Rng(0) })))(tf.tensor2d(x)).arraySync() as number[][],
        ),
      ),
    );
    gTrain.flat().forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-5));
    gEval.forEach((r) => r.forEach((g, j) => expect(g).toBeCloseTo(GAMMA[j] / Math.sqrt(1 + EPS), 5)));
    bn.variables().forEach((v) => v.variable.dispose());
  });

  it('exposes gamma and beta as trainable, the running statistics as not', () => {
    const bn = new BatchNorm({ name: 'encoder.bn0', dim: 4 });
    expect(bn.variables().map((v) => [v.name, v.trainable])).toEqual([
      ['encoder.bn0.gamma', true],
      ['encoder.bn0.beta', true],
      ['encoder.bn0.runningMean', false],
      ['encoder.bn0.runningVar', false],
    ]);
    expect(bn.summary()[0].params).toBe(8);
    bn.variables().forEach((v) => v.variable.dispose());
  });
});
