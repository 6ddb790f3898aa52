/**
 * The checks every model load passes (model-check.ts): each corruption found by the adversarial pass, written into a
 * copy of a valid saved model, fails with one ModelError naming the file, the field, the value and what was expected,
 * before any tensor is built; the valid model still loads bit-identically.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import { ModelError } from '../errors.js';
import { expectNoLeak, rejection, tempDir } from '../../test/helpers.js';
import { loadModel, saveModel } from './model-files.js';
import { exportModel, type ModelMetadata } from './model-format.js';
import { MAX_ABS_WEIGHT, MAX_INPUT_VALUES } from './model-check.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const tmp = tempDir('model-check');
afterAll(tmp.remove);

const D = 8;
const good = path.join(tmp.dir, 'good');
const meta = { inputShape: [2, 4, 1], preprocessing: { kind: 'standardize' as const, mean: new Array(D).fill(0.5), std: new Array(D).fill(2) } };

beforeAll(() => {
  const config = modelSchema.parse({ kind: 'vae', latent: 2, encoder: { hidden: [6], activation: 'relu', batchNorm: 'before' }, decoder: { hidden: [6] }, likelihood: { kind: 'bernoulli' } });
  const model = buildModel(config, D, new Rng(1), { inputShape: meta.inputShape });
  saveModel(good, model, meta);
  model.dispose();
});

let copies = 0;
/** A copy of the good model with model.json edited by `json` and weights.bin by `weights`; returns its folder. */
function corrupted(edit: { json?: (m: ModelMetadata) => void; weights?: (view: DataView, m: ModelMetadata) => void }): string {
  const dir = path.join(tmp.dir, `bad-${copies++}`);
  cpSync(good, dir, { recursive: true });
  const m = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as ModelMetadata;
  edit.json?.(m);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(m));
  const bytes = readFileSync(path.join(dir, 'weights.bin'));
  edit.weights?.(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), m);
  writeFileSync(path.join(dir, 'weights.bin'), bytes);
  return dir;
}

/** Sets value `j` of weight `name` in the weight bytes. */
const setWeight = (name: string, j: number, value: number) => (view: DataView, m: ModelMetadata) => {
  view.setFloat32(m.weights.find((e) => e.name === name)!.offset + 4 * j, value, true);
};

const KERNEL = 'encoder.dense0.kernel';
const weightValues = `expected finite values with |w| <= ${MAX_ABS_WEIGHT}`;

/** [what, corruption, the file the error names, the rest of the message]. */
const CASES: [string, Parameters<typeof corrupted>[0], 'model.json' | 'weights.bin', string][] = [
  ['an inputShape of 1e12 values', { json: (m) => ((m.inputShape = [1e6, 1e6]), (m.inputDim = 1e12)) }, 'model.json',
    `inputShape [1000000, 1000000] holds 1000000000000 values per example, expected at most ${MAX_INPUT_VALUES} (2^28)`],
  ['an inputShape that disagrees with inputDim', { json: (m) => (m.inputShape = [3, 4, 1]) }, 'model.json', 'inputDim is 8, expected 12 (the product of inputShape [3, 4, 1])'],
  ['a NaN weight', { weights: setWeight(KERNEL, 5, NaN) }, 'weights.bin', `weight '${KERNEL}' [5] is NaN, ${weightValues}`],
  ['an infinite weight', { weights: setWeight('decoder.out.bias', 0, -Infinity) }, 'weights.bin', `weight 'decoder.out.bias' [0] is -Infinity, ${weightValues}`],
  ['a weight of 1e30', { weights: setWeight(KERNEL, 0, 1e30) }, 'weights.bin', `weight '${KERNEL}' [0] is ${Math.fround(1e30)}, ${weightValues}`],
  ['a negative BatchNorm variance', { weights: setWeight('encoder.bn0.runningVar', 2, -1) }, 'weights.bin', `weight 'encoder.bn0.runningVar' [2] is -1, expected a variance in [0, ${MAX_ABS_WEIGHT}]`],
  ['kind "gan"', { json: (m) => ((m as { kind: string }).kind = 'gan') }, 'model.json', "kind is 'gan', expected one of autoencoder, vae, poor-man-vae, cvae, beta-tcvae, dip-vae, info-vae, wae-mmd, rae, factor-vae, vq-vae, vamp-prior, flow-vae, hierarchical-vae"],
  ['a kind that disagrees with the config', { json: (m) => (m.kind = 'autoencoder') }, 'model.json', "kind is 'autoencoder', expected config.kind 'vae'"],
  ['a missing graph', { json: (m) => delete (m as Partial<ModelMetadata>).graph }, 'model.json', 'graph is missing, expected { encoder, heads: { mean, logVar? }, decoder }, each a list of ops'],
  ['an unknown graph op', { json: (m) => ((m.graph.decoder[0] as { op: string }).op = 'softmax') }, 'model.json',
    'graph.decoder[0].op is \'softmax\', expected one of dense, activation, batchnorm, log, reshape, conv2d, conv2dTranspose, crop, transpose'],
  ['a graph naming a weight not in the manifest', { json: (m) => ((m.graph.encoder[0] as { kernel: string }).kernel = 'encoder.nothing') }, 'model.json',
    "graph.encoder[0].kernel is 'encoder.nothing', expected the name of a weight in the manifest"],
  ['a float64 manifest dtype', { json: (m) => ((m.weights[0] as { dtype: string }).dtype = 'float64') }, 'model.json',
    "weights[0].dtype ('encoder.dense0.kernel') is 'float64', expected 'float32' (the only dtype of format version 1)"],
  ['a shape that disagrees with its byte length', { json: (m) => (m.weights[0].shape = [8, 7]) }, 'model.json',
    "weights[0].byteLength ('encoder.dense0.kernel') is 192, expected 224 (4 bytes for each of the 56 values of shape [8, 7])"],
  ['a shape that disagrees with the architecture', { json: (m) => (m.weights[0].shape = [6, 8]) }, 'model.json', "weight 'encoder.dense0.kernel' has shape [6, 8], expected [8, 6]"],
  ['a zero std', { json: (m) => ((m.preprocessing as { std: number[] }).std[3] = 0) }, 'model.json', 'preprocessing.std[3] is 0, expected a finite number > 0'],
  ['a non-finite mean (JSON writes NaN as null)', { json: (m) => ((m.preprocessing as { mean: number[] }).mean[1] = NaN) }, 'model.json', 'preprocessing.mean[1] is null, expected a finite number'],
  ['a missing top-level likelihood (summary read its kind)', { json: (m) => delete (m as Partial<ModelMetadata>).likelihood }, 'model.json', "likelihood is null, expected config.likelihood's kind 'bernoulli'"],
  ['a top-level likelihood that disagrees with the config', { json: (m) => ((m.likelihood as { kind: string }).kind = 'float32') }, 'model.json', `likelihood is {"kind":"float32"}, expected config.likelihood's kind 'bernoulli'`],
  ['tabular columns that leave inputs uncovered', { json: (m) => (m.columns = [{ name: 'a', kind: 'numeric', index: 0 }]) }, 'model.json', 'columns cover 1 of the 8 inputs, expected all of them'],
  ['two columns over one input', {
    json: (m) => (m.columns = [{ name: 'a', kind: 'numeric', index: 0 }, { name: 'b', kind: 'categorical', start: 0, labels: ['x', 'y'] }]),
  }, 'model.json', "columns[1] ('b') spans values 0..1, outside the 8 inputs or over another column"],
  ['categorical blocks with no columns', { json: (m) => (m.likelihood = { kind: 'bernoulli', categorical: [{ start: 0, size: 2 }] }) }, 'model.json',
    'likelihood.categorical has 1 block(s) but there are no columns, expected the columns they belong to'],
  ['columns whose categories are not the likelihood blocks', {
    json: (m) => (m.columns = [{ name: 'b', kind: 'categorical', start: 0, labels: ['x', 'y'] }, ...Array.from({ length: 6 }, (_, j) => ({ name: `n${j}`, kind: 'numeric' as const, index: j + 2 }))]),
  }, 'model.json', "likelihood.categorical is missing, expected the categorical columns' blocks (start+size: 0+2)"],
];

