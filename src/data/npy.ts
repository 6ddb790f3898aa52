/** The NumPy .npy format (versions 1-3): magic, a Python-dict header with dtype, order and shape, then raw C-order data. */
import { DataError } from '../errors.js';

/** The dtypes vaekit reads; all little-endian (the default on every platform numpy ships for). */
export type NpyDtype = '<f4' | '<f8' | '|u1' | '<i4';

/** A decoded .npy array: `data` is row-major with shape `shape`, converted to float32. */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
  /** The file's dtype; `|u1` data is still 0..255 here (scaling is the loader's decision). */
  dtype: NpyDtype;
}

const DTYPES: Record<NpyDtype, { size: number; read: (v: DataView, o: number) => number }> = {
  '<f4': { size: 4, read: (v, o) => v.getFloat32(o, true) },
  '<f8': { size: 8, read: (v, o) => v.getFloat64(o, true) },
  '|u1': { size: 1, read: (v, o) => v.getUint8(o) },
  '<i4': { size: 4, read: (v, o) => v.getInt32(o, true) },
};

function toDtype(descr: string): NpyDtype | undefined {
  if (descr === '<u1' || descr === '>u1') return '|u1'; // one byte has no order; numpy itself writes '|u1'
  return descr in DTYPES ? (descr as NpyDtype) : undefined;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A header's text as shown in an error: one line (newlines and control bytes escaped), at most 120 characters. */
function shown(header: string): string {
  const text = JSON.stringify(header.trim()).slice(1, -1);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

/** A .npy header: shape, dtype and where the C-order data start. */
export interface NpyHeader {
  shape: number[];
  dtype: NpyDtype;
  dataStart: number;
  elementBytes: number;
  /** Decodes one record's elements (little-endian) to float32. */
  decode: (src: DataView, srcOffset: number, out: Float32Array, at: number, values: number) => void;
}

/**
 * Parses and checks a .npy header from the file's first bytes (`head`) against the whole file's size `dataBytes`
 * (undefined to read the header alone).
 * `file` is used only in error messages.
 *
 * @example
 * parseNpyHeader(head, 3136128, 'codes.npy'); // { shape: [1000, 784], dtype: '<f4', dataStart: 128, ... }
 */
export function parseNpyHeader(head: Uint8Array, dataBytes: number | undefined, file: string): NpyHeader {
  const totalBytes = dataBytes ?? head.length;
  if (totalBytes < 10 || head.length < 10 || MAGIC.some((b, i) => head[i] !== b)) {
    throw new DataError(file, 'expected the .npy magic "\\x93NUMPY" at the start of the file');
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const major = head[6];
  if (major < 1 || major > 3) throw new DataError(file, `unsupported .npy version ${major}.${head[7]}; expected 1.x, 2.x or 3.x`);
  // Version 1 stores the header length in 2 bytes; versions 2 and 3 in 4 (3 also allows a UTF-8 header).
  const lenBytes = major === 1 ? 2 : 4;
  if (totalBytes < 8 + lenBytes) throw new DataError(file, 'truncated .npy header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (totalBytes < dataStart) {
    throw new DataError(file, `truncated .npy header: expected ${headerLen} header bytes, found ${totalBytes - 8 - lenBytes}`);
  }
  if (head.length < dataStart) throw new DataError(file, `a .npy header of ${headerLen} bytes is longer than vaekit reads (${head.length - 8 - lenBytes})`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(head.subarray(8 + lenBytes, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const dtype = descr === undefined ? undefined : toDtype(descr);
  if (!dtype) {
    const supported = Object.keys(DTYPES).join(', ');
    throw new DataError(file, `unsupported dtype ${descr === undefined ? `in header ${shown(header)}` : `'${shown(descr)}'`}; expected one of ${supported}`);
  }
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) throw new DataError(file, `no fortran_order in .npy header ${shown(header)}`);
  if (fortran === 'True') {
    throw new DataError(file, 'fortran_order is True; only C-order arrays are supported (save np.ascontiguousarray(a))');
  }
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new DataError(file, `no shape in .npy header ${shown(header)}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim().replace(/L$/, '')) // Python 2 wrote long ints as 3L
    .filter((s) => s !== '')
    .map((s) => {
      const d = Number(s);
      if (!Number.isInteger(d) || d < 0) throw new DataError(file, `bad dimension '${shown(s)}' in .npy shape (${shown(shapeText)})`);
      return d;
    });

  const { size, read } = DTYPES[dtype];
  const count = shape.reduce((a, b) => a * b, 1);
  const found = totalBytes - dataStart;
  if (dataBytes !== undefined && found !== count * size) {
    const what = found < count * size ? 'truncated data' : 'data size does not match the shape';
    throw new DataError(file, `${what}: shape (${shape.join(', ')}) of ${dtype} needs ${count * size} bytes, found ${found}`);
  }
  const decode = (src: DataView, srcOffset: number, out: Float32Array, at: number, values: number): void => {
    for (let i = 0; i < values; i++) out[at + i] = read(src, srcOffset + i * size);
  };
  return { shape, dtype, dataStart, elementBytes: size, decode };
}

/**
 * Decodes a .npy file's bytes. `file` is used only in error messages.
 *
 * @example
 * const { shape, data } = parseNpy(readFileSync('codes.npy'), 'codes.npy'); // shape [1000, 20]
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const { shape, dtype, dataStart, decode } = parseNpyHeader(bytes, bytes.length, file);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), dataStart, data, 0, data.length);
  return { shape, data, dtype };
}

/**
 * Encodes a float32 array as a version 1.0 .npy file (little-endian, C order), the header padded so the data
 * starts on a 64-byte boundary as numpy writes it.
 *
 * @example
 * writeFileAtomic('codes.npy', writeNpy({ shape: [n, 10], data: codes })); // np.load('codes.npy').shape == (n, 10)
 */
export function writeNpy({ shape, data }: { shape: number[]; data: Float32Array }): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`writeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shapeText}), }`;
  const unpadded = 10 + header.length + 1; // magic 6 + version 2 + length 2, header, '\n'
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const bytes = new Uint8Array(10 + header.length + data.length * 4);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < data.length; i++) view.setFloat32(start + i * 4, data[i], true);
  return bytes;
}
