/** The user's own data files (CSV, NPY, IDX): none has a train/test split, so each gets a seeded one. */
import { basename } from 'node:path';
import { Rng } from '../engine/rng.js';
import { DataError, UsageError } from '../errors.js';
import { checkBudget, type MemoryNeed } from './budget.js';
import { numericMatrix, parseCsv, shapeText } from './csv.js';
import { readDataFile, readHead, readRecords, type RecordLayout } from './files.js';
import { parseIdx, parseIdxHeader, readIdx } from './idx.js';
import { parseNpy, parseNpyHeader } from './npy.js';
import { streamedDataset } from './stream.js';
import { encodeLabels, limitCounts, preprocess, selectExamples } from './preprocess.js';
import { encodeColumns, layoutWidth, oneHotMask } from './tabular.js';
import type { DataKind, DataOptions, DataSplit, Dataset, TabularColumn } from './types.js';

/**
 * A CSV file as tabular data: one example per row, labels from `opts.labelColumn` (names are the
 * sorted distinct values), standardized by default; with `opts.shape`, each row's feature columns are an image
 * [H, W, C] read row-major, scaled by 1/max when the data's max is over 1. The CSV options (`skipRows`, `delimiter`,
 * `categorical`, `missing`) are parseCsv's.
 *
 * @example
 * loadCsvFile('iris.csv', { name: 'iris.csv', seed: 0, testFraction: 0.2, labelColumn: 'species' });
 * loadCsvFile('digits.csv', { name: 'digits.csv', seed: 0, testFraction: 0.2, skipRows: 1, labelColumn: -1, shape: [8, 8, 1] }); // kind 'image'
 */
export function loadCsvFile(file: string, opts: DataOptions): Dataset {
  checkCsvBudget(file, opts);
  const { labelColumn, skipRows, delimiter, categorical, missing } = opts;
  const table = parseCsv(new TextDecoder().decode(readDataFile(file)), file, { labelColumn, skipRows, delimiter, categorical, missing });
  const encoded = table.labels && encodeLabels(table.labels);
  let ds: Dataset;
  if (opts.shape) {
    // Rows as images: every feature column is a pixel value.
    const x = numericMatrix(table, file, `--shape ${shapeText(opts.shape)} reads every feature column as pixel values`); // [n, d]
    const all: DataSplit = { x, n: table.n, ...(encoded && { labels: encoded.labels }) };
    const scale = imageScale(file, x, table.columns.length, opts.shape);
    ds = fromUnsplit(file, opts, { kind: 'image', shape: opts.shape, all, labelNames: encoded?.labelNames, scale });
  } else {
    // A table: numeric columns as they are, each categorical column a one-hot block (src/data/tabular.ts).
    const { x, layout } = encodeColumns(table.columns, table.n, file);
    const all: DataSplit = { x, n: table.n, ...(encoded && { labels: encoded.labels }) };
    ds = fromUnsplit(file, opts, { kind: 'tabular', shape: [layoutWidth(layout)], all, labelNames: encoded?.labelNames, columns: layout });
  }
  const { cells, rowsDropped, filled } = table.missing;
  if (cells === 0) return ds;
  const what = rowsDropped > 0 ? `${rowsDropped} row(s) with missing cells dropped` : `${filled} missing cell(s) filled with column means (categories: the most frequent)`;
  return { ...ds, source: `${ds.source}; ${what}` };
}

/**
 * The scale of CSV rows read as images (`--shape`): 1/max when the data's max is over 1 (scikit-learn's digits are
 * 0..16), else none; the shape must hold every feature column, and negative values are refused.
 */
function imageScale(file: string, x: Float32Array, d: number, shape: number[]): number | undefined {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== d) throw new UsageError(`--shape ${shapeText(shape)}: ${count} values per example, but ${file} has ${d} feature columns; expected H x W x C = ${d}`);
  let [min, max] = [Infinity, -Infinity];
  for (let i = 0; i < x.length; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
  }
  if (min < 0) throw new UsageError(`--shape ${shapeText(shape)}: image pixels must be >= 0, and ${file} has the value ${min}; drop --shape to model the columns as a table`);
  return max > 1 ? 1 / max : undefined;
}

/**
 * A .npy array whose first axis indexes examples. uint8 arrays and arrays of rank >= 3 are images
 * (uint8 scaled by 1/255; [n, H, W] gets a channel axis, [H, W, 1]); rank-2 float arrays are tabular.
 * An uncompressed file is read example by example, only the examples kept (see {@link DataOptions.limit}).
 *
 * @example
 * loadNpyFile('faces.npy', { name: 'faces.npy', seed: 0, testFraction: 0.2 }); // kind 'image'
 */
