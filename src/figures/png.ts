/** Image grids: decoded images [n, H*W*C] in [0, 1] laid out in rows and columns, with optional labels, as PNG bytes (pngjs). */
import { PNG } from 'pngjs';
import { drawText, textWidth, type TextItem } from './text.js';

/** Text drawn in the PNG around a grid, so that it reads without the report's caption. */
export interface GridLabels {
  /** A line above the grid, e.g. 'prior samples, seed 3'. */
  title?: string;
  /** One label per row, drawn left of it ('' for none). */
  rows?: string[];
  /** One label per column, drawn above it ('' for none); only every k-th (and the last) when they would overlap. */
  cols?: string[];
}

export interface GridOptions {
  /** Images back to back, [n, H, W, C] row-major, values in [0, 1] (clipped). */
  images: Float32Array;
  /** [H, W, C], C = 1 or 3. */
  shape: number[];
  rows: number;
  cols: number;
  /** Pixels of separator between tiles and around the edge, before scaling (default 1). */
  pad?: number;
  /** Nearest-neighbour magnification (default 2: a 28-pixel digit becomes 56 pixels). */
  scale?: number;
  /** Grey level of the separator in [0, 1] (default 0.5, visible against black and white digits). */
  padValue?: number;
  /** A title, row and column labels in white bands above and left of the grid (default none: the bare grid). */
  labels?: GridLabels;
}

type LayoutOptions = Pick<GridOptions, 'shape' | 'pad' | 'scale' | 'labels'> & { cols?: number; rows?: number };

/** Pixel height of label text at a grid magnification: readable beside a 28-pixel digit at scale 1 or 2. */
const labelSize = (scale: number) => Math.max(11, 7 * scale);
const hasText = (labels: string[] | undefined) => labels !== undefined && labels.some((l) => l.trim() !== '');

/**
 * Where the grid sits in the PNG: `left` and `top` are the label bands' sizes (0 without labels), `width` and
 * `height` the whole image's, `gridWidth` and `gridHeight` the bare grid's.
 */
export function gridLayout({ shape, pad = 1, scale = 2, labels, rows = 0, cols = 0 }: LayoutOptions) {
  const [h, w] = shape;
  const size = labelSize(scale);
  const margin = Math.round(size / 2);
  const titleBand = labels?.title ? Math.round((size + 2) * 1.7) : 0;
  const top = titleBand + (hasText(labels?.cols) ? Math.round(size * 1.7) : 0);
  const left = hasText(labels?.rows) ? Math.max(...labels!.rows!.map((l) => textWidth(l, size))) + 2 * margin : 0;
  const gridWidth = (pad + cols * (w + pad)) * scale;
  const gridHeight = (pad + rows * (h + pad)) * scale;
  const titleWidth = labels?.title ? textWidth(labels.title, size + 2) + 2 * margin : 0;
  return { left, top, titleBand, size, margin, gridWidth, gridHeight, width: Math.max(left + gridWidth, titleWidth), height: top + gridHeight };
}

/** Where tile (r, c) starts in the output image, in pixels (after the label bands, if any). */
export function tileOrigin(opts: LayoutOptions, r: number, c: number): { x: number; y: number } {
  const { shape, pad = 1, scale = 2 } = opts;
  const [h, w] = shape;
  const { left, top } = opts.labels ? gridLayout(opts) : { left: 0, top: 0 };
  return { x: left + (pad + c * (w + pad)) * scale, y: top + (pad + r * (h + pad)) * scale };
}

/** The indices of `labels` to draw when each needs `need` pixels and they are `pitch` apart: every k-th and the last. */
function spaced(labels: string[], need: number, pitch: number): number[] {
  const k = Math.max(1, Math.ceil(need / pitch));
  const last = labels.length - 1;
  return labels.map((_, i) => i).filter((i) => i === last || (i % k === 0 && last - i >= k));
}

/** The label text items of a grid, in output pixels. */
function labelItems(opts: GridOptions, layout: ReturnType<typeof gridLayout>): TextItem[] {
  const { shape, pad = 1, scale = 2, labels = {} } = opts;
  const [h, w] = shape;
  const { size, margin, left, top, titleBand, width } = layout;
  const items: TextItem[] = [];
  if (labels.title) items.push({ text: labels.title, x: margin, y: Math.round((size + 2) * 1.3), size: size + 2 });
  const cols = (labels.cols ?? []).slice(0, opts.cols);
  if (hasText(cols)) {
    const widest = Math.max(...cols.map((l) => textWidth(l, size)));
    for (const c of spaced(cols, widest + margin, (w + pad) * scale)) {
      const tw = textWidth(cols[c], size);
      const centre = left + (pad + c * (w + pad) + w / 2) * scale;
      items.push({ text: cols[c], x: Math.round(Math.min(Math.max(centre - tw / 2, 0), width - tw)), y: titleBand + Math.round(size * 1.25), size });
    }
  }
  const rows = (labels.rows ?? []).slice(0, opts.rows);
  if (hasText(rows)) {
    for (const r of spaced(rows, size, (h + pad) * scale)) {
      const centre = top + (pad + r * (h + pad) + h / 2) * scale;
      items.push({ text: rows[r], x: left - margin - textWidth(rows[r], size), y: Math.round(centre + 0.36 * size), size });
    }
  }
  return items.filter((t) => t.text.trim() !== '');
}

/** A value in [0, 1] as an 8-bit grey level, the way every tile is rendered. */
export function toByte(v: number): number {
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
}

/**
 * A rows x cols grid of images as PNG bytes (RGB, 8 bits); image i goes to row floor(i / cols), column i % cols,
 * missing images leave their tile blank. Labels, if given, go in white bands above and left of the grid.
 *
 * @example
 * const png = imageGrid({ images: x, shape: [28, 28, 1], rows: 2, cols: 10, labels: { rows: ['original', 'reconstruction'] } });
 */
export function imageGrid(opts: GridOptions): Uint8Array {
  const { images, shape, rows, cols, pad = 1, scale = 2, padValue = 0.5 } = opts;
  const [h, w, ch] = shape;
  if (ch !== 1 && ch !== 3) throw new Error(`imageGrid: shape [${shape.join(', ')}] has ${ch} channels; expected 1 or 3`);
  const size = h * w * ch;
  const n = Math.min(rows * cols, Math.floor(images.length / size));
  const layout = gridLayout({ shape, pad, scale, labels: opts.labels, rows, cols });
  const { width, height, left, top, gridWidth, gridHeight } = layout;
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.alloc(width * height * 3, 255); // [height, width, RGB]: white label bands
  const grey = toByte(padValue);
  for (let y = top; y < top + gridHeight; y++) png.data.fill(grey, (y * width + left) * 3, (y * width + left + gridWidth) * 3);
  for (let i = 0; i < n; i++) {
    const { x: ox, y: oy } = tileOrigin({ shape, pad, scale }, Math.floor(i / cols), i % cols);
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const src = i * size + (Math.floor(y / scale) * w + Math.floor(x / scale)) * ch;
        const dst = ((top + oy + y) * width + left + ox + x) * 3;
        for (let k = 0; k < 3; k++) png.data[dst + k] = toByte(images[src + (ch === 1 ? 0 : k)]);
      }
    }
  }
  if (opts.labels) drawText({ rgb: png.data, width, height, items: labelItems(opts, layout), keep: { x: left, y: top, width: gridWidth, height: gridHeight } });
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false }));
}
