/**
 * The seeded fuzz corpus of every reader, shared by `npm run fuzz` (scripts/fuzz.ts, thousands of cases each) and the
 * test suite (a few hundred): each case mutates a valid model folder or run's checkpoints (byte flips, truncation,
 * JSON field mutations, NaN/Inf/huge weights, wrong shapes, huge sizes, missing files) or a valid data file (CSV, NPY,
 * IDX and gzipped IDX, a folder of PNGs, a safetensors import), loads it through the loaders the commands use
 * (loadModel; loadCheckpoint as `train --resume` calls it; loadDataset; importSafetensors), and classifies the outcome.
 * A case is reproduced from its seed alone.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng, tf } from '../src/engine/index.js';
import { loadDataset, type Dataset } from '../src/data/index.js';
import { resolveConfig } from '../src/config/index.js';
import { buildModel } from '../src/models/index.js';
import { loadModel, saveModel } from '../src/io/model-files.js';
import { loadCheckpoint, train, Trainer } from '../src/train/index.js';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { VaekitError } from '../src/errors.js';
import { exportRun, importSafetensors } from '../src/export/index.js';

/** How a case ended: `ok` (a model or checkpoint came back, usable), `fallback` (resume passed over the latest
 * checkpoint, saying so), `refused` (a one-line VaekitError), or a failure: `crash` (any other error, or a message
 * that is not one line) or `slow` (over the time limit; in-process code cannot be stopped, so it is measured). */
export type Outcome = 'ok' | 'fallback' | 'refused' | 'crash' | 'slow';

/** The fuzzed readers: model folders, checkpoints, and each data-file and import format. */
export const CORPORA = ['models', 'checkpoints', 'csv', 'npy', 'idx', 'idx-gz', 'png', 'safetensors'] as const;
export type Corpus = (typeof CORPORA)[number];

export interface CaseResult {
  corpus: Corpus;
  seed: string;
  base: string;
  mutation: string;
  outcome: Outcome;
  message?: string;
  ms: number;
}

/** A case over this many milliseconds counts as a hang. */
export const SLOW_MS = 5000;
/** A refusal message longer than this is not the one line a user reads. */
const MAX_MESSAGE = 600;

/**
 * One random byte-level mutation, 1 to 4 times: flip a bit, insert a byte, delete a few, truncate, duplicate a span,
 * or splice in a special sequence (NaN, Inf, a comma, a quote, a high float exponent). Works on typed arrays, so a
 * weights file of megabytes costs no more than copying it.
 */
export function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  let b = Uint8Array.from(bytes);
  const specials = [[0], [0xff], [0x2c], [0x0a], [0x22], [0x4e, 0x61, 0x4e], [0x49, 0x6e, 0x66], [0x2d], [0x2e], [0x80, 0x00, 0x00, 0x00], [0x00, 0x00, 0xc0, 0x7f]];
  const splice = (at: number, remove: number, insert: ArrayLike<number>) => {
    const out = new Uint8Array(b.length - Math.min(remove, b.length - at) + insert.length);
    out.set(b.subarray(0, at));
    out.set(insert, at);
    out.set(b.subarray(Math.min(b.length, at + remove)), at + insert.length);
    b = out;
  };
  const times = 1 + rng.int(4);
  for (let t = 0; t < times; t++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (b.length) b[Math.min(at, b.length - 1)] ^= 1 << rng.int(8);
        break;
      case 1:
        splice(at, 0, [rng.int(256)]);
        break;
      case 2:
        splice(at, 1 + rng.int(4), []);
        break;
      case 3:
        b = b.slice(0, at);
        break;
      case 4: {
        const from = rng.int(b.length + 1);
        splice(at, 0, b.slice(from, from + rng.int(64)));
        break;
      }
      default:
        splice(at, 0, specials[rng.int(specials.length)]);
    }
  }
  return b;
}

