/**
 * Streaming data too large for memory from an uncompressed NPY or IDX file: examples are read with positioned reads
 * in chunks of consecutive records, the chunk order permuted per epoch by the run's RNG, and the rows of a window of
 * a few chunks shuffled together before they are cut into batches. Memory is bounded by the window, whatever the file's size.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Rng } from '../engine/rng.js';
import { DataError } from '../errors.js';
import { basename } from 'node:path';
import { checkBudget } from './budget.js';
import type { Batch } from './batch.js';
import type { RecordLayout } from './files.js';
import { limitCounts } from './preprocess.js';
import type { DataOptions, DataSplit, Dataset, Preprocessing } from './types.js';

/** A batch of examples, from memory or from a stream. */
/** Consecutive records [first, first + n) of the file. */
export interface RecordRange {
  first: number;
  n: number;
}

/** Where a streamed dataset's examples are and how raw values become model inputs. */
export interface DataStream {
  file: string;
  layout: RecordLayout;
  train: RecordRange;
  /** The held-out tail of the file. */
  test: RecordRange;
  /** Examples per chunk (a chunk is read with one positioned read). */
  chunkExamples: number;
  /** Chunks whose rows are shuffled together. */
  bufferChunks: number;
  /** Applies the dataset's preprocessing in place to rows read from the file ([rows, D]). */
  transform: (x: Float32Array) => void;
  /** Labels by record number (IDX with a labels file), or none. */
  labels?: Int32Array;
  /** From one pass over the training records, after preprocessing: per-value mean, and the smallest and largest value. */
  stats: { mean: Float32Array; min: number; max: number };
}

/** Default bytes of raw records per chunk; with {@link DEFAULT_BUFFER_CHUNKS} a window is 32 MiB of float32 rows at most. */
export const DEFAULT_CHUNK_BYTES = 8 * 2 ** 20;
export const DEFAULT_BUFFER_CHUNKS = 4;

/** The default chunk size in examples for `d` float32 values per example. */
export function defaultChunkExamples(d: number): number {
  return Math.max(1, Math.floor(DEFAULT_CHUNK_BYTES / (4 * d)));
}

/** Reads records [first, first + count) of the open file into `out` at row `at`, decoded to float32. */
function readRange(fd: number, file: string, layout: RecordLayout, first: number, count: number, out: Float32Array, at: number, scratch: Uint8Array): void {
  const { start, recordBytes, values, decode } = layout;
  const length = count * recordBytes;
  const got = readSync(fd, scratch, 0, length, start + first * recordBytes);
  if (got !== length) throw new DataError(file, `truncated data: record ${first + Math.floor(got / recordBytes)} ends past the end of the file`);
  decode(new DataView(scratch.buffer, scratch.byteOffset, length), 0, out, at * values, count * values);
}

/** Rows of `src` ([*, d]) at `rows`, copied into a new [rows.length, d] array. */
function takeRows(src: Float32Array, rows: Int32Array, d: number): Float32Array {
  const x = new Float32Array(rows.length * d); // [B, D]
  rows.forEach((r, i) => x.set(src.subarray(r * d, (r + 1) * d), i * d));
  return x;
}

/**
 * One epoch of batches from records `range` of a stream. With an `rng`: the chunks (consecutive `chunkExamples`
 * records) in a random order, each window of `bufferChunks` chunks (plus the rows left over from the previous
 * window) shuffled together and cut into batches of `batchSize`; the last batch keeps the remainder, so every
 * example is seen exactly once. Without one: the records in file order. The rng is drawn from only between batches,
 * so the same seed and chunk size give the same batches, also across --resume.
 *
 * @example
 * for (const { x, indices } of streamBatches(stream, stream.train, { batchSize: 128, rng })) train(x);
 */
