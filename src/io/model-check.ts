/**
 * The checks a saved model passes before any tensor is built from it: the parts of model.json the format defines
 * (kind, graph, manifest, input shape, preprocessing) and the weight bytes (layout and values). Each failure is one
 * ModelError naming the file, the field, the value found and what was expected.
 */
import { ACTIVATIONS } from '../config/schema.js';
import { modelKinds } from '../models/registry.js';
import type { GraphOp } from '../nn/index.js';
import type { Preprocessing } from '../data/index.js';
import { ModelError } from '../errors.js';
import type { ModelMetadata } from './model-format.js';
import type { TensorEntry } from './tensor-pack.js';

/**
 * The most values one example may hold: 2^28 (a 16384 x 16384 image) is a gigabyte of float32 per example, far
 * beyond any model vaekit trains; a file declaring more is corrupt (1e12 values made every command die with
 * `RangeError: Invalid typed array length`).
 */
export const MAX_INPUT_VALUES = 2 ** 28;

/**
 * The largest |weight| accepted. Trained weights are O(1) to O(100); 1e6 leaves four orders of magnitude of room
 * while a dense layer of a few thousand inputs in [0, 1] stays near 1e9, far inside float32's 3.4e38. A larger value
 * is a corrupted or diverged file (1e30 squared is already Inf in float32). A sanity bound, not a proof that every
 * output is finite: a log-variance head can still overflow exp() with weights inside it.
 */
export const MAX_ABS_WEIGHT = 1e6;

/** The weight fields of each graph op; `satisfies` keeps this list in step with the GraphOp union. */
const OP_WEIGHTS = {
  dense: ['kernel', 'bias'],
  activation: [],
  batchnorm: ['mean', 'variance', 'gamma', 'beta'],
  log: [],
  reshape: [],
  conv2d: ['kernel', 'bias'],
  conv2dTranspose: ['kernel', 'bias'],
  crop: [],
  transpose: [],
} as const satisfies Record<GraphOp['op'], readonly string[]>;

/** The preprocessing kinds; the `satisfies` keeps them in step with the Preprocessing union. */
const PREPROCESSING_KINDS = Object.keys({ scale: 0, standardize: 0, none: 0 } satisfies Record<Preprocessing['kind'], 0>);

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : v === undefined ? 'missing' : JSON.stringify(v) ?? String(v));

/** The ops of every list in the graph, each with its path for messages (`graph.heads.mean[0]`). */
function graphOps(graph: unknown, where: string): { at: string; op: Record<string, unknown> }[] {
  const expected = 'expected { encoder, heads: { mean, logVar? }, decoder }, each a list of ops';
  if (typeof graph !== 'object' || graph === null) throw new ModelError(`${where}: graph is ${show(graph)}, ${expected}`);
  const g = graph as Record<string, unknown>;
  const heads = g.heads as Record<string, unknown> | undefined;
  if (typeof heads !== 'object' || heads === null) throw new ModelError(`${where}: graph.heads is ${show(heads)}, ${expected}`);
  const lists: [string, unknown][] = [['graph.encoder', g.encoder], ['graph.heads.mean', heads.mean], ['graph.decoder', g.decoder]];
  if (heads.logVar !== undefined) lists.push(['graph.heads.logVar', heads.logVar]);
  const ops: { at: string; op: Record<string, unknown> }[] = [];
  for (const [at, list] of lists) {
    if (!Array.isArray(list)) throw new ModelError(`${where}: ${at} is ${show(list)}, ${expected}`);
    list.forEach((op, i) => ops.push({ at: `${at}[${i}]`, op: typeof op === 'object' && op !== null ? op : { op } }));
  }
  return ops;
}

/**
 * Checks model.json's kind, graph, weight manifest, input shape and preprocessing (the file alone, no weights);
 * `where` names the file. Called by validateMetadata after the format and version, before the config.
 */
