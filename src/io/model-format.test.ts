import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { buildModel, type Model } from '../models/index.js';
import type { GraphOp } from '../nn/index.js';
import { Adam, klWeight, trainStep } from '../train/index.js';
import { ModelError } from '../errors.js';
import { VERSION } from '../version.js';
import { checkTensorCountPerTest, expectNoLeak, maxRelDiff, rejection, tempDir } from '../../test/helpers.js';
import { loadModel, saveModel } from './model-files.js';
import { exportModel, importModel, MODEL_FORMAT_VERSION, type ModelMetadata } from './model-format.js';
import { readEntry } from './tensor-pack.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('model');
afterAll(tmp.remove);

const D = 8;
const meta = { inputShape: [2, 4, 1], preprocessing: { kind: 'scale' as const, scale: 1 / 255 }, labelNames: ['a', 'b'], dataset: 'toy' };
const CONFIGS = {
  'vae-bn-dropout': {
    kind: 'vae',
    latent: 3,
    encoder: { hidden: [6], activation: 'relu', batchNorm: 'before' },
    decoder: { hidden: [6], activation: 'leakyRelu', dropout: 0.2 },
    likelihood: { kind: 'bernoulli' },
  },
  'vae-softplus-learned-gaussian': {
    kind: 'vae',
    latent: 2,
    encoder: { hidden: [5], activation: 'tanh' },
    decoder: { hidden: [5], activation: 'elu' },
    likelihood: { kind: 'gaussian', variance: 'learned' },
    variance: 'softplus',
  },
  autoencoder: { kind: 'autoencoder', latent: 4, latentActivation: 'relu', encoder: { hidden: [] }, decoder: { hidden: [] }, likelihood: { kind: 'bernoulli' } },
  'poor-man-vae-bn-after': {
    kind: 'poor-man-vae',
    latent: 2,
    encoder: { hidden: [5], activation: 'sigmoid', batchNorm: 'after' },
    decoder: { hidden: [5], activation: 'sigmoid' },
    likelihood: { kind: 'squared-error', meanActivation: 'sigmoid' },
  },
} as const;

/** A model with non-initial weights and BatchNorm statistics: a few training steps on random data. */
function trainedModel(config: unknown): Model {
  const model = buildModel(modelSchema.parse(config), D, new Rng(1));
  const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const x = tf.tensor2d(new Rng(2).uniformArray(16 * D), [16, D]);
  for (let i = 0; i < 3; i++) trainStep({ model, adam, x, rng: new Rng(3 + i), klWeight: klWeight(model.config, 'unscheduled') });
  x.dispose();
  adam.dispose();
  return model;
}

/** What a model computes in evaluation mode on fixed inputs: code, log-variance, decoder output, reconstruction. */
function outputs(model: Model): Record<string, number[]> {
  return tf.tidy(() => {
    const x = tf.tensor2d(new Rng(4).uniformArray(5 * D), [5, D]);
    const z = tf.tensor2d(new Rng(5).normalArray(5 * model.latentDim), [5, model.latentDim]);
    const { mean, logVar } = model.encode(x);
    const out: Record<string, tf.Tensor> = { mean, output: model.decoderOutput(z), decode: model.decode(z), reconstruct: model.reconstruct(x) };
    if (logVar) out.logVar = logVar;
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.dataSync())]));
  });
}

/** Runs a list of graph ops in float64 from model.json and weights.bin alone, as docs/model-format.md tells another language to. */
function runGraph(ops: GraphOp[], input: number[][], weights: (name: string) => { shape: number[]; data: Float32Array }): number[][] {
  const act: Record<string, (v: number) => number> = {
    linear: (v) => v,
    relu: (v) => Math.max(0, v),
    leakyRelu: (v) => (v >= 0 ? v : 0.01 * v),
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    tanh: Math.tanh,
    elu: (v) => (v >= 0 ? v : Math.expm1(v)),
    softplus: (v) => Math.log1p(Math.exp(v)),
  };
  return ops.reduce((h, op) => {
    switch (op.op) {
      case 'dense': {
        const { shape, data: w } = weights(op.kernel);
        const b = weights(op.bias).data;
        const m = shape[1]; // kernel [in, out]
        return h.map((row) => Array.from({ length: m }, (_, j) => row.reduce((s, v, i) => s + v * w[i * m + j], b[j])));
      }
      case 'activation':
        return h.map((row) => row.map(act[op.fn]));
      case 'batchnorm': {
        const [mean, variance, gamma, beta] = [op.mean, op.variance, op.gamma, op.beta].map((n) => weights(n).data);
        return h.map((row) => row.map((v, j) => (gamma[j] * (v - mean[j])) / Math.sqrt(variance[j] + op.epsilon) + beta[j]));
      }
      case 'log':
        return h.map((row) => row.map(Math.log));
      default:
        // The conv ops are checked by the numpy reader (test/model-format-python.test.ts).
        throw new Error(`runGraph: op '${op.op}' is not implemented in this reference`);
    }
  }, input);
}