export function* streamBatches(stream: DataStream, range: RecordRange, { batchSize, rng }: { batchSize: number; rng?: Rng }): Generator<Batch> {
  const { file, layout, chunkExamples, bufferChunks } = stream;
  const d = layout.values;
  const nChunks = Math.ceil(range.n / chunkExamples);
  const order = rng ? rng.permutation(nChunks) : Int32Array.from({ length: nChunks }, (_, i) => i);
  // A range smaller than a window (the test tail, a small file) allocates only what it holds.
  const windowRows = Math.min(bufferChunks * chunkExamples, range.n) + batchSize;
  const rows = new Float32Array(windowRows * d); // [window, D]: the leftover rows first, then the window's chunks
  const records = new Int32Array(windowRows);
  const scratch = new Uint8Array(Math.min(chunkExamples, range.n) * layout.recordBytes);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new DataError(file, `cannot open for streaming (${(err as Error).message})`);
  }
  try {
    let held = 0; // rows carried over from the previous window
    for (let w = 0; w < nChunks; w += bufferChunks) {
      let m = held;
      for (const c of order.subarray(w, w + bufferChunks)) {
        const first = c * chunkExamples;
        const count = Math.min(chunkExamples, range.n - first);
        readRange(fd, file, layout, range.first + first, count, rows, m, scratch);
        for (let i = 0; i < count; i++) records[m + i] = range.first + first + i;
        stream.transform(rows.subarray(m * d, (m + count) * d));
        m += count;
      }
      const last = w + bufferChunks >= nChunks;
      const perm = rng ? rng.permutation(m) : Int32Array.from({ length: m }, (_, i) => i);
      let b = 0;
      for (; b + batchSize <= m || (last && b < m); b += batchSize) {
        const pick = perm.subarray(b, Math.min(m, b + batchSize));
        yield batchOf(stream, rows, records, pick, d);
      }
      // Rows not yet batched move to the front (they are in `perm` order already, so no shuffle is lost).
      const rest = perm.subarray(b);
      const keptX = takeRows(rows, rest, d);
      const keptR = Int32Array.from(rest, (r) => records[r]);
      rows.set(keptX, 0);
      records.set(keptR, 0);
      held = rest.length;
    }
  } finally {
    closeSync(fd);
  }
}

function batchOf(stream: DataStream, rows: Float32Array, records: Int32Array, pick: Int32Array, d: number): Batch {
  const indices = Int32Array.from(pick, (r) => records[r]);
  const all = stream.labels;
  return { x: takeRows(rows, pick, d), indices, ...(all && { labels: Int32Array.from(indices, (i) => all[i]) }) };
}

/**
 * One pass over records `range` in chunks: per-value raw mean and population std (chunks merged with Chan et al.'s
 * formula, in float64), and per-value raw min and max.
 */
export function streamFeatureStats(file: string, layout: RecordLayout, range: RecordRange, chunkExamples: number): { mean: Float64Array; std: Float64Array; min: Float64Array; max: Float64Array } {
  const d = layout.values;
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  const x = new Float32Array(chunkExamples * d);
  const scratch = new Uint8Array(chunkExamples * layout.recordBytes);
  const cMean = new Float64Array(d);
  const cM2 = new Float64Array(d);
  const fd = openSync(file, 'r');
  try {
    let seen = 0;
    for (let first = 0; first < range.n; first += chunkExamples) {
      const count = Math.min(chunkExamples, range.n - first);
      readRange(fd, file, layout, range.first + first, count, x, 0, scratch);
      cMean.fill(0);
      cM2.fill(0);
      for (let i = 0; i < count * d; i++) {
        const v = x[i];
        if (!Number.isFinite(v)) throw new DataError(file, `non-finite value at example ${range.first + first + Math.floor(i / d)}, element ${i % d} (as float32: ${v}); expected finite numbers`);
        const j = i % d;
        cMean[j] += v;
        if (v < min[j]) min[j] = v;
        if (v > max[j]) max[j] = v;
      }
      for (let j = 0; j < d; j++) cMean[j] /= count;
      for (let i = 0; i < count * d; i++) cM2[i % d] += (x[i] - cMean[i % d]) ** 2;
      const total = seen + count;
      for (let j = 0; j < d; j++) {
        const delta = cMean[j] - mean[j];
        mean[j] += (delta * count) / total;
        m2[j] += cM2[j] + (delta * delta * seen * count) / total;
      }
      seen = total;
    }
  } finally {
    closeSync(fd);
  }
  const std = Float64Array.from(m2, (s) => Math.sqrt(s / range.n) || 1);
  return { mean, std, min, max };
}

/** What {@link streamedDataset} needs to know about the file. */
export interface StreamFile {
  file: string;
  /** The array's dims, examples first. */
  dims: number[];
  /** Per-example shape as the Dataset reports it. */
  shape: number[];
  kind: Dataset['kind'];
  layout: RecordLayout;
  /** uint8 data: x = raw * scale when not standardizing. */
  scale?: number;
  encoded?: { labels: Int32Array; labelNames: string[] };
}

