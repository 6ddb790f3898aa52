/** Writes IDX files (MNIST's format, big-endian), the lab's format for example data; the library's parseIdx reads them. */

/** Element types the lab writes, with their IDX type byte. */
const TYPES = { uint8: 0x08, int32: 0x0c, float32: 0x0d } as const;

/**
 * Encodes `data` with shape `dims` as an IDX file.
 *
 * @example
 * const bytes = encodeIdx([1000, 28, 28], pixels); // uint8 images, as t10k-images-idx3-ubyte
 */
export function encodeIdx(dims: number[], data: Uint8Array | Int32Array | Float32Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`encodeIdx: shape [${dims.join(', ')}] holds ${count} values, data has ${data.length}`);
  const type = data instanceof Uint8Array ? 'uint8' : data instanceof Int32Array ? 'int32' : 'float32';
  const size = type === 'uint8' ? 1 : 4;
  const header = 4 + 4 * dims.length;
  const bytes = new Uint8Array(header + count * size);
  const view = new DataView(bytes.buffer);
  bytes[2] = TYPES[type];
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  if (type === 'uint8') bytes.set(data as Uint8Array, header);
  else if (type === 'int32') (data as Int32Array).forEach((v, i) => view.setInt32(header + 4 * i, v));
  else (data as Float32Array).forEach((v, i) => view.setFloat32(header + 4 * i, v));
  return bytes;
}
