/**
 * Reads data files: whole (gunzipping when the content, not the name, says gzip), or just the head, or chosen
 * fixed-size records of an uncompressed file, so that a large file is never read whole when few examples are kept.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The file's bytes, decompressed if they are gzip. A name ending in `.gz` whose bytes are not gzip
 * is an error, because a half-downloaded or mislabelled file would otherwise fail later with a confusing message.
 *
 * @example
 * const bytes = readDataFile('/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz');
 */
export function readDataFile(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw readError(file, err);
  }
  if (isGzip(bytes)) {
    try {
      return gunzipSync(bytes);
    } catch (err) {
      throw new DataError(file, `corrupt gzip data (${(err as Error).message})`);
    }
  }
  checkNotFakeGzip(file, bytes);
  return bytes;
}

/** A name ending in .gz whose bytes are not gzip is an error (a half-downloaded or mislabelled file). */
function checkNotFakeGzip(file: string, bytes: Uint8Array): void {
  if (!file.endsWith('.gz')) return;
  const found = Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DataError(file, `named .gz but is not gzip: expected magic bytes 1f 8b, found ${found || 'an empty file'}`);
}

function readError(file: string, err: unknown): DataError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DataError(file, 'no such file');
  if (code === 'ERR_FS_FILE_TOO_LARGE') return new DataError(file, 'is too large to read whole (over 2 GiB); use --limit N with an uncompressed .npy or IDX file, which vaekit reads example by example');
  return new DataError(file, `cannot read (${(err as Error).message})`);
}

/** The first bytes of a data file, decompressed when it is gzip, with the file's size on disk. */
export interface FileHead {
  /** Up to `maxBytes` bytes from the start of the (decompressed) content. */
  head: Uint8Array;
  /** Bytes on disk. */
  size: number;
  gzip: boolean;
}

/**
 * Reads the first `maxBytes` of a file (the start of the decompressed content for gzip) without reading the rest.
 *
 * @example
 * const { head, size, gzip } = readHead('train-images-idx3-ubyte', 1024);
 */
export function readHead(file: string, maxBytes: number): FileHead {
  return withFile(file, (fd) => {
    const size = fstatSync(fd).size;
    const raw = new Uint8Array(Math.min(size, maxBytes));
    const got = readSync(fd, raw, 0, raw.length, 0);
    const bytes = raw.subarray(0, got);
    if (!isGzip(bytes)) {
      checkNotFakeGzip(file, bytes);
      return { head: bytes, size, gzip: false };
    }
    let head: Uint8Array;
    try {
      // A flush instead of a finish: decompress the prefix we have without requiring the end of the stream.
      head = gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      head = new Uint8Array(0); // a corrupt stream is reported by the whole-file read
    }
    return { head: head.subarray(0, maxBytes), size, gzip: true };
  });
}

/** Runs `fn` on the file opened for reading, closing it afterwards; an open that fails is a DataError naming the file. */
function withFile<T>(file: string, fn: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw readError(file, err);
  }
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** Where the fixed-size records of an uncompressed array file are and how to turn one into float32 values. */
export interface RecordLayout {
  /** Byte offset of record 0. */
  start: number;
  /** Bytes per record. */
  recordBytes: number;
  /** Values per record. */
  values: number;
  /** Decodes `values` values from `src` (one record) into `out` at `at`. */
  decode: (src: DataView, srcOffset: number, out: Float32Array, at: number, values: number) => void;
}

const CHUNK_BYTES = 8 * 2 ** 20;

/**
 * The records at `indices` (in that order) of an uncompressed file as float32 values, [indices.length, values] row-major.
 * Reads in ascending file order, merging consecutive records into reads of up to 8 MiB.
 *
 * @example
 * const x = readRecords('images.npy', { start: 128, recordBytes: 784, values: 784, decode }, Int32Array.of(5, 2));
 */
export function readRecords(file: string, layout: RecordLayout, indices: Int32Array): Float32Array {
  const { start, recordBytes, values, decode } = layout;
  const out = new Float32Array(indices.length * values);
  const byFile = Int32Array.from(indices.keys()).sort((a, b) => indices[a] - indices[b]);
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, recordBytes)));
  const buf = new Uint8Array(Math.min(indices.length, perChunk) * recordBytes);
  const view = new DataView(buf.buffer);
  withFile(file, (fd) => {
    for (let i = 0; i < byFile.length; ) {
      // A run of records consecutive in the file (duplicates would break the run; indices here are distinct).
      let j = i + 1;
      while (j < byFile.length && j - i < perChunk && indices[byFile[j]] === indices[byFile[j - 1]] + 1) j++;
      const first = indices[byFile[i]];
      const length = (j - i) * recordBytes;
      const got = readSync(fd, buf, 0, length, start + first * recordBytes);
      if (got !== length) throw new DataError(file, `truncated data: record ${first + Math.floor(got / recordBytes)} ends past the end of the file`);
      for (let k = i; k < j; k++) decode(view, (k - i) * recordBytes, out, byFile[k] * values, values);
      i = j;
    }
  });
  return out;
}