describe('loading a corrupted model', () => {
  it.each(CASES)('%s: one ModelError naming the file, the field and the value', async (_what, edit, file, message) => {
    const dir = corrupted(edit);
    const err = await expectNoLeak(() => rejection(() => loadModel(dir)));
    expect(err).toBeInstanceOf(ModelError);
    expect(err.message).toBe(`${path.join(dir, file)}: ${message}`);
    expect(err.message).not.toContain('\n');
  });

  it('a config of 1e12 hidden units (once a RangeError in every command): refused before anything is built', async () => {
    const dir = corrupted({ json: (m) => ((m.config.decoder as { hidden: number[] }).hidden = [1e12]) });
    const total = (JSON.parse(readFileSync(path.join(good, 'model.json'), 'utf8')) as ModelMetadata).weights.reduce((n, e) => n + e.byteLength / 4, 0);
    const err = await expectNoLeak(() => rejection(() => loadModel(dir)));
    expect(err).toBeInstanceOf(ModelError);
    expect(err.message).toBe(`${path.join(dir, 'model.json')}: config is not a valid model config (decoder.hidden.0: expected at most 65536 units in a layer)`);
    // Within the schema's caps, a width the manifest's weights cannot hold is refused by size, still before building.
    const wide = corrupted({ json: (m) => ((m.config.decoder as { hidden: number[] }).hidden = [60000]) });
    const err2 = await expectNoLeak(() => rejection(() => loadModel(wide)));
    expect(err2).toBeInstanceOf(ModelError);
    expect(err2.message).toMatch(new RegExp(`^${path.join(wide, 'model.json')}: config.decoder.hidden\\[0\\] implies \\d+ values in one weight, expected at most ${total} \\(all the weights in the manifest\\)$`));
  });

  it('model.json that is not JSON: one line, though V8 quotes the text around the fault with its newlines', async () => {
    const dir = corrupted({});
    const text = readFileSync(path.join(good, 'model.json'), 'utf8');
    writeFileSync(path.join(dir, 'model.json'), text.replace('"kind": "vae"', '"kind": vae'));
    const err = await rejection(() => loadModel(dir));
    expect(err).toBeInstanceOf(ModelError);
    expect(err.message).toMatch(new RegExp(`^${path.join(dir, 'model.json')}: not valid JSON \\(Unexpected token 'v'.*\\)$`));
    expect(err.message).not.toContain('\n');
  });

  it('a valid model loads bit-identically: its weights and metadata export back to the same bytes', async () => {
    const { model, metadata } = loadModel(good);
    const again = exportModel(model, metadata);
    model.dispose();
    expect(Buffer.from(again.weights).equals(readFileSync(path.join(good, 'weights.bin')))).toBe(true);
    expect(JSON.parse(JSON.stringify(again.metadata))).toEqual(JSON.parse(readFileSync(path.join(good, 'model.json'), 'utf8')));
  });
});