/** Values a JSON field is replaced with: wrong types, out-of-range and huge numbers, empty containers. */
const ODD_VALUES: unknown[] = [null, true, 0, -1, 0.5, 1e12, -1e308, 2 ** 53 + 2, 'NaN', '', 'float64', 'gan', [], {}, [0], [1e9, 1e9], [-3, 2], { kind: 'x' }, 'x'.repeat(300)];

/** Every path to a value in a JSON tree, up to `limit` (large arrays are sampled by their first few elements). */
function jsonPaths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.slice(0, 4).forEach((v, i) => jsonPaths(v, [...at, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) jsonPaths(v, [...at, k], out);
  return out;
}

/** Replaces (or deletes, or pads) the value at a random path of `json`; returns a description. */
function mutateJson(json: Record<string, unknown>, rng: Rng, prefer?: RegExp): string {
  let paths = jsonPaths(json).filter((p) => p.length > 0);
  const preferred = prefer ? paths.filter((p) => prefer.test(p.join('.'))) : [];
  if (preferred.length > 0 && rng.uniform() < 0.6) paths = preferred;
  const p = paths[rng.int(paths.length)];
  const parent = p.slice(0, -1).reduce<any>((o, k) => o[k], json);
  const key = p[p.length - 1];
  const r = rng.uniform();
  if (r < 0.15) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
    return `delete ${p.join('.')}`;
  }
  if (r < 0.25 && typeof parent[key] === 'number') {
    parent[key] = parent[key] + (rng.uniform() < 0.5 ? 1 : -1);
    return `${p.join('.')} +-1`;
  }
  const v = ODD_VALUES[rng.int(ODD_VALUES.length)];
  parent[key] = structuredClone(v);
  return `${p.join('.')} = ${JSON.stringify(v)?.slice(0, 20)}`;
}

/** Writes float32 `value` at a random element of a random entry of a manifest into `bytes`. */
function poisonWeight(bytes: Uint8Array, entries: { name: string; offset: number; byteLength: number }[], rng: Rng): string {
  const specials = [NaN, Infinity, -Infinity, 1e30, -3e38, 1e7];
  const e = entries[rng.int(entries.length)];
  const j = rng.int(Math.max(1, e.byteLength / 4));
  const v = specials[rng.int(specials.length)];
  if (e.offset + 4 * j + 4 <= bytes.length) new DataView(bytes.buffer, bytes.byteOffset).setFloat32(e.offset + 4 * j, v, true);
  return `${e.name}[${j}] = ${v}`;
}

/** Changes one dimension of a random entry's shape (and, half the time, its byteLength to match). */
function wrongShape(json: { weights?: { name: string; shape: number[]; byteLength: number }[]; tensors?: { name: string; shape: number[]; byteLength: number }[] }, rng: Rng): string {
  const list = (json.weights ?? json.tensors)!;
  const e = list[rng.int(list.length)];
  if (e.shape.length === 0) e.shape.push(2);
  const d = rng.int(e.shape.length);
  e.shape[d] = rng.uniform() < 0.5 ? e.shape[d] + 1 : Math.max(0, e.shape[d] - 1);
  if (rng.uniform() < 0.5) e.byteLength = e.shape.reduce((a, b) => a * b, 1) * 4;
  return `${e.name}.shape[${d}] = ${e.shape[d]}`;
}

/** Sets a size field to something enormous. */
function hugeSize(json: Record<string, any>, rng: Rng, fields: string[]): string {
  const field = fields[rng.int(fields.length)];
  const huge = [2 ** 40, 1e12, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e300][rng.int(5)];
  const list = (json.weights ?? json.tensors) as Record<string, any>[];
  const e = list[rng.int(list.length)];
  switch (field) {
    case 'inputShape':
      json.inputShape = [huge, huge];
      break;
    case 'entry.shape':
      e.shape = [huge, 4];
      break;
    case 'entry.offset':
      e.offset = huge;
      break;
    case 'entry.byteLength':
      e.byteLength = huge;
      break;
    default:
      json[field] = huge;
  }
  return `${field} = ${huge}`;
}

