/** The user's own data files (CSV, NPY, IDX): none has a train/test split, so each gets a seeded one. */
import { basename } from 'node:path';
import { Rng } from '../engine/rng.js';
import { DataError } from '../errors.js';
import { parseCsv } from './csv.js';
import { readDataFile } from './files.js';
import { readIdx } from './idx.js';
import { parseNpy } from './npy.js';
import { encodeLabels, limitSplits, preprocess, splitExamples } from './preprocess.js';
import type { DataKind, DataOptions, DataSplit, Dataset } from './types.js';

/**
 * A CSV file as tabular data: one example per row, labels from `opts.labelColumn` (names are the
 * sorted distinct values), standardized by default.
 *
 * @example
 * loadCsvFile('iris.csv', { name: 'iris.csv', seed: 0, testFraction: 0.2, labelColumn: 'species' });
 */
export function loadCsvFile(file: string, opts: DataOptions): Dataset {
  const table = parseCsv(new TextDecoder().decode(readDataFile(file)), file, { labelColumn: opts.labelColumn });
  const d = table.rows[0].length;
  const x = new Float32Array(table.rows.length * d); // [n, d]
  table.rows.forEach((row, i) => x.set(row, i * d));
  const encoded = table.labels && encodeLabels(table.labels);
  const all: DataSplit = { x, n: table.rows.length, ...(encoded && { labels: encoded.labels }) };
  return fromUnsplit(file, opts, { kind: 'tabular', shape: [d], all, labelNames: encoded?.labelNames });
}

/**
 * A .npy array whose first axis indexes examples. uint8 arrays and arrays of rank >= 3 are images
 * (uint8 scaled by 1/255; [n, H, W] gets a channel axis, [H, W, 1]); rank-2 float arrays are tabular.
 *
 * @example
 * loadNpyFile('faces.npy', { name: 'faces.npy', seed: 0, testFraction: 0.2 }); // kind 'image'
 */
export function loadNpyFile(file: string, opts: DataOptions): Dataset {
  const { shape, data, dtype } = parseNpy(readDataFile(file), file);
  return fromArray(file, opts, shape, data, dtype === '|u1');
}

/**
 * An IDX array whose first axis indexes examples, treated like {@link loadNpyFile}; `opts.path`
 * may name an IDX labels file with one integer per example.
 *
 * @example
 * loadIdxFile('images-idx3-ubyte', { name: 'images-idx3-ubyte', seed: 0, testFraction: 0.2, path: 'labels-idx1-ubyte' });
 */
export function loadIdxFile(file: string, opts: DataOptions): Dataset {
  const { dims, data } = readIdx(file);
  const labels = opts.path === undefined ? undefined : readIdxLabels(opts.path, dims[0]);
  return fromArray(file, opts, dims, new Float32Array(data), data instanceof Uint8Array, labels);
}

function readIdxLabels(file: string, n: number): { labels: Int32Array; labelNames: string[] } {
  const { dims, data } = readIdx(file);
  if (data instanceof Float32Array || data instanceof Float64Array || dims.length !== 1) {
    throw new DataError(file, `expected integer labels [n], found ${data.constructor.name} [${dims.join(', ')}]`);
  }
  if (dims[0] !== n) throw new DataError(file, `has ${dims[0]} labels, expected ${n}, one per example`);
  return encodeLabels(Array.from(data, String));
}

/** A dense array [n, ...] as a Dataset, deciding image vs tabular from its rank and dtype. */
function fromArray(
  file: string,
  opts: DataOptions,
  dims: number[],
  data: Float32Array,
  isUint8: boolean,
  encoded?: { labels: Int32Array; labelNames: string[] },
): Dataset {
  if (dims.length === 0) throw new DataError(file, 'holds a single scalar; expected an array [n, ...] with one example per entry of the first axis');
  // NaN or Inf would only surface later as a NaN loss; float64 values beyond float32's range become Inf here.
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const d = data.length / dims[0];
    throw new DataError(file, `non-finite value at example ${Math.floor(bad / d)}, element ${bad % d} (as float32: ${data[bad]}); expected finite numbers`);
  }
  const image = isUint8 || dims.length >= 3;
  let shape = dims.length === 1 ? [1] : dims.slice(1);
  if (image && dims.length === 3) shape = [...shape, 1]; // [n, H, W] images become [H, W, C=1], as MNIST
  const all: DataSplit = { x: data, n: dims[0], ...(encoded && { labels: encoded.labels }) };
  const kind = image ? 'image' : 'tabular';
  return fromUnsplit(file, opts, { kind, shape, all, labelNames: encoded?.labelNames, scale: isUint8 ? 1 / 255 : undefined });
}

export interface Unsplit {
  kind: DataKind;
  shape: number[];
  all: DataSplit;
  labelNames?: string[];
  /** Applied when not standardizing. */
  scale?: number;
}

/** Seeded split, `limit`, then preprocessing (standardize by default unless images). */
export function fromUnsplit(file: string, opts: DataOptions, u: Unsplit): Dataset {
  if (u.all.n < 2) throw new DataError(file, `has ${u.all.n} example(s); need at least 2, one for train and one for test`);
  const d = u.shape.reduce((a, b) => a * b, 1);
  const order = new Rng(opts.seed).permutation(u.all.n);
  const { train, test } = limitSplits(splitExamples(u.all, d, opts.testFraction, order), d, opts.limit);
  const preprocessing = preprocess(train, test, d, { standardize: opts.standardize ?? u.kind !== 'image', scale: u.scale });
  const { kind, shape, labelNames } = u;
  const source = `${file} (seeded split, seed ${opts.seed}, test fraction ${opts.testFraction})`;
  return { name: basename(file), kind, shape, ...(labelNames && { labelNames }), train, test, preprocessing, source };
}
