/** Reads a data file's bytes, gunzipping when the content (not the name) says it is gzip. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
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
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(err as Error).message})`;
    throw new DataError(file, reason);
  }
  if (isGzip(bytes)) {
    try {
      return gunzipSync(bytes);
    } catch (err) {
      throw new DataError(file, `corrupt gzip data (${(err as Error).message})`);
    }
  }
  if (file.endsWith('.gz')) {
    const found = Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(file, `named .gz but is not gzip: expected magic bytes 1f 8b, found ${found || 'an empty file'}`);
  }
  return bytes;
}