export function checkModelJson(m: Partial<ModelMetadata>, where: string): void {
  const kinds = modelKinds();
  if (typeof m.kind !== 'string' || !kinds.includes(m.kind)) throw new ModelError(`${where}: kind is ${show(m.kind)}, expected one of ${kinds.join(', ')}`);

  const shape = m.inputShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new ModelError(`${where}: inputShape is ${show(shape)}, expected a list of positive integers`);
  }
  const values = shape.reduce((a, b) => a * b, 1);
  if (values > MAX_INPUT_VALUES) throw new ModelError(`${where}: inputShape [${shape.join(', ')}] holds ${values} values per example, expected at most ${MAX_INPUT_VALUES} (2^28)`);
  if (m.inputDim !== values) throw new ModelError(`${where}: inputDim is ${show(m.inputDim)}, expected ${values} (the product of inputShape [${shape.join(', ')}])`);

  if (!Array.isArray(m.weights)) throw new ModelError(`${where}: weights is ${show(m.weights)}, expected the manifest, a list of { name, shape, dtype, offset, byteLength }`);
  const names = new Set<string>();
  m.weights.forEach((e: Partial<TensorEntry>, i) => {
    const at = `weights[${i}]`;
    if (typeof e !== 'object' || e === null) throw new ModelError(`${where}: ${at} is ${show(e)}, expected { name, shape, dtype, offset, byteLength }`);
    if (typeof e.name !== 'string' || e.name === '') throw new ModelError(`${where}: ${at}.name is ${show(e.name)}, expected a weight name`);
    if (names.has(e.name)) throw new ModelError(`${where}: ${at}.name '${e.name}' appears twice, expected each weight once`);
    names.add(e.name);
    if (e.dtype !== 'float32') throw new ModelError(`${where}: ${at}.dtype ('${e.name}') is ${show(e.dtype)}, expected 'float32' (the only dtype of format version 1)`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ModelError(`${where}: ${at}.shape ('${e.name}') is ${show(e.shape)}, expected a list of integers >= 0`);
    }
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.byteLength !== size * 4) throw new ModelError(`${where}: ${at}.byteLength ('${e.name}') is ${show(e.byteLength)}, expected ${size * 4} (4 bytes for each of the ${size} values of shape [${e.shape.join(', ')}])`);
    if (!Number.isSafeInteger(e.offset) || (e.offset as number) < 0) throw new ModelError(`${where}: ${at}.offset ('${e.name}') is ${show(e.offset)}, expected an integer >= 0`);
  });

  for (const { at, op } of graphOps(m.graph, where)) {
    if (typeof op.op !== 'string' || !Object.hasOwn(OP_WEIGHTS, op.op)) throw new ModelError(`${where}: ${at}.op is ${show(op.op)}, expected one of ${Object.keys(OP_WEIGHTS).join(', ')}`);
    if (op.op === 'activation' && !ACTIVATIONS.includes(op.fn as never)) throw new ModelError(`${where}: ${at}.fn is ${show(op.fn)}, expected one of ${ACTIVATIONS.join(', ')}`);
    if (op.op === 'batchnorm' && !(typeof op.epsilon === 'number' && Number.isFinite(op.epsilon) && op.epsilon > 0)) {
      throw new ModelError(`${where}: ${at}.epsilon is ${show(op.epsilon)}, expected a finite number > 0`);
    }
    for (const field of OP_WEIGHTS[op.op as GraphOp['op']]) {
      if (typeof op[field] !== 'string') throw new ModelError(`${where}: ${at}.${field} is ${show(op[field])}, expected a weight name`);
    }
  }

  const p = m.preprocessing as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null || !PREPROCESSING_KINDS.includes(p.kind as string)) {
    throw new ModelError(`${where}: preprocessing.kind is ${show(p?.kind)}, expected one of ${PREPROCESSING_KINDS.join(', ')}`);
  }
  if (p.kind === 'scale' && !(typeof p.scale === 'number' && Number.isFinite(p.scale) && p.scale !== 0)) {
    throw new ModelError(`${where}: preprocessing.scale is ${show(p.scale)}, expected a finite number other than 0`);
  }
  if (p.kind === 'standardize') {
    for (const field of ['mean', 'std'] as const) {
      const list = p[field];
      if (!Array.isArray(list) || list.length !== values) throw new ModelError(`${where}: preprocessing.${field} has ${Array.isArray(list) ? list.length : show(list)} values, expected ${values} (one per input value)`);
      const bad = list.findIndex((v) => !(typeof v === 'number' && Number.isFinite(v) && (field === 'mean' || v > 0)));
      if (bad >= 0) throw new ModelError(`${where}: preprocessing.${field}[${bad}] is ${show(list[bad])}, expected ${field === 'mean' ? 'a finite number' : 'a finite number > 0'}`);
    }
  }
  checkColumns(m, values, where);
}