/** Examples of each split kept in memory for figures and the report (the stream itself serves training and the test loss). */
const SAMPLE = 1000;

/**
 * A Dataset that trains from the file instead of memory: train is the file's first records and test its last
 * round(n * testFraction) (no seeded split, which would need random reads), `limit` keeps the first `limit` of each
 * range as it keeps the first of a loaded split's; standardization stats come from one chunked pass over the train
 * records. `train` and `test` hold the first 1000 examples of each range, preprocessed, for figures.
 */
export function streamedDataset(f: StreamFile, opts: DataOptions): Dataset {
  const n = f.dims[0];
  const { file, layout } = f;
  const d = layout.values;
  if (n < 2) throw new DataError(file, `has ${n} example(s); need at least 2, one for train and one for test`);
  const nTestAll = Math.min(n - 1, Math.max(1, Math.round(n * opts.testFraction)));
  const { nTrain, nTest } = limitCounts(n - nTestAll, nTestAll, opts.limit);
  const chunkExamples = opts.chunkExamples ?? defaultChunkExamples(d);
  const bufferChunks = DEFAULT_BUFFER_CHUNKS;
  // The window with a batch of leftover rows (a batch is far smaller than a window), the raw chunk, the figure samples.
  const samples = Math.min(SAMPLE, nTrain) + Math.min(SAMPLE, nTest);
  const chunk = Math.min(chunkExamples, nTrain);
  const windowBytes = (Math.min(bufferChunks * chunkExamples, nTrain) + chunk + samples) * d * 4 + chunk * layout.recordBytes;
  const what = `streaming: a window of ${bufferChunks} chunks of ${chunkExamples} examples x ${d} float32 values, and ${samples} examples kept for figures`;
  checkBudget(file, { bytes: windowBytes, what, remedy: 'chunk' }, opts.memoryBudget);
  const train = { first: 0, n: nTrain };
  const test = { first: n - nTestAll, n: nTest };
  const raw = streamFeatureStats(file, layout, train, chunkExamples);
  const standardize = opts.standardize ?? f.kind !== 'image';
  let preprocessing: Preprocessing;
  let value: (v: number, j: number) => number;
  if (standardize) {
    const mean = Array.from(raw.mean);
    const std = Array.from(raw.std);
    preprocessing = { kind: 'standardize', mean, std };
    value = (v, j) => (v - mean[j]) / std[j];
  } else if (f.scale !== undefined && f.scale !== 1) {
    const scale = f.scale;
    preprocessing = { kind: 'scale', scale };
    value = (v) => v * scale;
  } else {
    preprocessing = { kind: 'none' };
    value = (v) => v;
  }
  const transform = (x: Float32Array): void => {
    if (preprocessing.kind === 'none') return;
    for (let i = 0; i < x.length; i++) x[i] = value(x[i], i % d);
  };
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < d; j++) {
    // Preprocessing is increasing in each value (std and scale are positive), so it maps the extremes to the extremes.
    min = Math.min(min, value(raw.min[j], j));
    max = Math.max(max, value(raw.max[j], j));
  }
  const mean = Float32Array.from(raw.mean, (m, j) => value(m, j));
  const labels = f.encoded?.labels;
  const stream: DataStream = { file, layout, train, test, chunkExamples, bufferChunks, transform, stats: { mean, min, max }, ...(labels && { labels }) };
  const sample = (range: RecordRange): DataSplit => {
    const count = Math.min(SAMPLE, range.n);
    const x = new Float32Array(count * d); // [count, D]
    const fd = openSync(file, 'r');
    try {
      readRange(fd, file, layout, range.first, count, x, 0, new Uint8Array(count * layout.recordBytes));
    } finally {
      closeSync(fd);
    }
    transform(x);
    return { x, n: count, ...(labels && { labels: labels.slice(range.first, range.first + count) }) };
  };
  const source = `${file} (streamed in chunks of ${chunkExamples}: the first ${nTrain} examples train, ${nTest} of the last ${nTestAll} test)`;
  const labelNames = f.encoded?.labelNames;
  return { name: basename(file), kind: f.kind, shape: f.shape, ...(labelNames && { labelNames }), train: sample(train), test: sample(test), preprocessing, source, stream };
}