/** The valid things each case starts from: model folders, run folders with two checkpoints, and a valid file of each data format. */
export interface Bases {
  dir: string;
  models: { name: string; json: string; weights: Uint8Array }[];
  /** A valid file of each data-file corpus (and the safetensors of a base model), as bytes. */
  files: Record<Exclude<Corpus, 'models' | 'checkpoints'>, Uint8Array>;
  runs: { name: string; dir: string; config: ReturnType<typeof resolveConfig>; dataset: Dataset }[];
}

/**
 * Builds the bases in `dir`: model folders of four kinds (an MLP VAE, one with BatchNorm, a conv VAE, a CVAE; freshly
 * initialized, which is all the loader reads) and two tiny 2-epoch runs (an MLP VAE and a BatchNorm VAE with dropout).
 */
export async function makeBases(dir: string): Promise<Bases> {
  mkdirSync(dir, { recursive: true });
  const models: Bases['models'] = [];
  const image = [28, 28, 1];
  const specs: [string, string, number[], Record<string, unknown>][] = [
    ['swiss-roll-vae', 'swiss-roll-vae', [2], {}],
    ['mnist-vae-bn', 'mnist-vae-bn', image, { encoder: { hidden: [16] }, decoder: { hidden: [16] } }],
    ['mnist-conv-vae', 'mnist-conv-vae', image, {}],
    ['mnist-cvae', 'mnist-cvae', image, { encoder: { hidden: [16] }, decoder: { hidden: [16] } }],
  ];
  for (const [name, preset, inputShape, model] of specs) {
    const config = resolveConfig({ preset, overrides: { model } as never });
    const m = buildModel(config.model, inputShape.reduce((a, b) => a * b, 1), new Rng(1), { inputShape });
    const folder = path.join(dir, 'base-models', name);
    saveModel(folder, m, { inputShape, preprocessing: { kind: 'none' } });
    m.dispose();
    models.push({ name, json: readFileSync(path.join(folder, 'model.json'), 'utf8'), weights: readFileSync(path.join(folder, 'weights.bin')) });
  }
  const runs: Bases['runs'] = [];
  const roll = loadDataset({ name: 'swiss-roll', n: 200, seed: 1, testFraction: 0.2 });
  const runSpecs: [string, string, Dataset, Record<string, unknown>][] = [
    ['swiss-roll-vae', 'swiss-roll-vae', roll, {}],
    ['mnist-vae-bn', 'mnist-vae-bn', loadDataset({ name: 'mnist', limit: 128, seed: 1, testFraction: 0.25 }), { encoder: { hidden: [16] }, decoder: { hidden: [16] } }],
  ];
  for (const [name, preset, dataset, model] of runSpecs) {
    const config = resolveConfig({ preset, overrides: { model, train: { epochs: 2, batchSize: 32 } } as never });
    const runDir = path.join(dir, 'base-runs', name);
    const { model: trained } = await train({ config, dataset, runDir, backend: tf.getBackend() });
    trained.dispose();
    runs.push({ name, dir: runDir, config, dataset });
  }
  // One valid file per data reader: small, so a case is quick, and with labels where the format has them.
  const png = new PNG({ width: 6, height: 5, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 53) % 256;
  const exported = path.join(dir, 'exported');
  exportRun({ run: path.join(dir, 'base-models', 'swiss-roll-vae'), format: 'pytorch', out: exported });
  const files: Bases['files'] = {
    csv: new TextEncoder().encode('a,b,c,label\n1,2,3,x\n4,5.5,-6,y\n7,8e-1,9,x\n0,0,1,y\n"2",3,"4",x\n'),
    npy: npyBytes(),
    idx: idxBytes(),
    'idx-gz': gzipSync(idxBytes()),
    png: PNG.sync.write(png),
    safetensors: readFileSync(path.join(exported, 'model.safetensors')),
  };
  return { dir, models, runs, files };
}

/** A valid .npy: float32 [4, 2]. */
export function npyBytes(): Uint8Array {
  const data = new Float32Array([0.5, -1, 2, 3.25, 4, 5, 6, 7]);
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }";
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}

