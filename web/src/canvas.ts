/** Drawing helpers shared by the views: decoded outputs (images, 2-D points or bars), scatters and line charts. */
import { valueColours } from '../../src/figures/palette.js';
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

/** Space around a plot's area for its axes, in canvas pixels. */
export interface Padding {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const NO_PADDING: Padding = { left: 0, right: 0, top: 0, bottom: 0 };

/** Room for {@link paintAxes}' ticks and labels around a scatter. */
export const AXES_PADDING: Padding = { left: 46, right: 10, top: 12, bottom: 36 };

/** Maps between data coordinates and canvas pixels for a 2-D plot (y up) drawn in the canvas less `pad`. */
export class Frame {
  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly box: [number, number, number, number],
    readonly pad: Padding = NO_PADDING,
  ) {}

  /** The plot area's width and height in pixels. */
  get size(): [number, number] {
    const { pad, canvas } = this;
    return [canvas.width - pad.left - pad.right, canvas.height - pad.top - pad.bottom];
  }

  toPixel(x: number, y: number): [number, number] {
    const [x0, x1, y0, y1] = this.box;
    const [w, h] = this.size;
    return [this.pad.left + ((x - x0) / (x1 - x0)) * w, this.pad.top + (1 - (y - y0) / (y1 - y0)) * h];
  }

  toData(px: number, py: number): [number, number] {
    const [x0, x1, y0, y1] = this.box;
    const [w, h] = this.size;
    return [x0 + ((px - this.pad.left) / w) * (x1 - x0), y0 + (1 - (py - this.pad.top) / h) * (y1 - y0)];
  }
}

/**
 * Tick values and their labels for a linear axis over [lo, hi]: about `count` multiples of 1, 2 or 5 times a power
 * of ten, d3's rule (which the CLI's Vega figures tick by), labelled with as many decimals as the step needs.
 *
 * @example
 * ticks(-3.2, 4.1, 6); // { values: [-3, -2, ..., 4], labels: ['-3', '-2', ..., '4'] }
 */
export function ticks(lo: number, hi: number, count: number): { values: number[]; labels: string[] } {
  const raw = (hi - lo) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return { values: [lo], labels: [lo.toPrecision(3)] };
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const step = power * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) values.push(Number((k * step).toFixed(decimals)));
  return { values, labels: values.map((v) => (Object.is(v, -0) ? 0 : v).toFixed(decimals)) };
}

/**
 * Draws a frame's axes in its padding: ticks with values on the left and bottom edges, and each axis's label. The
 * labels and tick values also go to the canvas's data-x-label, data-y-label, data-x-ticks and data-y-ticks
 * (comma-separated), for the page's tests and for screen readers' sake in the title.
 */