export function loadNpyFile(file: string, opts: DataOptions): Dataset {
  const { head, size, gzip } = readHead(file, HEAD_BYTES);
  if (!gzip) {
    const h = parseNpyHeader(head, size, file);
    return fromArray(file, opts, h.shape, h.dtype === '|u1', { start: h.dataStart, elementBytes: h.elementBytes, decode: h.decode });
  }
  const need = wholeArrayNeed(head, (bytes) => parseNpyHeader(bytes, undefined, file).shape, size);
  if (need) checkBudget(file, need, opts.memoryBudget);
  const { shape, data, dtype } = parseNpy(readDataFile(file), file);
  return fromArray(file, opts, shape, dtype === '|u1', data);
}

/**
 * An IDX array whose first axis indexes examples, treated like {@link loadNpyFile}; `opts.path`
 * may name an IDX labels file with one integer per example.
 *
 * @example
 * loadIdxFile('images-idx3-ubyte', { name: 'images-idx3-ubyte', seed: 0, testFraction: 0.2, path: 'labels-idx1-ubyte' });
 */
export function loadIdxFile(file: string, opts: DataOptions): Dataset {
  const { head, size, gzip } = readHead(file, HEAD_BYTES);
  if (!gzip) {
    const h = parseIdxHeader(head, size, file);
    const labels = opts.path === undefined ? undefined : readIdxLabels(opts.path, h.dims[0]);
    return fromArray(file, opts, h.dims, h.uint8, { start: h.headerBytes, elementBytes: h.elementBytes, decode: h.decode }, labels);
  }
  const need = wholeArrayNeed(head, (bytes) => parseIdxHeader(bytes, undefined, file).dims, size);
  if (need) checkBudget(file, need, opts.memoryBudget);
  const { dims, data } = parseIdx(readDataFile(file), file);
  const labels = opts.path === undefined ? undefined : readIdxLabels(opts.path, dims[0]);
  return fromArray(file, opts, dims, data instanceof Uint8Array, new Float32Array(data), labels);
}

/** Bytes of a file's start read to find its header (a .npy header longer than this is refused). */
const HEAD_BYTES = 2 ** 20;

/**
 * The peak memory of reading a gzipped array file whole: the compressed bytes, the decompressed bytes, the float32
 * array and the split copies. Undefined when the header cannot be read from the head (the whole read reports why).
 */
function wholeArrayNeed(head: Uint8Array, dimsOf: (head: Uint8Array) => number[], size: number): MemoryNeed | undefined {
  let dims: number[];
  try {
    dims = dimsOf(head);
  } catch {
    return undefined;
  }
  const count = dims.reduce((a, b) => a * b, 1);
  return { bytes: size + count * 8 + count * 4 * 2, what: `${count} values, decompressed whole`, remedy: 'file' };
}

/** A CSV is decoded to one string and parsed to numbers: refuse files that cannot fit before reading them. */
function checkCsvBudget(file: string, opts: DataOptions): void {
  const { head, size, gzip } = readHead(file, 2 ** 16);
  // A gzipped CSV's text is taken as 4x its compressed size: numbers in text compress about that well.
  const textBytes = gzip && head.length > 0 ? Math.max(size, head.length) * 4 : size;
  const MAX_STRING = 2 ** 29 - 24; // V8's longest string, in one-byte characters
  if (textBytes > MAX_STRING) {
    throw new DataError(file, `a CSV of about ${(textBytes / 2 ** 20).toFixed(0)} MiB of text is over the 512 MiB a CSV can have in vaekit; convert it to .npy (float32), which is read example by example`);
  }
  let separators = 0;
  for (const b of head) if (b === 0x2c || b === 0x3b || b === 0x09 || b === 0x0a) separators++; // ',', ';', tab and newline end a value
  const values = head.length === 0 ? 0 : Math.ceil((separators / head.length) * textBytes);
  // Bytes, text, number arrays (8 bytes a value), the float32 table and its split copies.
  checkBudget(file, { bytes: size + 2 * textBytes + values * 16, what: `about ${values} values parsed from text`, remedy: 'file' }, opts.memoryBudget);
}

function readIdxLabels(file: string, n: number): { labels: Int32Array; labelNames: string[] } {
  const { dims, data } = readIdx(file);
  if (data instanceof Float32Array || data instanceof Float64Array || dims.length !== 1) {
    throw new DataError(file, `expected integer labels [n], found ${data.constructor.name} [${dims.join(', ')}]`);
  }
  if (dims[0] !== n) throw new DataError(file, `has ${dims[0]} labels, expected ${n}, one per example`);
  return encodeLabels(Array.from(data, String));
}

/** Where an uncompressed file's elements are, for reading chosen examples only. */
interface OnDisk {
  start: number;
  elementBytes: number;
  decode: RecordLayout['decode'];
}

/**
 * A dense array [n, ...] as a Dataset, deciding image vs tabular from its rank and dtype; `data` is the whole array
 * in memory, or where it is on disk.
 */