/** A valid IDX image file: 6 images of 3 x 2 unsigned bytes. */
export function idxBytes(): Uint8Array {
  const [n, h, w] = [6, 3, 2];
  const out = new Uint8Array(16 + n * h * w);
  const view = new DataView(out.buffer);
  [0x00000803, n, h, w].forEach((v, i) => view.setUint32(4 * i, v));
  for (let i = 16; i < out.length; i++) out[i] = (i * 37) % 256;
  return out;
}

/** The file name each data corpus writes its case to, so the loaders take it by its name. */
const DATA_FILE: Record<keyof Bases['files'], string> = { csv: 'x.csv', npy: 'x.npy', idx: 'x-idx3-ubyte', 'idx-gz': 'x-idx3-ubyte.gz', png: 'images', safetensors: 'model.safetensors' };

/**
 * One mutated data file (or import), read as the commands read it: CSV, NPY and IDX (raw or gzipped; with and without
 * --limit, which takes the example-by-example reader) through loadDataset; a folder of six PNG images, one to three of
 * them mutated, through loadDataset; a safetensors file through importSafetensors into a new run folder. A dataset
 * that loads must hold finite values.
 */
export function dataCase(bases: Bases, corpus: keyof Bases['files'], seed: string, work: string): CaseResult {
  const rng = new Rng(seed);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const target = path.join(work, DATA_FILE[corpus]);
  let mutation: string;
  if (corpus === 'png') {
    mkdirSync(target);
    const bad = 1 + rng.int(3);
    for (let i = 0; i < 6; i++) writeFileSync(path.join(target, `${i}.png`), i < bad ? mutate(bases.files.png, rng) : bases.files.png);
    mutation = `${bad} of 6 images mutated`;
  } else {
    // A gzipped IDX is mutated inside the gzip as often as through it.
    const inner = corpus === 'idx-gz' && rng.uniform() < 0.5;
    writeFileSync(target, inner ? gzipSync(mutate(bases.files.idx, rng)) : mutate(bases.files[corpus], rng));
    mutation = inner ? 'mutated inside the gzip' : 'mutated bytes';
  }
  const limit = rng.uniform() < 0.5 ? 2 : undefined;
  const result = classify(() => {
    if (corpus === 'safetensors') {
      importSafetensors({ file: target, out: path.join(work, 'imported') });
      return 'ok';
    }
    const ds = loadDataset({ name: target, seed: 1, testFraction: 0.25, limit, labelColumn: corpus === 'csv' ? 'label' : undefined });
    if (![ds.train.x, ds.test.x].every((x) => x.every(Number.isFinite))) throw new Error(`a dataset that loaded from ${target} holds non-finite values`);
    return 'ok';
  });
  return { corpus, seed, base: DATA_FILE[corpus], mutation: `${mutation}${limit ? ', --limit 2' : ''}`, ...result };
}


/** Runs `load`, classifying what it did; `load` returns 'ok' or 'fallback' when it produced a result. */
function classify(load: () => 'ok' | 'fallback'): Pick<CaseResult, 'outcome' | 'message' | 'ms'> {
  const t0 = performance.now();
  let outcome: Outcome;
  let message: string | undefined;
  try {
    outcome = load();
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
    const oneLine = !message.includes('\n') && message.length <= MAX_MESSAGE;
    outcome = err instanceof VaekitError && oneLine ? 'refused' : 'crash';
    if (!(err instanceof VaekitError)) message = `${(err as Error)?.name ?? 'throw'}: ${message}`;
  }
  const ms = performance.now() - t0;
  return { outcome: outcome !== 'crash' && ms > SLOW_MS ? 'slow' : outcome, message, ms };
}

/**
 * One mutated model folder, written to `work` and loaded with loadModel as every command does; a model that loads
 * must also reconstruct two examples to finite values.
 */