/**
 * A tabular model's `columns` cover its inputs exactly once (a numeric column one value, a categorical column a block
 * of distinct text labels), and its likelihood's categorical blocks are the categorical columns' blocks.
 */
function checkColumns(m: Record<string, unknown>, values: number, where: string): void {
  const blocks = ((m.likelihood as { categorical?: unknown } | undefined)?.categorical ?? []) as unknown;
  if (m.columns === undefined) {
    if (Array.isArray(blocks) && blocks.length > 0) throw new ModelError(`${where}: likelihood.categorical has ${blocks.length} block(s) but there are no columns, expected the columns they belong to`);
    return;
  }
  if (!Array.isArray(m.columns)) throw new ModelError(`${where}: columns is ${show(m.columns)}, expected an array of columns`);
  const seen = new Uint8Array(values);
  const want: string[] = [];
  m.columns.forEach((c: Record<string, unknown>, j: number) => {
    const at = `${where}: columns[${j}]`;
    if (typeof c !== 'object' || c === null || typeof c.name !== 'string') throw new ModelError(`${at} is ${show(c)}, expected { name, kind, ... }`);
    let [start, size] = [0, 0];
    if (c.kind === 'numeric' && Number.isInteger(c.index)) [start, size] = [c.index as number, 1];
    else if (c.kind === 'categorical' && Number.isInteger(c.start) && Array.isArray(c.labels) && c.labels.length > 0 && c.labels.every((l) => typeof l === 'string') && new Set(c.labels).size === c.labels.length) {
      [start, size] = [c.start as number, c.labels.length];
      want.push(`${start}+${size}`);
    } else throw new ModelError(`${at} is ${show(c)}, expected a numeric column with an index or a categorical one with a start and distinct text labels`);
    if (start < 0 || start + size > values || seen.subarray(start, start + size).some((v) => v)) {
      throw new ModelError(`${at} ('${c.name}') spans values ${start}..${start + size - 1}, outside the ${values} inputs or over another column`);
    }
    seen.fill(1, start, start + size);
  });
  if (seen.some((v) => !v)) throw new ModelError(`${where}: columns cover ${seen.filter((v) => v).length} of the ${values} inputs, expected all of them`);
  const have = Array.isArray(blocks) ? blocks.map((b: { start?: unknown; size?: unknown }) => `${b?.start}+${b?.size}`) : [];
  const raw = (m.likelihood as { categorical?: unknown } | undefined)?.categorical;
  if (have.join() !== want.join()) throw new ModelError(`${where}: likelihood.categorical is ${raw === undefined ? 'missing' : show(raw)}, expected the categorical columns' blocks (start+size: ${want.join(', ') || 'none'})`);
}

/**
 * Checks the weight bytes against a checked manifest: the file's length, the graph's weight names, each weight inside
 * the file, and every value finite with |w| <= MAX_ABS_WEIGHT (a BatchNorm variance also >= 0). `files` names
 * model.json and the weights file.
 */
