/** The IDX format (MNIST's): a 4-byte magic with the element type and rank, big-endian dims, then big-endian data. */
import { DataError } from '../errors.js';
import { readDataFile } from './files.js';

/** The typed array an IDX file decodes to, by its element type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX array: `data` is row-major with shape `dims`. */
export interface IdxArray {
  dims: number[];
  data: IdxData;
}

interface IdxType {
  name: string;
  size: number;
  make: (n: number) => IdxData;
  read: (view: DataView, offset: number) => number;
}

// The type byte (third byte of the magic) to element type; every multi-byte type is big-endian.
const IDX_TYPES: Record<number, IdxType> = {
  0x08: { name: 'uint8', size: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  0x09: { name: 'int8', size: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) },
  0x0b: { name: 'int16', size: 2, make: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o) },
  0x0c: { name: 'int32', size: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o) },
  0x0d: { name: 'float32', size: 4, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o) },
  0x0e: { name: 'float64', size: 8, make: (n) => new Float64Array(n), read: (v, o) => v.getFloat64(o) },
};

const hex = (n: number, width: number): string => `0x${n.toString(16).padStart(width, '0')}`;

/** An IDX header: the array's dims, its element type and where the data start. */
export interface IdxHeader {
  dims: number[];
  /** The element type's name, e.g. 'uint8'. */
  typeName: string;
  /** Whether the elements are integers of one byte (no byte order, and images when rank >= 2). */
  uint8: boolean;
  headerBytes: number;
  /** Decodes one record's elements (big-endian) to float32. */
  decode: (src: DataView, srcOffset: number, out: Float32Array, at: number, values: number) => void;
  elementBytes: number;
}

/**
 * Parses and checks an IDX header from the file's first bytes (`head`, at least the whole header when the file has one)
 * against the whole file's size `dataBytes` (decompressed; undefined to read the header alone). `file` is used only in error messages.
 *
 * @example
 * parseIdxHeader(head, 47040016, 'train-images-idx3-ubyte'); // { dims: [60000, 28, 28], typeName: 'uint8', headerBytes: 16, ... }
 */
export function parseIdxHeader(head: Uint8Array, dataBytes: number | undefined, file: string): IdxHeader {
  const totalBytes = dataBytes ?? head.length;
  if (totalBytes < 4) throw new DataError(file, `expected an IDX header of at least 4 bytes, found ${totalBytes}`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head[0] !== 0 || head[1] !== 0) {
    throw new DataError(file, `expected IDX magic starting 0x0000, found ${hex(view.getUint32(0), 8)}`);
  }
  const type = IDX_TYPES[head[2]];
  if (!type) {
    throw new DataError(file, `unknown IDX element type ${hex(head[2], 2)}; expected one of 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e`);
  }
  const ndims = head[3];
  const headerBytes = 4 + 4 * ndims;
  if (ndims === 0) throw new DataError(file, 'expected at least 1 dimension in the IDX header, found 0');
  if (totalBytes < headerBytes) {
    throw new DataError(file, `truncated IDX header: ${ndims} dims need ${headerBytes} bytes, found ${totalBytes}`);
  }
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * type.size;
  const found = totalBytes - headerBytes;
  if (dataBytes !== undefined && found !== expected) {
    const what = found < expected ? 'truncated data' : 'dims do not match the data';
    throw new DataError(file, `${what}: dims [${dims.join(', ')}] of ${type.name} need ${expected} data bytes, found ${found}`);
  }
  const decode = (src: DataView, srcOffset: number, out: Float32Array, at: number, values: number): void => {
    for (let i = 0; i < values; i++) out[at + i] = type.read(src, srcOffset + i * type.size);
  };
  return { dims, typeName: type.name, uint8: head[2] === 0x08, headerBytes, decode, elementBytes: type.size };
}

/**
 * Decodes an IDX file's (already gunzipped) bytes. `file` is used only in error messages.
 *
 * @example
 * const { dims, data } = parseIdx(readFileSync('train-labels-idx1-ubyte'), 'train-labels-idx1-ubyte');
 * // dims: [60000], data: Uint8Array
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const { dims, headerBytes } = parseIdxHeader(bytes, bytes.length, file);
  const type = IDX_TYPES[bytes[2]];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dims.reduce((a, b) => a * b, 1);
  // uint8 (every MNIST file) has no byte order: one copy instead of a per-element loop.
  if (bytes[2] === 0x08) return { dims, data: bytes.slice(headerBytes) };
  const data = type.make(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, headerBytes + i * type.size);
  return { dims, data };
}

/**
 * Reads and decodes an IDX file, gzipped or raw (detected from the bytes).
 *
 * @example
 * const images = readIdx('data/t10k-images-idx3-ubyte.gz'); // dims [10000, 28, 28]
 */
export function readIdx(file: string): IdxArray {
  return parseIdx(readDataFile(file), file);
}