export function modelCase(bases: Bases, seed: string, work: string): CaseResult {
  const rng = new Rng(seed);
  const base = bases.models[rng.int(bases.models.length)];
  let json: string = base.json;
  let weights: Uint8Array = Uint8Array.from(base.weights);
  const parsed = JSON.parse(json) as Record<string, any>;
  const kinds = ['json bytes', 'weights bytes', 'truncate json', 'truncate weights', 'json field', 'json field', 'poison weight', 'wrong shape', 'huge size', 'missing file', 'two mutations'];
  const kind = kinds[rng.int(kinds.length)];
  const apply = (k: string): string => {
    switch (k) {
      case 'json bytes':
        json = new TextDecoder().decode(mutate(new TextEncoder().encode(json), rng));
        return k;
      case 'weights bytes':
        weights = mutate(weights, rng);
        return k;
      case 'truncate json':
        json = json.slice(0, rng.int(json.length));
        return `${k} to ${json.length}`;
      case 'truncate weights':
        weights = weights.subarray(0, rng.int(weights.length));
        return `${k} to ${weights.length}`;
      case 'json field': {
        const what = mutateJson(parsed, rng, /^(kind|inputShape|inputDim|latentDim|weights|graph|preprocessing|config|weightsByteLength|formatVersion)/);
        json = JSON.stringify(parsed);
        return what;
      }
      case 'poison weight':
        return poisonWeight(weights, parsed.weights, rng);
      case 'wrong shape': {
        const what = wrongShape(parsed, rng);
        json = JSON.stringify(parsed);
        return what;
      }
      case 'huge size': {
        const what = hugeSize(parsed, rng, ['inputShape', 'inputDim', 'weightsByteLength', 'latentDim', 'entry.shape', 'entry.offset', 'entry.byteLength']);
        json = JSON.stringify(parsed);
        return what;
      }
      case 'missing file':
        return rng.uniform() < 0.5 ? ((json = ''), 'no model.json') : ((weights = new Uint8Array(0)), 'no weights.bin');
      default:
        return [apply(kinds[rng.int(kinds.length - 2)]), apply(kinds[rng.int(kinds.length - 2)])].join(' + ');
    }
  };
  const mutation = apply(kind);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  if (!(mutation.includes('no model.json'))) writeFileSync(path.join(work, 'model.json'), json);
  if (!(mutation.includes('no weights.bin'))) writeFileSync(path.join(work, 'weights.bin'), weights);
  const result = classify(() => {
    const { model, metadata } = loadModel(work);
    try {
      // A loaded model is used: it reconstructs two examples to finite values, as the commands' first step does.
      const finite = tf.tidy(() => {
        const labels = model.classes === undefined ? undefined : Int32Array.from([0, 1]);
        const xRecon = model.reconstruct(tf.fill([2, model.inputDim], 0.5) as tf.Tensor2D, labels); // [2, D]
        return (xRecon.dataSync() as Float32Array).every(Number.isFinite);
      });
      if (!finite) throw new Error(`a model that loaded (${metadata.kind}) gives non-finite outputs`);
    } finally {
      model.dispose();
    }
    return 'ok';
  });
  return { corpus: 'models', seed, base: base.name, mutation, ...result };
}

/**
 * One mutated run's checkpoints (the latest, sometimes the one before or latest.json too), copied to `work` and loaded
 * with loadCheckpoint into a fresh model and Adam as `train --resume` does; the restored RNG must then draw.
 */
