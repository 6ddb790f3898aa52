/** Image grids: decoded images [n, H*W*C] in [0, 1] laid out in rows and columns, encoded as PNG bytes (pngjs). */
import { PNG } from 'pngjs';

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
}

/** Where tile (r, c) starts in the output image, in pixels. */
export function tileOrigin({ shape, pad = 1, scale = 2 }: Pick<GridOptions, 'shape' | 'pad' | 'scale'>, r: number, c: number): { x: number; y: number } {
  const [h, w] = shape;
  return { x: (pad + c * (w + pad)) * scale, y: (pad + r * (h + pad)) * scale };
}

/** A value in [0, 1] as an 8-bit grey level, the way every tile is rendered. */
export function toByte(v: number): number {
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
}

/**
 * A rows x cols grid of images as PNG bytes (RGB, 8 bits); image i goes to row floor(i / cols), column i % cols,
 * missing images leave their tile blank.
 *
 * @example
 * const png = imageGrid({ images: x, shape: [28, 28, 1], rows: 3, cols: 10 });
 */
export function imageGrid(opts: GridOptions): Uint8Array {
  const { images, shape, rows, cols, pad = 1, scale = 2, padValue = 0.5 } = opts;
  const [h, w, ch] = shape;
  if (ch !== 1 && ch !== 3) throw new Error(`imageGrid: shape [${shape.join(', ')}] has ${ch} channels; expected 1 or 3`);
  const size = h * w * ch;
  const n = Math.min(rows * cols, Math.floor(images.length / size));
  const width = (pad + cols * (w + pad)) * scale;
  const height = (pad + rows * (h + pad)) * scale;
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.alloc(width * height * 3, toByte(padValue));
  for (let i = 0; i < n; i++) {
    const { x: ox, y: oy } = tileOrigin({ shape, pad, scale }, Math.floor(i / cols), i % cols);
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const src = i * size + (Math.floor(y / scale) * w + Math.floor(x / scale)) * ch;
        const dst = ((oy + y) * width + ox + x) * 3;
        for (let k = 0; k < 3; k++) png.data[dst + k] = toByte(images[src + (ch === 1 ? 0 : k)]);
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false }));
}