export function checkWeightBytes(metadata: ModelMetadata, bytes: Uint8Array, files: { json: string; weights: string }): void {
  if (bytes.byteLength !== metadata.weightsByteLength) {
    throw new ModelError(`${files.weights}: the file has ${bytes.byteLength} bytes, expected ${metadata.weightsByteLength} (weightsByteLength in ${files.json})`);
  }
  // The graph's weight names are checked here, not in checkModelJson: a model description without weights (a
  // safetensors import) has an empty manifest.
  const names = new Set(metadata.weights.map((e) => e.name));
  const variances = new Set<string>();
  for (const { at, op } of graphOps(metadata.graph, files.json)) {
    for (const field of OP_WEIGHTS[op.op as GraphOp['op']]) {
      if (!names.has(op[field] as string)) throw new ModelError(`${files.json}: ${at}.${field} is ${show(op[field])}, expected the name of a weight in the manifest`);
    }
    if (op.op === 'batchnorm') variances.add(op.variance as string);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  metadata.weights.forEach((e, i) => {
    if (e.offset + e.byteLength > bytes.byteLength) {
      throw new ModelError(`${files.json}: weights[${i}] ('${e.name}') ends at byte ${e.offset + e.byteLength}, expected at most ${bytes.byteLength} (the size of ${files.weights})`);
    }
    const floor = variances.has(e.name) ? 0 : -MAX_ABS_WEIGHT;
    for (let j = 0; j < e.byteLength / 4; j++) {
      const w = view.getFloat32(e.offset + 4 * j, true);
      // Written as a negation so that NaN, which fails every comparison, fails the check too.
      if (!(w >= floor && w <= MAX_ABS_WEIGHT)) {
        const expected = floor === 0 ? `a variance in [0, ${MAX_ABS_WEIGHT}]` : `finite values with |w| <= ${MAX_ABS_WEIGHT}`;
        throw new ModelError(`${files.weights}: weight '${e.name}' [${j}] is ${w}, expected ${expected}`);
      }
    }
  });
}

/**
 * Checks that the architecture model.json's config declares could hold no more values than the manifest does, before
 * it is built: every layer width, filter count, kernel area, latent size and class count, and the size of each
 * weight tensor two consecutive widths imply, is at most the manifest's total. A model's every such tensor is in its
 * manifest, so a valid file always passes; a corrupted width (1e12 hidden units) is refused instead of allocated.
 */
export function checkConfigSize(metadata: ModelMetadata, where: string): void {
  const total = metadata.weights.reduce((n, e) => n + e.byteLength / 4, 0);
  const config = metadata.config as unknown as Record<string, unknown>;
  const classes = typeof config.classes === 'number' ? config.classes : 0;
  const check = (field: string, size: number) => {
    if (size > total) throw new ModelError(`${where}: config.${field} implies ${size} values in one weight, expected at most ${total} (all the weights in the manifest)`);
  };
  check('latent', metadata.latentDim);
  check('classes', classes);
  for (const side of ['encoder', 'decoder'] as const) {
    const net = config[side] as { kind?: string; hidden?: number[]; filters?: number[]; kernel?: number; firstChannels?: number };
    const hidden = net.hidden ?? [];
    const kernelArea = net.kind === 'conv' ? (net.kernel ?? 1) ** 2 : 1;
    check(`${side}.kernel`, kernelArea);
    if (net.firstChannels !== undefined) check(`${side}.firstChannels`, net.firstChannels);
    (net.filters ?? []).forEach((f, i, list) => {
      check(`${side}.filters[${i}]`, f * kernelArea);
      if (i > 0) check(`${side}.filters[${i - 1}..${i}]`, list[i - 1] * f * kernelArea);
    });
    hidden.forEach((h, i) => {
      check(`${side}.hidden[${i}]`, h);
      if (i > 0) check(`${side}.hidden[${i - 1}..${i}]`, hidden[i - 1] * h);
    });
    // The MLP layers that meet the data: the encoder's first (from x and the one-hot label), the decoder's last (to x).
    if (net.kind !== 'conv' && hidden.length > 0) {
      if (side === 'encoder') check('encoder.hidden[0]', (metadata.inputDim + classes) * hidden[0]);
      else check(`decoder.hidden[${hidden.length - 1}]`, hidden[hidden.length - 1] * metadata.inputDim);
    }
  }
}