export function checkpointCase(bases: Bases, seed: string, work: string): CaseResult {
  const rng = new Rng(seed);
  const base = bases.runs[rng.int(bases.runs.length)];
  rmSync(work, { recursive: true, force: true });
  cpSync(path.join(base.dir, 'checkpoints'), path.join(work, 'checkpoints'), { recursive: true });
  const kinds = ['state bytes', 'tensors bytes', 'truncate state', 'truncate tensors', 'state field', 'state field', 'rng field', 'poison tensor', 'wrong shape', 'huge size', 'missing file', 'latest.json', 'both checkpoints'];
  const kind = kinds[rng.int(kinds.length)];
  const mutateEpoch = (epoch: number, k: string): string => {
    const dir = path.join(work, 'checkpoints', `epoch-000${epoch}`);
    const statePath = path.join(dir, 'state.json');
    const tensorsPath = path.join(dir, 'tensors.bin');
    let state = readFileSync(statePath, 'utf8');
    let tensors: Uint8Array = readFileSync(tensorsPath);
    const parsed = JSON.parse(state) as Record<string, any>;
    let what: string;
    switch (k) {
      case 'state bytes':
        state = new TextDecoder().decode(mutate(new TextEncoder().encode(state), rng));
        what = k;
        break;
      case 'tensors bytes':
        tensors = mutate(tensors, rng);
        what = k;
        break;
      case 'truncate state':
        state = state.slice(0, rng.int(state.length));
        what = `${k} to ${state.length}`;
        break;
      case 'truncate tensors':
        tensors = tensors.subarray(0, rng.int(tensors.length));
        what = `${k} to ${tensors.length}`;
        break;
      case 'state field':
        what = mutateJson(parsed, rng, /^(epoch|adamStep|tensorsByteLength|tensors|history)/);
        state = JSON.stringify(parsed);
        break;
      case 'rng field':
        what = mutateJson(parsed, rng, /^rng/);
        state = JSON.stringify(parsed);
        break;
      case 'poison tensor':
        what = poisonWeight(tensors, parsed.tensors, rng);
        break;
      case 'wrong shape':
        what = wrongShape(parsed, rng);
        state = JSON.stringify(parsed);
        break;
      case 'huge size':
        what = hugeSize(parsed, rng, ['tensorsByteLength', 'epoch', 'adamStep', 'entry.shape', 'entry.offset', 'entry.byteLength']);
        state = JSON.stringify(parsed);
        break;
      default: {
        const gone = rng.uniform() < 0.5 ? statePath : tensorsPath;
        rmSync(gone);
        return `no ${path.basename(gone)}`;
      }
    }
    writeFileSync(statePath, state);
    writeFileSync(tensorsPath, tensors);
    return `epoch ${epoch}: ${what}`;
  };
  const pick = () => kinds[rng.int(kinds.length - 2)];
  let mutation: string;
  if (kind === 'latest.json') {
    const latest = path.join(work, 'checkpoints', 'latest.json');
    const r = rng.uniform();
    if (r < 0.3) rmSync(latest);
    else if (r < 0.6) writeFileSync(latest, mutate(readFileSync(latest), rng));
    else writeFileSync(latest, JSON.stringify({ epoch: 2, dir: ['../../etc', 'epoch-0009', '', null, 7][rng.int(5)] }));
    mutation = `latest.json (${r < 0.3 ? 'deleted' : r < 0.6 ? 'bytes' : 'dir'})`;
  } else if (kind === 'both checkpoints') {
    mutation = `${mutateEpoch(2, pick())} + ${mutateEpoch(1, pick())}`;
  } else {
    mutation = mutateEpoch(2, kind);
  }
  const result = classify(() => {
    const model = buildModel(base.config.model, base.dataset.shape.reduce((a, b) => a * b, 1), new Rng(2), { inputShape: base.dataset.shape });
    const trainer = new Trainer({ config: base.config, model, dataset: base.dataset, rng: new Rng(2) });
    try {
      let fellBack = false;
      const state = loadCheckpoint(work, { model, adam: trainer.adam, onNotice: (line) => {
        if (line.includes('\n')) throw new Error(`a notice of several lines: ${line}`);
        fellBack = true;
      } });
      trainer.restore({ epoch: state.epoch, rng: state.rng });
      // The restored stream must draw numbers, as the next epoch's shuffle will.
      const draws = Rng.fromState(state.rng).normalArray(8);
      if (!draws.every(Number.isFinite)) throw new Error('the restored RNG draws non-finite numbers');
      return fellBack ? 'fallback' : 'ok';
    } finally {
      trainer.dispose();
      model.dispose();
    }
  });
  return { corpus: 'checkpoints', seed, base: base.name, mutation, ...result };
}

/** Counts of each outcome. */
export function tally(results: CaseResult[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { ok: 0, fallback: 0, refused: 0, crash: 0, slow: 0 };
  for (const r of results) counts[r.outcome]++;
  return counts;
}