describe('model format', () => {
  for (const [name, config] of Object.entries(CONFIGS)) {
    it(`${name}: save then load gives identical outputs and the metadata`, async () => {
      const dir = path.join(tmp.dir, name);
      await expectNoLeak(() => {
        const model = trainedModel(config);
        const before = outputs(model);
        saveModel(path.join(dir, 'model'), model, meta);
        model.dispose();
        // A run folder and its model folder both load.
        for (const where of [dir, path.join(dir, 'model')]) {
          const loaded = loadModel(where);
          expect(loaded.dir).toBe(path.join(dir, 'model'));
          expect(outputs(loaded.model)).toEqual(before);
          expect(loaded.metadata).toMatchObject({
            format: 'vaekit-model',
            formatVersion: MODEL_FORMAT_VERSION,
            vaekitVersion: VERSION,
            kind: config.kind,
            inputShape: [2, 4, 1],
            inputDim: D,
            latentDim: config.latent,
            preprocessing: meta.preprocessing,
            labelNames: ['a', 'b'],
            dataset: 'toy',
          });
          loaded.model.dispose();
        }
      });
    });

    it(`${name}: the graph in model.json, run from weights.bin in plain JS, reproduces encoder and decoder`, async () => {
      const dir = path.join(tmp.dir, `${name}-graph`);
      const before = await expectNoLeak(() => {
        const model = trainedModel(config);
        saveModel(dir, model, meta);
        const o = outputs(model);
        model.dispose();
        return o;
      });
      const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as ModelMetadata;
      const bytes = new Uint8Array(readFileSync(path.join(dir, json.weightsFile)));
      const weights = (n: string) => {
        const e = json.weights.find((w) => w.name === n);
        if (!e) throw new Error(`no weight ${n}`);
        return { shape: e.shape, data: readEntry(bytes, e) };
      };
      const x = Array.from({ length: 5 }, (_, i) => Array.from(new Rng(4).uniformArray(5 * D).subarray(i * D, (i + 1) * D)));
      const z = Array.from({ length: 5 }, (_, i) => Array.from(new Rng(5).normalArray(5 * json.latentDim).subarray(i * json.latentDim, (i + 1) * json.latentDim)));
      const h = runGraph(json.graph.encoder, x, weights);
      expect(maxRelDiff(runGraph(json.graph.heads.mean, h, weights).flat(), before.mean)).toBeLessThan(1e-5);
      if (json.graph.heads.logVar) expect(maxRelDiff(runGraph(json.graph.heads.logVar, h, weights).flat(), before.logVar)).toBeLessThan(1e-5);
      expect(maxRelDiff(runGraph(json.graph.decoder, z, weights).flat(), before.output)).toBeLessThan(1e-5);
    });
  }

  it('imports from bytes alone, as a browser would after fetch', async () => {
    await expectNoLeak(() => {
      const model = trainedModel(CONFIGS['vae-bn-dropout']);
      const { metadata, weights } = exportModel(model, meta);
      const again = importModel(JSON.parse(JSON.stringify(metadata)), weights);
      expect(outputs(again.model)).toEqual(outputs(model));
      model.dispose();
      again.model.dispose();
    });
  });
});

