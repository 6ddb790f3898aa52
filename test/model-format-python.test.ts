/** docs/model-format.md is complete: an independent numpy reader (docs/read_vaekit_model.py) reproduces vaekit's encoder and decoder. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng, tf } from '../src/engine/index.js';
import { resolveConfig, type ModelConfig } from '../src/config/index.js';
import { buildModel, evalContext } from '../src/models/index.js';
import { saveModel } from '../src/io/model-files.js';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const script = path.resolve(__dirname, '..', 'docs', 'read_vaekit_model.py');

/** A minimal NPY v1 file of float32 [n, d], C order. */
function npy(data: Float32Array, shape: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}

const cases: { name: string; model: ModelConfig; dim: number; shape?: number[] }[] = [
  { name: 'vae with BatchNorm, Bernoulli', model: resolveConfig({ preset: 'mnist-vae-bn' }).model, dim: 12 },
  { name: 'vae with softplus variance', model: resolveConfig({ preset: 'mnist-vae' }).model, dim: 9 },
  { name: 'swiss roll vae (leaky relu, Gaussian)', model: resolveConfig({ preset: 'swiss-roll-vae' }).model, dim: 2 },
  { name: 'autoencoder with relu code', model: resolveConfig({ preset: 'mnist-ae' }).model, dim: 7 },
  { name: 'poor man vae (sigmoid layers)', model: resolveConfig({ preset: 'poor-man-vae' }).model, dim: 5 },
  {
    name: 'learned-variance Gaussian, tanh/elu, BN before activation',
    model: resolveConfig({
      preset: 'mnist-vae',
      overrides: { model: { encoder: { hidden: [6, 5], activation: ['tanh', 'elu'], batchNorm: 'before' }, likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'sigmoid' } } },
    }).model,
    dim: 4,
  },
  // Conv models on odd image sizes: uneven 'same' padding, a cropping decoder, and BatchNorm per channel.
  { name: 'keras.io conv vae on 9x7x1', model: resolveConfig({ preset: 'mnist-conv-vae' }).model, dim: 63, shape: [9, 7, 1] },
  {
    name: 'conv vae, BatchNorm before tanh, learned-variance Gaussian, 5x6x2',
    model: resolveConfig({
      preset: 'mnist-conv-vae',
      overrides: {
        model: {
          encoder: { filters: [3, 4], batchNorm: 'before', activation: 'tanh' },
          decoder: { filters: [4, 3], kernel: 2, batchNorm: 'after' },
          likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'sigmoid' },
        },
      },
    }).model,
    dim: 60,
    shape: [5, 6, 2],
  },
  { name: 'conv autoencoder on 6x6x3', model: resolveConfig({ preset: 'mnist-conv-ae' }).model, dim: 108, shape: [6, 6, 3] },
  // The conditional VAE reads [x, onehot(y)] and decodes [z, onehot(y)]: the reader needs each example's label.
  { name: 'conditional vae, 4 classes', model: resolveConfig({ preset: 'mnist-cvae', overrides: { model: { classes: 4, latent: 3, encoder: { hidden: [6] }, decoder: { hidden: [5] } } } }).model, dim: 8 },
];

describe.skipIf(!hasNumpy)('the model format read by numpy alone', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('cpu');
    dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-format-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of cases) {
    it(`runs the ${c.name} like vaekit does`, () => {
      const rng = new Rng(7);
      const model = buildModel(c.model, c.dim, rng, { inputShape: c.shape ?? [c.dim] });
      // Give BatchNorm non-trivial running statistics so the reader must use them.
      for (const v of model.variables().filter((v) => !v.trainable)) {
        v.variable.assign(tf.tensor(rng.uniformArray(v.variable.size, 0.5, 2), v.variable.shape));
      }
      const modelDir = path.join(dir, c.name.replace(/\W+/g, '-'));
      saveModel(modelDir, model, { inputShape: c.shape ?? [c.dim], preprocessing: { kind: 'none' } });
      const n = 5;
      const xData = rng.uniformArray(n * c.dim);
      const inputFile = path.join(modelDir, 'x.npy');
      writeFileSync(inputFile, npy(xData, [n, c.dim]));
      // A conditional model gets a label per example, every class present; others get none.
      const labels = model.classes === undefined ? undefined : Int32Array.from({ length: n }, (_, i) => (i * 3) % model.classes!);
      const args = [script, modelDir, inputFile];
      if (labels) {
        args.push(path.join(modelDir, 'y.npy'));
        writeFileSync(args[3], npy(Float32Array.from(labels), [n]));
      }
      const before = tf.memory().numTensors;
      const x = tf.tensor2d(xData, [n, c.dim]);
      const enc = model.encode(x, { ...evalContext(), ...(labels && { labels }) });
      const decoded = model.decode(enc.mean, labels);
      const expected = { mean: enc.mean.arraySync(), logVar: enc.logVar?.arraySync() ?? null, decoded: decoded.arraySync() };
      tf.dispose([x, enc.mean, enc.logVar, decoded]);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();

      const got = JSON.parse(execFileSync('python3', args, { encoding: 'utf8' })) as typeof expected;
      const close = (a: number[][] | null, b: number[][] | null) => {
        expect(a === null).toBe(b === null);
        if (!a || !b) return;
        expect(a.length).toBe(b.length);
        a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i][j], 4)));
      };
      close(got.mean, expected.mean);
      close(got.logVar, expected.logVar);
      close(got.decoded, expected.decoded);
    });
  }
});