export function paintAxes(frame: Frame, { xLabel, yLabel, count = 6 }: { xLabel: string; yLabel: string; count?: number }): void {
  const { canvas, pad } = frame;
  const ctx = context2d(canvas);
  const [x0, x1, y0, y1] = frame.box;
  const [w, h] = frame.size;
  const bottom = pad.top + h;
  ctx.strokeStyle = '#888';
  ctx.fillStyle = '#444';
  ctx.lineWidth = 1;
  ctx.font = '11px system-ui, sans-serif';
  ctx.beginPath();
  ctx.moveTo(pad.left - 0.5, pad.top);
  ctx.lineTo(pad.left - 0.5, bottom + 0.5);
  ctx.lineTo(pad.left + w, bottom + 0.5);
  ctx.stroke();
  const xt = ticks(x0, x1, count);
  const yt = ticks(y0, y1, Math.max(3, Math.round((count * h) / w)));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  xt.values.forEach((v, i) => {
    const [px] = frame.toPixel(v, y0);
    ctx.beginPath();
    ctx.moveTo(px, bottom);
    ctx.lineTo(px, bottom + 4);
    ctx.stroke();
    ctx.fillText(xt.labels[i], px, bottom + 6);
  });
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  yt.values.forEach((v, i) => {
    const [, py] = frame.toPixel(x0, v);
    ctx.beginPath();
    ctx.moveTo(pad.left - 4, py);
    ctx.lineTo(pad.left, py);
    ctx.stroke();
    ctx.fillText(yt.labels[i], pad.left - 6, py);
  });
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(xLabel, pad.left + w / 2, canvas.height - 2);
  ctx.save();
  ctx.translate(12, pad.top + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
  ctx.textAlign = 'start';
  ctx.textBaseline = 'alphabetic';
  Object.assign(canvas.dataset, { xLabel, yLabel, xTicks: xt.labels.join(','), yTicks: yt.labels.join(',') });
  canvas.title = `${yLabel} against ${xLabel}`;
}

/** How a scatter's points are coloured: by class label, by a continuous value (viridis), or all alike. */
export type PointColours = { labels?: Int32Array; values?: ArrayLike<number> };

/** The colour of each of the first `n` points: labels first, else the values on the shared value scheme, else grey. */
function pointColours({ labels, values }: PointColours, n: number): (i: number) => string {
  if (labels) return (i) => labelColour(labels[i]);
  if (values) {
    const colours = valueColours(Array.from({ length: n }, (_, i) => values[i]));
    return (i) => colours[i];
  }
  return () => labelColour(undefined);
}

/** Draws 2-D points coloured by label or value on a white canvas, with light lines through the origin. */
export function paintScatter(frame: Frame, xy: ArrayLike<number>, n: number, colours: PointColours = {}, radius = 2.5): void {
  const ctx = context2d(frame.canvas);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, frame.canvas.width, frame.canvas.height);
  ctx.save();
  const [w, h] = frame.size;
  ctx.beginPath();
  ctx.rect(frame.pad.left, frame.pad.top, w, h);
  ctx.clip();
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
  const colour = pointColours(colours, n);
  for (let i = 0; i < n; i++) {
    const [px, py] = frame.toPixel(xy[2 * i], xy[2 * i + 1]);
    ctx.fillStyle = colour(i);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.restore();
  frame.canvas.dataset.points = String(n);
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
    if (test) paintScatter(frame, test.x, test.n, {}, 1.5);
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

/** The axes of {@link paintLines}: their labels, and the step each value is at (value i at step `xStep * (i + 1)`). */
export interface LineAxes {
  xLabel: string;
  yLabel: string;
  /** The x value of one step (1 by default; the values are at steps 1..n). */
  xStep?: number;
  /** The top of the y axis; values above it are clipped (default: the largest value). */
  yMax?: number;
}

/**
 * A line chart of one or more series over steps 1..n, with ticked and labelled x and y axes and a legend above the
 * plot. The drawn y range goes to the canvas's data-y-min and data-y-max.
 */
export function paintLines(canvas: HTMLCanvasElement, series: Series[], axes: LineAxes = { xLabel: 'step', yLabel: 'value' }): void {
  const ctx = context2d(canvas);
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (all.length === 0) return;
  const n = Math.max(...series.map((s) => s.values.length));
  const step = axes.xStep ?? 1;
  const lo = Math.min(...all);
  const top = Math.max(lo, Math.min(axes.yMax ?? Infinity, Math.max(...all)));
  const hi = top > lo ? top : lo + 1;
  // The y range padded by 4% so the first batch's value and the lowest point sit inside the plot, not on its edge.
  const margin = (hi - lo) * 0.04;
  const frame = new Frame(canvas, [step, Math.max(step * n, step * 2), lo - margin, hi + margin], { left: 58, right: 14, top: 22, bottom: 40 });
  Object.assign(canvas.dataset, { yMin: String(lo), yMax: String(hi) });
  paintAxes(frame, { xLabel: axes.xLabel, yLabel: axes.yLabel });
  const at = (i: number, v: number) => frame.toPixel(step * (i + 1), Math.min(v, hi));
  ctx.save();
  ctx.font = '11px system-ui, sans-serif';
  series.forEach((s, k) => {
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.lineWidth = 1.5;
    if (s.dots) {
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v)) return;
        ctx.beginPath();
        ctx.arc(...at(i, v), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (s.dots || !Number.isFinite(v)) return void (pen = false);
      if (pen) ctx.lineTo(...at(i, v));
      else ctx.moveTo(...at(i, v));
      pen = true;
    });
    ctx.stroke();
    ctx.fillText(s.label, frame.pad.left + 6 + k * 120, 14);
  });
  ctx.restore();
}
