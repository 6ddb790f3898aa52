/**
 * Conv training on the wasm backend (which has no Conv2DBackpropFilter kernel): conv2dSame and conv2dTransposeSame's
 * gradients (and outputs) there, held to tfjs's own conv ops on the cpu backend, and a conv VAE that trains on wasm.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, Rng, tf } from '../engine/index.js';
import { resolveConfig } from '../config/index.js';
import { exampleSize, loadDataset } from '../data/index.js';
import { buildModel } from '../models/index.js';
import { evaluateSplit, klWeight, train } from '../train/index.js';
import { tempDir } from '../../test/helpers.js';
import { conv2dSame, conv2dTransposeSame } from './conv-ops.js';

const tmp = tempDir('conv-wasm');
afterAll(tmp.remove);

/** The largest |a - b| over the largest |b|: relative to the gradient's scale, so near-zero entries do not dominate. */
function relError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

interface Case {
  op: 'conv' | 'transpose';
  /** [B, H, W, C] of the op's input. */
  x: [number, number, number, number];
  k: number;
  stride: number;
  /** The op's output channels. */
  out: number;
}

/** The output, input gradient and filter gradient of sum(op(x, W) * r) on the active backend, with fixed random inputs. */
async function outputAndGrads({ op, x: [b, h, w, c], k, stride, out }: Case, reference: boolean): Promise<Float32Array[]> {
  const rng = new Rng(7);
  const x = tf.tensor4d(rng.uniformArray(b * h * w * c), [b, h, w, c]);
  const kernel = tf.tensor4d(rng.normalArray(k * k * c * out), op === 'conv' ? [k, k, c, out] : [k, k, out, c]);
  const f = (xs: tf.Tensor4D, ws: tf.Tensor4D): tf.Tensor4D => {
    if (op === 'conv') return reference ? tf.conv2d(xs, ws, stride, 'same') : conv2dSame(xs, ws, stride);
    return reference ? tf.conv2dTranspose(xs, ws, [b, h * stride, w * stride, out], stride, 'same') : conv2dTransposeSame(xs, ws, [h * stride, w * stride, out], stride);
  };
  const y = f(x, kernel);
  const r = tf.tensor(rng.normalArray(y.size), y.shape);
  const [gx, gw] = tf.grads((xs: tf.Tensor, ws: tf.Tensor) => tf.sum(tf.mul(f(xs as tf.Tensor4D, ws as tf.Tensor4D), r)))([x, kernel]);
  const values = await Promise.all([y, gx, gw].map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([x, kernel, y, r, gx, gw]);
  return values;
}

// Odd sizes (uneven 'same' padding), strides 1 and 2, kernels 1, 3 and 5, batch 1, and a 1x1 stride-2 conv on an
// even size, where 'same' pads nothing and the last row and column are never reached.
const CASES: Case[] = [
  { op: 'conv', x: [1, 7, 5, 3], k: 3, stride: 1, out: 4 },
  { op: 'conv', x: [2, 9, 11, 2], k: 3, stride: 2, out: 3 },
  { op: 'conv', x: [3, 8, 7, 4], k: 5, stride: 2, out: 2 },
  { op: 'conv', x: [1, 5, 5, 2], k: 5, stride: 1, out: 3 },
  { op: 'conv', x: [2, 6, 8, 3], k: 1, stride: 2, out: 5 },
  { op: 'conv', x: [1, 28, 28, 1], k: 3, stride: 2, out: 8 },
  { op: 'transpose', x: [2, 4, 5, 3], k: 3, stride: 2, out: 2 },
  { op: 'transpose', x: [1, 7, 7, 4], k: 3, stride: 2, out: 3 },
  { op: 'transpose', x: [3, 5, 3, 2], k: 5, stride: 1, out: 2 },
  { op: 'transpose', x: [2, 3, 3, 2], k: 1, stride: 2, out: 3 },
  // 8 or more channels out of the input gradient or the transposed conv: wasm runs those as a forward conv of the
  // zero-spread input (conv-ops.ts's transposedConv), the cases above through tfjs's Conv2DBackpropInput.
  { op: 'conv', x: [2, 9, 7, 8], k: 3, stride: 2, out: 4 },
  { op: 'conv', x: [1, 6, 6, 9], k: 1, stride: 2, out: 3 },
  { op: 'conv', x: [2, 7, 5, 8], k: 5, stride: 2, out: 2 },
  { op: 'transpose', x: [2, 5, 4, 3], k: 5, stride: 2, out: 8 },
  { op: 'transpose', x: [1, 3, 3, 2], k: 1, stride: 2, out: 9 },
  { op: 'transpose', x: [2, 4, 3, 5], k: 3, stride: 2, out: 8 },
];

describe('conv gradients on wasm match tfjs on the cpu backend', () => {
  for (const c of CASES) {
    it(`${c.op} x [${c.x.join(', ')}], kernel ${c.k}, stride ${c.stride}, ${c.out} out`, async () => {
      await initBackend('cpu');
      const expected = await outputAndGrads(c, true);
      await initBackend('wasm');
      const before = tf.memory().numTensors;
      const got = await outputAndGrads(c, false);
      expect(tf.memory().numTensors).toBe(before);
      const [output, inputGrad, filterGrad] = got.map((g, i) => relError(g, expected[i]));
      expect(output).toBeLessThan(1e-5);
      expect(inputGrad).toBeLessThan(1e-4);
      expect(filterGrad).toBeLessThan(1e-4);
    });
  }
});

describe('a conv VAE trains on wasm', () => {
  it('mnist-conv-vae: the test loss falls over one short epoch', { timeout: 60_000 }, async () => {
    await initBackend('wasm');
    // 128 digits (102 train, 26 test), batch 16: 7 Adam steps at the preset's lr.
    const config = resolveConfig({ preset: 'mnist-conv-vae', overrides: { data: { name: 'mnist', limit: 128 }, train: { epochs: 1, batchSize: 16 }, backend: 'wasm' } });
    const dataset = loadDataset({ name: 'mnist', limit: 128, seed: 1, testFraction: 0.2 });
    const d = exampleSize(dataset);
    const before = tf.memory().numTensors;
    // The same seed builds the same initial weights train() starts from.
    const fresh = buildModel(config.model, d, new Rng(config.train.seed), { inputShape: dataset.shape });
    const initial = evaluateSplit({ model: fresh, split: dataset.test, d, seed: 'before', klWeight: klWeight(fresh.config, 'unscheduled') });
    fresh.dispose();
    const { model, history } = await train({ config, dataset, runDir: path.join(tmp.dir, 'wasm'), backend: 'wasm' });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(history[0].test.loss).toBeLessThan(initial.loss);
  });
});