describe('loading a damaged model folder', () => {
  const dir = path.join(tmp.dir, 'tamper');
  const jsonPath = path.join(dir, 'model.json');
  let original = '';

  beforeAll(async () => {
    await expectNoLeak(() => {
      const model = trainedModel(CONFIGS['vae-bn-dropout']);
      saveModel(dir, model, meta);
      model.dispose();
    });
    original = readFileSync(jsonPath, 'utf8');
  });

  /** Writes a modified model.json and returns the error loading it gives (asserting nothing leaks). */
  async function loadWith(edit: (m: ModelMetadata) => void): Promise<Error> {
    const m = JSON.parse(original) as ModelMetadata;
    edit(m);
    writeFileSync(jsonPath, JSON.stringify(m));
    const err = await expectNoLeak(() => rejection(() => loadModel(dir)));
    writeFileSync(jsonPath, original);
    expect(err).toBeInstanceOf(ModelError);
    return err;
  }

  it('a weight with the wrong shape: names the file, the weight and both shapes', async () => {
    const err = await loadWith((m) => {
      const e = m.weights.find((w) => w.name === 'encoder.dense0.kernel')!;
      e.shape = [4, 12]; // same size, other shape
    });
    expect(err.message).toBe(`${jsonPath}: weight 'encoder.dense0.kernel' has shape [4, 12], expected [8, 6]`);
  });

  it('a newer formatVersion: names the file and says to upgrade', async () => {
    const err = await loadWith((m) => (m.formatVersion = MODEL_FORMAT_VERSION + 1));
    expect(err.message).toBe(
      `${jsonPath}: formatVersion ${MODEL_FORMAT_VERSION + 1} is newer than this vaekit (${VERSION}) reads (${MODEL_FORMAT_VERSION}); upgrade vaekit`,
    );
  });

  it('a missing or malformed weight entry, a wrong format tag, a latent size that disagrees, a bad config: each names the file', async () => {
    const cases: [(m: ModelMetadata) => void, RegExp][] = [
      [(m) => (m.weights = m.weights.filter((w) => w.name !== 'decoder.out.bias')), /graph\.decoder\[\d+\]\.bias is 'decoder\.out\.bias', expected the name of a weight in the manifest/],
      [(m) => ((m.weights[0] as unknown) = null), /weights\[0\] is null, expected \{ name, shape, dtype, offset, byteLength \}/],
      [(m) => delete (m.weights[0] as Partial<ModelMetadata['weights'][0]>).shape, /weights\[0\]\.shape \('encoder\.dense0\.kernel'\) is missing, expected a list of integers >= 0/],
      [(m) => ((m.weights[1] as { offset: unknown }).offset = '0'), /weights\[1\]\.offset \('encoder\.dense0\.bias'\) is '0', expected an integer >= 0/],
      [(m) => ((m as { format: string }).format = 'keras'), /format is 'keras', expected 'vaekit-model'/],
      [(m) => (m.latentDim = 7), /latentDim 7 does not match config\.latent 3/],
      [(m) => ((m.config as { latent: unknown }).latent = -1), /config is not a valid model config \(latent: /],
      [(m) => (m.inputShape = [9]), /inputDim is 8, expected 9 \(the product of inputShape \[9\]\)/],
    ];
    for (const [edit, message] of cases) {
      const err = await loadWith(edit);
      expect(err.message.startsWith(`${jsonPath}: `)).toBe(true);
      expect(err.message).toMatch(message);
    }
  });

  it('a truncated weights file or invalid JSON: names the file', async () => {
    const weightsPath = path.join(dir, 'weights.bin');
    const bytes = readFileSync(weightsPath);
    writeFileSync(weightsPath, bytes.subarray(0, 100));
    const short = await expectNoLeak(() => rejection(() => loadModel(dir)));
    writeFileSync(weightsPath, bytes);
    expect(short).toBeInstanceOf(ModelError);
    expect(short.message).toBe(`${weightsPath}: the file has 100 bytes, expected ${bytes.byteLength} (weightsByteLength in ${jsonPath})`);

    writeFileSync(jsonPath, '{"format": ');
    const bad = await rejection(() => loadModel(dir));
    writeFileSync(jsonPath, original);
    expect(bad).toBeInstanceOf(ModelError);
    expect(bad.message).toMatch(new RegExp(`^${jsonPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));

    const empty = path.join(tmp.dir, 'nothing-here');
    mkdirSync(empty, { recursive: true });
    expect((await rejection(() => loadModel(empty))).message).toMatch(/nothing-here: no model found \(expected .*model\.json/);
  });
});
