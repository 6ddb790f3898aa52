/**
 * Example data for the page: IDX files (optionally gzip), decoded by the library's IDX parser and preprocessed the
 * way the model's training data was (the model's own preprocessing record), so raw files stay small (uint8 digits).
 */
import { parseIdx } from '../../src/data/idx.js';
import type { Preprocessing } from '../../src/data/types.js';
import { DataError } from '../../src/errors.js';

/** A file's name (for messages) and bytes. */
export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

/** What the Swiss roll's `values` are, in the map's legend (the CLI's latent figure colours by the same). */
export const POSITION = 'position t along the roll';

/** Preprocessed examples [n, dim] in model space, with optional class labels. */
export interface Examples {
  x: Float32Array;
  n: number;
  dim: number;
  labels?: Int32Array;
  /** A continuous value per example that latent maps are coloured by when there are no labels (the roll's position). */
  values?: Float32Array;
  /** What `values` are, for the map's legend. */
  valueName?: string;
}

/** The bytes, gunzipped when they start with the gzip magic (the content decides, not the name). */
export async function gunzipIfNeeded(file: NamedBytes): Promise<Uint8Array> {
  const { bytes } = file;
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new DataError(file.name, `starts like gzip but does not decompress (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * Raw [n, d] values to model space by a saved preprocessing record, in place: the rule of the library's
 * applyPreprocessing, whose module the page cannot bundle (it also reads PNG folders through Node streams).
 */
function toModelSpace(x: Float32Array, d: number, how: Preprocessing, file: string): Float32Array {
  if (how.kind === 'scale') for (let i = 0; i < x.length; i++) x[i] *= how.scale;
  if (how.kind === 'standardize') {
    if (how.mean.length !== d) throw new DataError(file, `the model standardizes ${how.mean.length} features, but the file has ${d} per example`);
    for (let i = 0; i < x.length; i++) x[i] = (x[i] - how.mean[i % d]) / how.std[i % d];
  }
  return x;
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The values of an IDX file [n] that holds one value per example of `images`; other shapes are refused naming it. */
async function perExample(file: NamedBytes, what: string, n: number, images: string): Promise<ArrayLike<number>> {
  const idx = parseIdx(await gunzipIfNeeded(file), file.name);
  if (idx.dims.length !== 1 || idx.dims[0] !== n) {
    throw new DataError(file.name, `holds ${what} of shape ${shapeText(idx.dims)}, expected [${n}] (one per example of ${images})`);
  }
  return idx.data;
}

/**
 * Parses an images file (IDX [n, ...shape]) and an optional labels file (IDX [n]) into model-space examples; errors
 * name the file, what it holds and what the model expects.
 *
 * @example
 * const test = await readExamples({ images, labels, inputShape: [28, 28, 1], preprocessing });
 */
export async function readExamples({
  images,
  labels,
  positions,
  inputShape,
  preprocessing,
}: {
  images: NamedBytes;
  labels?: NamedBytes;
  /** The Swiss roll's position per example, IDX [n]. */
  positions?: NamedBytes;
  inputShape: readonly number[];
  preprocessing: Preprocessing;
}): Promise<Examples> {
  const idx = parseIdx(await gunzipIfNeeded(images), images.name);
  const [n, ...shape] = idx.dims;
  const dim = inputShape.reduce((a, b) => a * b, 1);
  const size = shape.reduce((a, b) => a * b, 1);
  if (idx.dims.length < 2 || size !== dim) {
    throw new DataError(images.name, `examples have shape ${shapeText(shape)} (${size} values) but the model expects ${shapeText(inputShape)} (${dim} values)`);
  }
  const x = toModelSpace(Float32Array.from(idx.data), dim, preprocessing, images.name); // [n, dim]
  const values = positions && (await perExample(positions, 'positions', n, images.name));
  const colour = values ? { values: Float32Array.from(values), valueName: POSITION } : {};
  if (!labels) return { x, n, dim, ...colour };
  return { x, n, dim, labels: Int32Array.from(await perExample(labels, 'labels', n, images.name)), ...colour };
}
