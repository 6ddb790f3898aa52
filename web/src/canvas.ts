/** Drawing helpers shared by the views: decoded outputs (images, 2-D points or bars), scatters and line charts. */
import type { Examples } from './examples.js';

/** Ten distinguishable label colours (Tableau 10). */
const LABEL_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The colour of label `y` (grey when unlabelled). */
export function labelColour(y: number | undefined): string {
  return y === undefined ? '#888' : LABEL_COLOURS[y % LABEL_COLOURS.length];
}

/** True for [H, W, 1] and [H, W, 3] inputs, which the page shows as pictures. */
function isImageShape(shape: readonly number[]): boolean {
  return shape.length === 3 && (shape[2] === 1 || shape[2] === 3);
}

/** A 2-D canvas context, which every canvas of the page has. */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser gives no 2-D canvas context');
  return ctx;
}

/** Paints model-space image values in [0, 1], [H, W, C] row-major, scaled to fill the canvas without smoothing. */
export function paintImage(canvas: HTMLCanvasElement, values: ArrayLike<number>, shape: readonly number[]): void {
  const [h, w, c] = shape;
  const pixels = new ImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < 3; k++) {
      const v = values[i * c + (c === 3 ? k : 0)];
      pixels.data[i * 4 + k] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
    pixels.data[i * 4 + 3] = 255;
  }
  const tile = document.createElement('canvas');
  tile.width = w;
  tile.height = h;
  context2d(tile).putImageData(pixels, 0, 0);
  const ctx = context2d(canvas);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, 0, 0, canvas.width, canvas.height);
}

/** Data bounds of 2-D rows with a margin: [xMin, xMax, yMin, yMax]. */
export function bounds2d(xy: ArrayLike<number>, n: number, margin = 0.06): [number, number, number, number] {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, xy[2 * i]);
    x1 = Math.max(x1, xy[2 * i]);
    y0 = Math.min(y0, xy[2 * i + 1]);
    y1 = Math.max(y1, xy[2 * i + 1]);
  }
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const [mx, my] = [(x1 - x0) * margin, (y1 - y0) * margin];
  return [x0 - mx, x1 + mx, y0 - my, y1 + my];
}

/** Maps between data coordinates and canvas pixels for a 2-D plot (y up). */
export class Frame {
  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly box: [number, number, number, number],
  ) {}

  toPixel(x: number, y: number): [number, number] {
    const [x0, x1, y0, y1] = this.box;
    return [((x - x0) / (x1 - x0)) * this.canvas.width, (1 - (y - y0) / (y1 - y0)) * this.canvas.height];
  }

  toData(px: number, py: number): [number, number] {
    const [x0, x1, y0, y1] = this.box;
    return [x0 + (px / this.canvas.width) * (x1 - x0), y0 + (1 - py / this.canvas.height) * (y1 - y0)];
  }
}

/** Draws 2-D points coloured by label on a white canvas, with light axes through the origin. */
export function paintScatter(frame: Frame, xy: ArrayLike<number>, n: number, labels?: Int32Array, radius = 2.5): void {
  const ctx = context2d(frame.canvas);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, frame.canvas.width, frame.canvas.height);
  ctx.strokeStyle = '#ddd';
  ctx.lineWidth = 1;
  const [ox, oy] = frame.toPixel(0, 0);
  ctx.beginPath();
  ctx.moveTo(ox, 0);
  ctx.lineTo(ox, frame.canvas.height);
  ctx.moveTo(0, oy);
  ctx.lineTo(frame.canvas.width, oy);
  ctx.stroke();
  ctx.globalAlpha = 0.75;
  for (let i = 0; i < n; i++) {
    const [px, py] = frame.toPixel(xy[2 * i], xy[2 * i + 1]);
    ctx.fillStyle = labelColour(labels?.[i]);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

/** A ring marker at a data point. */
export function paintMarker(frame: Frame, x: number, y: number, colour = '#000'): void {
  const ctx = context2d(frame.canvas);
  const [px, py] = frame.toPixel(x, y);
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(px, py, 7, 0, 2 * Math.PI);
  ctx.stroke();
}

/**
 * Shows one decoded example on `canvas`: a picture for image shapes, the point among the test points for 2-D data,
 * bars otherwise.
 */
export function paintOutput(canvas: HTMLCanvasElement, values: Float32Array, shape: readonly number[], test?: Examples): void {
  if (isImageShape(shape)) return paintImage(canvas, values, shape);
  const ctx = context2d(canvas);
  if (values.length === 2) {
    const frame = new Frame(canvas, test ? bounds2d(test.x, test.n) : [-3, 3, -3, 3]);
    if (test) paintScatter(frame, test.x, test.n, undefined, 1.5);
    else {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    const [px, py] = frame.toPixel(values[0], values[1]);
    ctx.fillStyle = '#d62728';
    ctx.beginPath();
    ctx.arc(px, py, 6, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const big = Math.max(1e-6, ...Array.from(values, Math.abs));
  const w = canvas.width / values.length;
  const mid = canvas.height / 2;
  ctx.fillStyle = '#4e79a7';
  values.forEach((v, i) => ctx.fillRect(i * w + 1, Math.min(mid, mid - (v / big) * mid), Math.max(1, w - 2), Math.abs((v / big) * mid)));
}

/** One series of {@link paintLines}: values by step (NaN: no value), drawn as a line or as dots. */
export interface Series {
  values: number[];
  colour: string;
  label: string;
  dots?: boolean;
}

/** A line chart of one or more series over steps 0..n-1, with min/max labels on the y axis; values above `yMax` are clipped. */
export function paintLines(canvas: HTMLCanvasElement, series: Series[], yMax?: number): void {
  const ctx = context2d(canvas);
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (all.length === 0) return;
  const n = Math.max(...series.map((s) => s.values.length));
  const lo = Math.min(...all);
  const hi = Math.max(lo, Math.min(yMax ?? Infinity, Math.max(...all)));
  const pad = { left: 52, right: 8, top: 8, bottom: 18 };
  const x = (i: number) => pad.left + (n <= 1 ? 0 : (i / (n - 1)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (hi === lo ? 0.5 : (hi - Math.min(v, hi)) / (hi - lo)) * (height - pad.top - pad.bottom);
  ctx.fillStyle = '#555';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(hi.toFixed(1), 4, pad.top + 8);
  ctx.fillText(lo.toFixed(1), 4, height - pad.bottom);
  series.forEach((s, k) => {
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.lineWidth = 1.5;
    if (s.dots) {
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v)) return;
        ctx.beginPath();
        ctx.arc(x(i), y(v), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (s.dots || !Number.isFinite(v)) return void (pen = false);
      if (pen) ctx.lineTo(x(i), y(v));
      else ctx.moveTo(x(i), y(v));
      pen = true;
    });
    ctx.stroke();
    ctx.fillText(s.label, pad.left + 6 + k * 120, height - 4);
  });
}
