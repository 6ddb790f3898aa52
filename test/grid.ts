/** Test helpers for labelled image grids: where the bare grid sits in a PNG, and whether a band holds text. */
import { expect } from 'vitest';
import type { PNG } from 'pngjs';

/** The separator grey of every grid (toByte(0.5)). */
const GREY = 128;

const pixel = (png: PNG, x: number, y: number) => png.data[(y * png.width + x) * 4]; // pngjs decodes to RGBA

/**
 * Finds a bare grid of `width` x `height` pixels (its outer separator frame all grey) at the bottom of a PNG, and
 * asserts that label bands made the PNG larger than the grid: returns the grid's top-left corner.
 */
export function findGrid(png: PNG, width: number, height: number): { left: number; top: number } {
  const top = png.height - height;
  expect(top, 'the grid fits in the PNG').toBeGreaterThanOrEqual(0);
  const frame = (left: number) => {
    for (let x = left; x < left + width; x++) if (pixel(png, x, top) !== GREY || pixel(png, x, png.height - 1) !== GREY) return false;
    for (let y = top; y < png.height; y++) if (pixel(png, left, y) !== GREY || pixel(png, left + width - 1, y) !== GREY) return false;
    return true;
  };
  let left = 0;
  while (left + width <= png.width && !frame(left)) left++;
  expect(left + width, `a ${width} x ${height} grid framed in grey at the bottom of the ${png.width} x ${png.height} PNG`).toBeLessThanOrEqual(png.width);
  expect(png.width * png.height, 'label bands around the grid').toBeGreaterThan(width * height);
  return { left, top };
}

/** Dark pixels (text) in the rectangle [x0, x1) x [y0, y1). */
export function ink(png: PNG, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(png.height, y1); y++) for (let x = Math.max(0, x0); x < Math.min(png.width, x1); x++) if (pixel(png, x, y) < 100) n++;
  return n;
}
