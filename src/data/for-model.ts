/** New data for a trained model: a dataset name, file or image folder, read raw and preprocessed the way the model's training data was. */
import { existsSync, statSync } from 'node:fs';
import { DataError, UsageError } from '../errors.js';
import { numericMatrix, parseCsv, type CsvDelimiter, type MissingPolicy } from './csv.js';
import { readDataFile } from './files.js';
import { readIdx } from './idx.js';
import { readImageFolder } from './image-folder.js';
import { BUILT_IN_DATASETS, DATA_ACCEPTED, fileFormat, loadDataset } from './load.js';
import { parseNpy } from './npy.js';
import { encodeLabels } from './preprocess.js';
import { encodeColumns } from './tabular.js';
import type { Preprocessing, TabularColumn } from './types.js';

/** Examples ready for a model: [n, D] preprocessed values and, when the source has them, labels. */
export interface ModelExamples {
  /** [n, D] row-major, preprocessed with the model's own record. */
  x: Float32Array;
  n: number;
  /** The per-example shape as the source stores it. */
  shape: number[];
  labels?: Int32Array;
  labelNames?: string[];
  /** Where the examples came from. */
  source: string;
}

export interface ModelDataOptions {
  /** What loadDataset accepts (DATA_ACCEPTED): a built-in dataset's name (its test split), a data file or a folder of PNG images. */
  name: string;
  /** The model's per-example input shape ([28, 28, 1], [d]); image folders are resized and converted to it. */
  inputShape: number[];
  /** The model's preprocessing record (saved in model.json), applied to the raw values. */
  preprocessing: Preprocessing;
  /** A tabular model's columns (saved in model.json): a CSV is read into this layout, categories one-hot as in training. */
  columns?: TabularColumn[];
  /** CSV: the label column (a header name or a 0-based index). */
  labelColumn?: string | number;
  /** CSV: lines skipped first, the delimiter (default sniffed) and the missing-cell policy, as parseCsv takes them. */
  skipRows?: number;
  delimiter?: CsvDelimiter;
  missing?: MissingPolicy;
  /** IDX: a labels file. */
  labelsPath?: string;
  /** Keep the first `limit` examples. */
  limit?: number;
  /** Seed of a generated dataset. */
  seed?: number;
  /** Bytes the read may allocate, as `DataOptions.memoryBudget` (default half of physical memory). */
  memoryBudget?: number;
}

/**
 * Reads examples for a trained model and applies the model's preprocessing (scale, or standardize with the training
 * split's statistics saved in model.json), so new data meets the model as its training data did. A built-in name
 * gives that dataset's test split as its loader prepares it. The example shape must match the model's: a UsageError
 * names the file, the shape found and the shape expected.
 *
 * @example
 * const { x, n, labels } = loadForModel({ name: 'new.csv', inputShape: metadata.inputShape, preprocessing: metadata.preprocessing });
 */
export function loadForModel(opts: ModelDataOptions): ModelExamples {
  const raw = readRaw(opts);
  const d = opts.inputShape.reduce((a, b) => a * b, 1);
  const found = raw.shape.reduce((a, b) => a * b, 1);
  if (found !== d) {
    throw new UsageError(
      `--data ${opts.name}: examples have shape [${raw.shape.join(', ')}] (${found} values) but the model expects [${opts.inputShape.join(', ')}] (${d} values)`,
    );
  }
  const limit = opts.limit === undefined ? raw.n : Math.min(opts.limit, raw.n);
  const x = raw.preprocessed ? raw.x.slice(0, limit * d) : applyPreprocessing(raw.x.slice(0, limit * d), d, opts.preprocessing);
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new DataError(opts.name, `non-finite value at example ${Math.floor(bad / d)}, element ${bad % d}; expected finite numbers`);
  return {
    x,
    n: limit,
    shape: raw.shape,
    ...(raw.labels && { labels: raw.labels.slice(0, limit), labelNames: raw.labelNames }),
    source: raw.source,
  };
}

/**
 * Applies a saved preprocessing record to raw [n, d] values, in place; returns them.
 *
 * @example
 * applyPreprocessing(x, 3, { kind: 'standardize', mean: [0, 1, 2], std: [1, 1, 2] });
 */
export function applyPreprocessing(x: Float32Array, d: number, how: Preprocessing): Float32Array {
  if (how.kind === 'scale') for (let i = 0; i < x.length; i++) x[i] *= how.scale;
  if (how.kind === 'standardize') {
    if (how.mean.length !== d) throw new UsageError(`the model standardizes ${how.mean.length} features, but the data has ${d} per example`);
    for (let i = 0; i < x.length; i++) x[i] = (x[i] - how.mean[i % d]) / how.std[i % d];
  }
  return x;
}

