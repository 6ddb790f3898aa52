/** Text in figures: the bundled DejaVu Sans, measured and drawn by resvg, so labels look the same on every machine. */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';

/** The font every figure is drawn in, shipped by an npm package (no system font needed). */
export const FONT = 'DejaVu Sans';
const fontFile = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');

/** resvg's font options: the bundled font only. */
export const RESVG_FONT = { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: FONT };

/** One line of black text: its left edge at x, its baseline at y, `size` pixels high, in output pixels. */
export interface TextItem {
  text: string;
  x: number;
  y: number;
  size: number;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const textElement = ({ text, x, y, size }: TextItem) => `<text x="${x}" y="${y}" font-size="${size}" font-family="${FONT}" fill="#000">${escapeXml(text)}</text>`;

const widths = new Map<string, number>();

/** The advance of `text` at `size` pixels, rounded up to whole pixels (0 for empty text). */
export function textWidth(text: string, size: number): number {
  if (text.trim() === '') return 0;
  const key = `${size}:${text}`;
  let w = widths.get(key);
  if (w === undefined) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${(text.length + 2) * size}" height="${2 * size}">${textElement({ text, x: 0, y: size, size })}</svg>`;
    const box = new Resvg(svg, { font: RESVG_FONT }).getBBox();
    w = box ? Math.ceil(box.x + box.width) : 0;
    widths.set(key, w);
  }
  return w;
}

/**
 * Draws black text onto RGB pixels ([height, width, 3] bytes), each pixel darkened by the glyphs' coverage, except
 * inside `keep` (a rectangle left exactly as it is, e.g. a grid of images).
 *
 * @example
 * drawText({ rgb, width, height, items: [{ text: 'original', x: 4, y: 30, size: 14 }] });
 */
export function drawText({ rgb, width, height, items, keep }: { rgb: Buffer; width: number; height: number; items: TextItem[]; keep?: { x: number; y: number; width: number; height: number } }): void {
  if (items.length === 0) return;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${items.map(textElement).join('')}</svg>`;
  const rgba = new Resvg(svg, { font: RESVG_FONT }).render().pixels; // [height, width, 4], text black on transparent
  const inKeep = (x: number, y: number) => keep !== undefined && x >= keep.x && x < keep.x + keep.width && y >= keep.y && y < keep.y + keep.height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const a = rgba[i * 4 + 3];
      if (a === 0 || inKeep(x, y)) continue;
      for (let k = 0; k < 3; k++) rgb[i * 3 + k] = Math.round((rgb[i * 3 + k] * (255 - a) + rgba[i * 4 + k] * a) / 255);
    }
  }
}
