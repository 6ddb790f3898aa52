/** A folder of PNG images as a dataset: any size and colour type, resized (bilinear) to one size, labels from sub-folder names. */
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { DataError } from '../errors.js';
import { checkBudget, type MemoryNeed } from './budget.js';
import { readDataFile, readHead } from './files.js';
import { PNG_HEADER_BYTES, checkPngFile, checkPngHeader } from './png-check.js';
import { encodeLabels } from './preprocess.js';
import type { DataOptions, Dataset } from './types.js';
import { fromUnsplit } from './user-files.js';

/** Raw pixels of a folder of images, before splitting and scaling. */
export interface ImageFolder {
  /** [n, H, W, C] row-major, values 0..255. */
  x: Float32Array;
  n: number;
  /** [H, W, C]. */
  shape: number[];
  /** Class per image from its sub-folder, when images sit in sub-folders. */
  labels?: Int32Array;
  labelNames?: string[];
  /** The image files in the order of `x`. */
  files: string[];
}

export interface ImageFolderOptions {
  /** [H, W] every image is resized to; default the first image's size (files in sorted order). */
  imageSize?: [number, number];
  /** 1 (grey) or 3 (RGB); default 3 when any image has colour, else 1. */
  channels?: 1 | 3;
  /** Bytes the read may allocate; see {@link DataOptions.memoryBudget}. */
  memoryBudget?: number;
}

/** One decoded image: RGB with alpha composited over black, and whether it had colour. */
interface Decoded {
  width: number;
  height: number;
  rgb: Float32Array; // [h, w, 3], 0..255
  color: boolean;
}

const isHidden = (name: string) => name.startsWith('.');

/** stat that follows links, with a failure (a link to itself, a dangling link, no permission) as a DataError naming the path. */
function statOf(p: string): Stats {
  try {
    return statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new DataError(p, 'a symbolic link loop (the link leads back to itself); remove the link');
    if (code === 'ENOENT') throw new DataError(p, 'a symbolic link to nothing; remove the link');
    throw new DataError(p, `cannot read (${code ?? (err as Error).message})`);
  }
}

