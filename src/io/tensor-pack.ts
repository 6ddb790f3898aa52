/** Packs named float32 tensors into one little-endian byte buffer with a manifest, and back; shared by models and checkpoints. */
import { tf, type Variable } from '../engine/index.js';

/** Where one tensor sits in the packed buffer (offsets and lengths in bytes). */
export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  offset: number;
  byteLength: number;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Packs variables' values into one buffer, in order.
 *
 * @example
 * const { entries, bytes } = packTensors(model.variables());
 */
export function packTensors(vars: { name: string; variable: Variable }[]): { entries: TensorEntry[]; bytes: Uint8Array } {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const { name, variable } of vars) {
    const byteLength = variable.size * 4;
    entries.push({ name, shape: [...variable.shape], dtype: 'float32', offset, byteLength });
    offset += byteLength;
  }
  const bytes = new Uint8Array(offset);
  const view = new DataView(bytes.buffer);
  vars.forEach(({ variable }, i) => {
    const data = variable.dataSync() as Float32Array;
    const base = entries[i].offset;
    if (littleEndian) bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), base);
    else for (let j = 0; j < data.length; j++) view.setFloat32(base + 4 * j, data[j], true);
  });
  return { entries, bytes };
}

/** Reads one entry's values out of a packed buffer as a fresh Float32Array. */
export function readEntry(bytes: Uint8Array, e: TensorEntry): Float32Array {
  const out = new Float32Array(e.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let j = 0; j < out.length; j++) out[j] = view.getFloat32(e.offset + 4 * j, true);
  return out;
}

/**
 * Assigns packed values to variables by name. Returns a list of problems (missing, wrong shape, out of range, or what
 * `check` says of a tensor's values) instead of throwing, so the caller can name the file in its error; nothing is
 * assigned unless there are none.
 */
export function assignTensors(
  vars: { name: string; variable: Variable }[],
  entries: TensorEntry[],
  bytes: Uint8Array,
  check?: (name: string, values: Float32Array) => string | undefined,
): string[] {
  // The manifest comes from a file: anything in it may be missing or of the wrong type.
  const byName = new Map((Array.isArray(entries) ? entries : []).filter((e) => typeof e === 'object' && e !== null).map((e) => [e.name, e]));
  const problems: string[] = [];
  const ready: [Variable, Float32Array][] = [];
  for (const { name, variable } of vars) {
    const e = byName.get(name);
    if (!e) {
      problems.push(`missing weight '${name}'`);
      continue;
    }
    if (!Array.isArray(e.shape) || e.shape.join('x') !== variable.shape.join('x')) {
      // A value from a file is shown cut short: a corrupted field can be any length.
      const found = (Array.isArray(e.shape) ? `[${e.shape.join(', ')}]` : JSON.stringify(e.shape ?? null)).slice(0, 60);
      problems.push(`weight '${name}' has shape ${found}, expected [${variable.shape.join(', ')}]`);
      continue;
    }
    if (!Number.isInteger(e.offset) || e.byteLength !== variable.size * 4 || e.offset < 0 || e.offset + e.byteLength > bytes.byteLength) {
      problems.push(`weight '${name}' lies outside the ${bytes.byteLength}-byte weights file (offset ${String(e.offset).slice(0, 30)}, ${String(e.byteLength).slice(0, 30)} bytes)`);
      continue;
    }
    const data = readEntry(bytes, e);
    const problem = check?.(name, data);
    if (problem) problems.push(problem);
    else ready.push([variable, data]);
  }
  if (problems.length === 0) {
    for (const [variable, data] of ready) tf.tidy(() => variable.assign(tf.tensor(data, variable.shape, 'float32')));
  }
  return problems;
}

/** The first value of `values` that is NaN or infinite, as `'name' [index] is NaN`; undefined when all are finite. */
export function nonFinite(name: string, values: Float32Array): string | undefined {
  for (let j = 0; j < values.length; j++) if (!Number.isFinite(values[j])) return `'${name}' [${j}] is ${values[j]}`;
  return undefined;
}
