/**
 * The example files the lab page reads (`test-images.idx.gz`, `test-labels.idx.gz`, and for the Swiss roll
 * `test-positions.idx.gz`): the first examples of a split in their raw units (uint8 for images scaled by 1/255,
 * float32 otherwise); the page applies the model's preprocessing.
 */
import { gzipSync } from 'node:zlib';
import { invertPreprocessing, type Dataset, type DataSplit } from '../data/index.js';
import { encodeIdx } from './idx-write.js';

/** How many test examples the lab gets: enough for a readable latent map, small enough to encode in a moment. */
export const LAB_EXAMPLES = 1000;

/**
 * The first `n` examples of `split` as gzipped IDX files: images (or values); labels when the data has them; and the
 * position along the roll (float32 [n]) when the split carries one, which the page colours an unlabelled map by.
 *
 * @example
 * const { images, labels, positions } = labDataFiles(dataset, dataset.test, 1000);
 */
export function labDataFiles(
  ds: Pick<Dataset, 'kind' | 'shape' | 'preprocessing'>,
  split: DataSplit,
  n = LAB_EXAMPLES,
): { images: Uint8Array; labels?: Uint8Array; positions?: Uint8Array } {
  const count = Math.min(n, split.n);
  const d = ds.shape.reduce((a, b) => a * b, 1);
  const raw = invertPreprocessing(split.x.slice(0, count * d), d, ds.preprocessing); // [count, d] in the file's units
  const bytes = ds.kind === 'image' && ds.preprocessing.kind === 'scale' && Math.abs(ds.preprocessing.scale - 1 / 255) < 1e-12;
  const values = bytes ? Uint8Array.from(raw, (v) => Math.max(0, Math.min(255, Math.round(v)))) : raw;
  const images = gzipSync(encodeIdx([count, ...ds.shape], values));
  const position = split.aux?.position;
  const positions = position && gzipSync(encodeIdx([count], Float32Array.from(position.subarray(0, count))));
  if (!split.labels) return { images, ...(positions && { positions }) };
  const y = split.labels.subarray(0, count);
  const labels = gzipSync(encodeIdx([count], y.every((v) => v >= 0 && v < 256) ? Uint8Array.from(y) : Int32Array.from(y)));
  return { images, labels, ...(positions && { positions }) };
}
