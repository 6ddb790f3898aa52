/**
 * The safetensors format, written and read without a dependency: an 8-byte little-endian header length, a JSON header
 * ({ name: { dtype, shape, data_offsets: [begin, end] } } plus an optional `__metadata__` of strings), then the raw
 * little-endian data. Every field is checked on read, so a corrupt file gives one clear line naming it.
 */
import { DataError } from '../errors.js';

/** A float32 tensor by name. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Headers above this are refused before parsing (the reference implementation's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

/**
 * Serializes float32 tensors (in the given order) with optional string metadata.
 *
 * @example
 * writeFileSync('model.safetensors', encodeSafetensors([{ name: 'w', shape: [2, 2], data }], { format: 'pt' }));
 */
export function encodeSafetensors(tensors: NamedArray[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = Object.keys(metadata).length > 0 ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the data starts 8-byte aligned, as the reference writer does
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    at += t.data.length * 4;
  }
  return out;
}

/**
 * Parses a safetensors file into float32 tensors (F32 as stored; F64, F16 and BF16 converted) in header order, and its
 * metadata. `file` names the file in errors (DataError, one line).
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
 */
export function decodeSafetensors(bytes: Uint8Array, file: string): { tensors: NamedArray[]; metadata: Record<string, string> } {
  const fail = (why: string): never => {
    throw new DataError(file, `not a valid safetensors file: ${why}`);
  };
  if (bytes.byteLength < 8) fail(`${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER, bytes.byteLength - 8))) fail(`header length ${headerLength} exceeds the file (${bytes.byteLength} bytes)`);
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(`header is not UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors: NamedArray[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) fail(`tensor '${name}' is not an object`);
    const size = typeof t.dtype === 'string' ? BYTES[t.dtype] : undefined;
    if (size === undefined) fail(`tensor '${name}' has dtype ${JSON.stringify(t.dtype)}; expected one of ${Object.keys(BYTES).join(', ')}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor '${name}' has shape ${JSON.stringify(t.shape)}; expected a list of non-negative integers`);
    const offsets = t.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    const shape = t.shape as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * size!) fail(`tensor '${name}' of shape [${shape.join(', ')}] (${t.dtype}) needs ${count * size!} bytes, data_offsets span ${end - begin}`);
    if (end > dataLength) fail(`tensor '${name}' ends at byte ${end} of the data, which holds ${dataLength}`);
    spans.push({ name, begin, end });
    tensors.push({ name, shape, data: toFloat32(bytes, dataStart + begin, count, t.dtype as string, () => fail(`tensor '${name}': dtype ${t.dtype} is not a float type`)) });
  }
  spans.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].begin < spans[i - 1].end) fail(`tensors '${spans[i - 1].name}' and '${spans[i].name}' overlap`);
  }
  return { tensors, metadata };
}

function toFloat32(bytes: Uint8Array, at: number, count: number, dtype: string, notFloat: () => never): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
      return out;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
      return out;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = new Float32Array(new Uint32Array([view.getUint16(at + 2 * i, true) << 16]).buffer)[0];
      return out;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(at + 2 * i, true));
      return out;
    default:
      return notFloat();
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