interface Raw {
  x: Float32Array;
  n: number;
  shape: number[];
  labels?: Int32Array;
  labelNames?: string[];
  source: string;
  /** Already prepared by a built-in loader. */
  preprocessed?: boolean;
}

/** The per-example shape of an array [n, ...]: [1] for a vector, [H, W, 1] for [n, H, W] images. */
function exampleShape(dims: number[]): number[] {
  if (dims.length === 1) return [1];
  if (dims.length === 3) return [...dims.slice(1), 1];
  return dims.slice(1);
}

function readRaw(opts: ModelDataOptions): Raw {
  const { name } = opts;
  if ((BUILT_IN_DATASETS as readonly string[]).includes(name)) {
    const ds = loadDataset({ name, seed: opts.seed ?? 1, testFraction: 0.2, memoryBudget: opts.memoryBudget });
    return { x: ds.test.x, n: ds.test.n, shape: ds.shape, labels: ds.test.labels, labelNames: ds.labelNames, source: `${name} (test split)`, preprocessed: true };
  }
  if (existsSync(name) && statSync(name).isDirectory()) {
    const [h, w, c] = opts.inputShape;
    if (opts.inputShape.length !== 3 || (c !== 1 && c !== 3)) {
      throw new UsageError(`--data ${name}: a folder of images, but the model expects examples of shape [${opts.inputShape.join(', ')}], not images [H, W, 1 or 3]`);
    }
    const f = readImageFolder(name, { imageSize: [h, w], channels: c, memoryBudget: opts.memoryBudget });
    return { x: f.x, n: f.n, shape: f.shape, labels: f.labels, labelNames: f.labelNames, source: name };
  }
  const format = fileFormat(name);
  if (format === 'csv') {
    const { labelColumn, skipRows, delimiter, missing } = opts;
    const table = parseCsv(new TextDecoder().decode(readDataFile(name)), name, { labelColumn, skipRows, delimiter, missing });
    // A tabular model's file is read into its column layout (one-hot blocks in the model's category order).
    const inLayout = opts.columns && encodeColumns(table.columns, table.n, name, opts.columns);
    const x = inLayout?.x ?? numericMatrix(table, name, `the model was trained on numeric columns only`); // [n, d]
    const d = x.length / Math.max(table.n, 1);
    // A model trained on CSV rows read as images (--shape) takes rows of H x W x C columns: they are its images.
    const image = !opts.columns && opts.inputShape.length === 3 && opts.inputShape.reduce((a, b) => a * b, 1) === d;
    const encoded = table.labels && encodeLabels(table.labels);
    return { x, n: table.n, shape: image ? opts.inputShape : [d], ...(encoded && { labels: encoded.labels, labelNames: encoded.labelNames }), source: name };
  }
  if (format === 'npy') {
    const { shape, data } = parseNpy(readDataFile(name), name);
    if (shape.length === 0) throw new DataError(name, 'holds a single scalar; expected an array [n, ...]');
    return { x: data, n: shape[0], shape: exampleShape(shape), source: name };
  }
  if (format === 'idx') {
    const { dims, data } = readIdx(name);
    const labels = opts.labelsPath === undefined ? undefined : readIdx(opts.labelsPath);
    const encoded = labels && encodeLabels(Array.from(labels.data, String));
    if (encoded && encoded.labels.length !== dims[0]) throw new DataError(opts.labelsPath!, `has ${encoded.labels.length} labels, expected ${dims[0]}`);
    return { x: new Float32Array(data), n: dims[0], shape: exampleShape(dims), ...(encoded && { labels: encoded.labels, labelNames: encoded.labelNames }), source: name };
  }
  const what = existsSync(name) ? 'a file of unsupported type' : 'no such dataset or file';
  throw new UsageError(`--data ${name}: ${what}; expected ${DATA_ACCEPTED}`);
}

/**
 * Undoes a saved preprocessing record on [n, d] model-space values, in place (decoded data back in the file's units).
 *
 * @example
 * invertPreprocessing(decoded, 784, { kind: 'scale', scale: 1 / 255 }); // 0..255 again
 */
export function invertPreprocessing(x: Float32Array, d: number, how: Preprocessing): Float32Array {
  if (how.kind === 'scale') for (let i = 0; i < x.length; i++) x[i] /= how.scale;
  if (how.kind === 'standardize') for (let i = 0; i < x.length; i++) x[i] = x[i] * how.std[i % d] + how.mean[i % d];
  return x;
}