function fromArray(
  file: string,
  opts: DataOptions,
  dims: number[],
  isUint8: boolean,
  data: Float32Array | OnDisk,
  encoded?: { labels: Int32Array; labelNames: string[] },
): Dataset {
  if (dims.length === 0) throw new DataError(file, 'holds a single scalar; expected an array [n, ...] with one example per entry of the first axis');
  const image = isUint8 || dims.length >= 3;
  let shape = dims.length === 1 ? [1] : dims.slice(1);
  const d = shape.reduce((a, b) => a * b, 1);
  if (d === 0) throw new DataError(file, `examples of shape [${shape.join(', ')}] hold no values (the array is [${dims.join(', ')}]); expected at least one value per example`);
  if (image && dims.length === 3) shape = [...shape, 1]; // [n, H, W] images become [H, W, C=1], as MNIST
  const labels = encoded?.labels;
  let all: DataSplit | ExampleReader;
  if (data instanceof Float32Array) {
    checkFinite(file, data, d, (k) => k);
    all = { x: data, n: dims[0], ...(labels && { labels }) };
  } else {
    const layout = { start: data.start, recordBytes: d * data.elementBytes, values: d, decode: data.decode };
    if (opts.stream) return streamedDataset({ file, dims, shape, kind: image ? 'image' : 'tabular', layout, scale: isUint8 ? 1 / 255 : undefined, encoded }, opts);
    const read = (indices: Int32Array): Float32Array => {
      const x = readRecords(file, layout, indices);
      checkFinite(file, x, d, (k) => indices[k]);
      return x;
    };
    all = { n: dims[0], read, ...(labels && { labels }) };
  }
  const kind = image ? 'image' : 'tabular';
  return fromUnsplit(file, opts, { kind, shape, all, labelNames: encoded?.labelNames, scale: isUint8 ? 1 / 255 : undefined });
}

/** NaN or Inf would only surface later as a NaN loss; float64 values beyond float32's range become Inf here. */
function checkFinite(file: string, x: Float32Array, d: number, exampleAt: (k: number) => number): void {
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad < 0) return;
  const example = exampleAt(Math.floor(bad / d));
  throw new DataError(file, `non-finite value at example ${example}, element ${bad % d} (as float32: ${x[bad]}); expected finite numbers`);
}

/** Examples left on disk: `read` returns the chosen ones [indices.length, d]. */
export interface ExampleReader {
  n: number;
  read: (indices: Int32Array) => Float32Array;
  labels?: Int32Array;
}

export interface Unsplit {
  kind: DataKind;
  shape: number[];
  /** Every example in memory, or a reader that loads only the examples kept. */
  all: DataSplit | ExampleReader;
  labelNames?: string[];
  /** Applied when not standardizing. */
  scale?: number;
  /** A tabular file's columns (src/data/tabular.ts): one-hot blocks are not standardized, and the dataset keeps them. */
  columns?: TabularColumn[];
}

/**
 * Seeded split (the last round(n * testFraction) of a seeded permutation are test), `limit`, then preprocessing
 * (standardize by default unless images). Examples on disk are read only once chosen, after a budget check.
 */
export function fromUnsplit(file: string, opts: DataOptions, u: Unsplit): Dataset {
  const n = u.all.n;
  if (n < 2) throw new DataError(file, `has ${n} example(s); need at least 2, one for train and one for test`);
  const d = u.shape.reduce((a, b) => a * b, 1);
  const order = new Rng(opts.seed).permutation(n);
  const nTestAll = Math.min(n - 1, Math.max(1, Math.round(n * opts.testFraction)));
  const { nTrain, nTest } = limitCounts(n - nTestAll, nTestAll, opts.limit);
  const trainAt = order.subarray(0, nTrain);
  const testAt = order.subarray(n - nTestAll, n - nTestAll + nTest);
  let train: DataSplit;
  let test: DataSplit;
  const all = u.all;
  if ('read' in all) {
    const what = `${nTrain + nTest} of ${n} examples x ${d} float32 values`;
    checkBudget(file, { bytes: (nTrain + nTest) * d * 4, what, remedy: opts.limit === undefined ? 'stream' : 'smaller-limit-stream' }, opts.memoryBudget);
    const labels = all.labels;
    const pick = (at: Int32Array): DataSplit => ({ x: all.read(at), n: at.length, ...(labels && { labels: Int32Array.from(at, (i) => labels[i]) }) });
    train = pick(trainAt);
    test = pick(testAt);
  } else {
    train = selectExamples(all, trainAt, d);
    test = selectExamples(all, testAt, d);
  }
  const oneHot = u.columns && oneHotMask(u.columns, d);
  const preprocessing = preprocess(train, test, d, { standardize: opts.standardize ?? u.kind !== 'image', scale: u.scale, oneHot });
  const { kind, shape, labelNames, columns } = u;
  const source = `${file} (seeded split, seed ${opts.seed}, test fraction ${opts.testFraction})`;
  return { name: basename(file), kind, shape, ...(labelNames && { labelNames }), train, test, preprocessing, source, ...(columns && { columns }) };
}