/**
 * Every non-hidden file under `dir` (recursively, following symbolic links), sorted by path so the order is the same
 * on every machine. A folder that leads back to one it is inside (a link such as `cls/up -> ..`) is a DataError.
 */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, inside: string[]) => {
    const real = realpathSync(d);
    if (inside.includes(real)) throw new DataError(d, `a symbolic link loop: it leads back to ${real}, a folder it is in; remove the link`);
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch (err) {
      throw new DataError(d, `cannot read the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    for (const name of names) {
      if (isHidden(name)) continue;
      const p = path.join(d, name);
      if (statOf(p).isDirectory()) walk(p, [...inside, real]);
      else out.push(p);
    }
  };
  walk(dir, []);
  return out;
}

const isPngName = (file: string) => file.toLowerCase().endsWith('.png');

function decodePng(file: string): Decoded {
  if (!isPngName(file)) throw new DataError(file, 'not a PNG image (expected a .png file; an image folder holds only PNG images, in sub-folders per class or not)');
  let png: ReturnType<typeof PNG.sync.read>;
  const bytes = readDataFile(file);
  checkPngFile(file, bytes);
  try {
    png = PNG.sync.read(Buffer.from(bytes));
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(file, `not a readable PNG image (${(err as Error).message})`);
  }
  const { width, height, data } = png; // RGBA, 8 bits (pngjs expands grey, palette and 16-bit)
  const rgb = new Float32Array(width * height * 3); // [h, w, 3]
  for (let i = 0; i < width * height; i++) {
    // Transparent pixels become black, as a digit drawn on a transparent background should.
    const a = data[i * 4 + 3] / 255;
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = data[i * 4 + k] * a;
  }
  const meta = png as unknown as { color?: boolean };
  return { width, height, rgb, color: meta.color === true };
}

/**
 * Bilinear resize of an [h, w, c] image to [outH, outW, c] with half-pixel centres (as tf.image.resizeBilinear with
 * halfPixelCenters, or PIL without antialiasing); a same-size resize returns the input.
 *
 * @example
 * const small = resizeBilinear(img, { height: 64, width: 48, channels: 3 }, [28, 28]); // [28, 28, 3]
 */
export function resizeBilinear(img: Float32Array, from: { height: number; width: number; channels: number }, [outH, outW]: [number, number]): Float32Array {
  const { height: h, width: w, channels: c } = from;
  if (h === outH && w === outW) return img;
  const out = new Float32Array(outH * outW * c); // [outH, outW, c]
  const sy = h / outH;
  const sx = w / outW;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const wx = fx - x0;
      for (let k = 0; k < c; k++) {
        const top = img[(y0 * w + x0) * c + k] * (1 - wx) + img[(y0 * w + x1) * c + k] * wx;
        const bottom = img[(y1 * w + x0) * c + k] * (1 - wx) + img[(y1 * w + x1) * c + k] * wx;
        out[(y * outW + x) * c + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/** RGB [h*w*3] to grey [h*w] with the ITU-R BT.601 luma weights (what PIL's convert('L') uses). */
function toGrey(rgb: Float32Array): Float32Array {
  const out = new Float32Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
  return out;
}

/**
 * The peak memory of reading a folder, from each PNG's header (checked, so a corrupt one is named as such rather than
 * budgeted): every image decoded to float RGB, then the [n, H, W, C] array and its split copies (taken as RGB). Files
 * not named .png are left to the decoder, which names them.
 */
function folderNeed(files: string[], imageSize?: [number, number]): MemoryNeed {
  let decodedBytes = 0;
  let first: [number, number] | undefined;
  for (const file of files) {
    if (!isPngName(file)) continue;
    const { head, size } = readHead(file, PNG_HEADER_BYTES);
    const { width: w, height: h } = checkPngHeader(file, head, size);
    first ??= [h, w];
    decodedBytes += w * h * 3 * 4;
  }
  const [h, w] = imageSize ?? first ?? [0, 0];
  const tableBytes = files.length * h * w * 3 * 4 * 2;
  return { bytes: decodedBytes + tableBytes, what: `${files.length} images decoded and resized to ${h}x${w}`, remedy: 'file' };
}

/**
 * Reads every PNG under `dir` into one array, resized to one size. Images directly in `dir` have no label; images in
 * sub-folders take the first sub-folder's name as their label (both at once is an error). Hidden files are skipped;
 * any other non-PNG file is a DataError naming it.
 *
 * @example
 * const { x, shape, labelNames } = readImageFolder('photos/', { imageSize: [32, 32] }); // shape [32, 32, 3]
 */
export function readImageFolder(dir: string, opts: ImageFolderOptions = {}): ImageFolder {
  const files = listFiles(dir);
  if (files.length === 0) throw new DataError(dir, 'the folder holds no images; expected PNG files (in sub-folders per class or not)');
  checkBudget(dir, folderNeed(files, opts.imageSize), opts.memoryBudget);
  const decoded = files.map(decodePng);
  const [h, w] = opts.imageSize ?? [decoded[0].height, decoded[0].width];
  const c = opts.channels ?? (decoded.some((d) => d.color) ? 3 : 1);
  const size = h * w * c;
  const x = new Float32Array(files.length * size); // [n, H, W, C]
  decoded.forEach((img, i) => {
    const resized = resizeBilinear(img.rgb, { height: img.height, width: img.width, channels: 3 }, [h, w]);
    x.set(c === 3 ? resized : toGrey(resized), i * size);
  });
  const folders = files.map((f) => path.relative(dir, f).split(path.sep));
  const inSub = folders.filter((p) => p.length > 1).length;
  let encoded: { labels: Int32Array; labelNames: string[] } | undefined;
  if (inSub > 0) {
    const loose = files.find((_, i) => folders[i].length === 1);
    if (loose) throw new DataError(loose, `sits directly in ${dir} while other images sit in class sub-folders; put every image in a sub-folder (its label) or none`);
    encoded = encodeLabels(folders.map((p) => p[0]));
  }
  return { x, n: files.length, shape: [h, w, c], files, ...(encoded && { labels: encoded.labels, labelNames: encoded.labelNames }) };
}

/**
 * A folder of PNG images as an image Dataset: seeded 80/20 split (or `testFraction`), pixels scaled to [0, 1].
 *
 * @example
 * loadImageFolder('faces/', { name: 'faces/', seed: 0, testFraction: 0.2, imageSize: [28, 28] });
 */
export function loadImageFolder(dir: string, opts: DataOptions): Dataset {
  const folder = readImageFolder(dir, { imageSize: opts.imageSize, memoryBudget: opts.memoryBudget });
  const all = { x: folder.x, n: folder.n, ...(folder.labels && { labels: folder.labels }) };
  return fromUnsplit(dir, opts, { kind: 'image', shape: folder.shape, all, labelNames: folder.labelNames, scale: 1 / 255 });
}
