/**
 * Turns a drawing into a model input the way MNIST was made: the strokes' bounding box is scaled (antialiased) to fit
 * a 20x20 box of the 28x28 frame (the same fraction for other sizes), then shifted so the centre of mass is central.
 */
import { context2d } from './canvas.js';

const FILL = 20 / 28;

/** Grey levels in [0, 1] of a canvas's red channel, [h, w] row-major. */
function grey(canvas: HTMLCanvasElement): Float32Array {
  const { data } = context2d(canvas).getImageData(0, 0, canvas.width, canvas.height);
  return Float32Array.from({ length: canvas.width * canvas.height }, (_, i) => data[i * 4] / 255);
}

/**
 * The drawing (light strokes on black) as an [h, w] image in [0, 1], or undefined when nothing is drawn.
 *
 * @example
 * const x = digitize(drawCanvas, 28, 28); // Float32Array(784)
 */
export function digitize(drawing: HTMLCanvasElement, h: number, w: number): Float32Array | undefined {
  const src = grey(drawing);
  let [x0, x1, y0, y1] = [Infinity, -1, Infinity, -1];
  for (let y = 0; y < drawing.height; y++) {
    for (let x = 0; x < drawing.width; x++) {
      if (src[y * drawing.width + x] > 0.05) [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
    }
  }
  if (x1 < 0) return undefined;
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const scale = Math.min((FILL * w) / bw, (FILL * h) / bh);
  const [dw, dh] = [bw * scale, bh * scale];
  const boxed = Object.assign(document.createElement('canvas'), { width: w, height: h });
  const bctx = context2d(boxed);
  bctx.fillStyle = '#000';
  bctx.fillRect(0, 0, w, h);
  bctx.imageSmoothingQuality = 'high';
  bctx.drawImage(drawing, x0, y0, bw, bh, (w - dw) / 2, (h - dh) / 2, dw, dh);
  const img = grey(boxed);
  let [mass, mx, my] = [0, 0, 0];
  img.forEach((v, i) => {
    mass += v;
    mx += v * (i % w);
    my += v * Math.floor(i / w);
  });
  const [sx, sy] = [Math.round((w - 1) / 2 - mx / mass), Math.round((h - 1) / 2 - my / mass)];
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [fx, fy] = [x - sx, y - sy];
      if (fx >= 0 && fx < w && fy >= 0 && fy < h) out[y * w + x] = img[fy * w + fx];
    }
  }
  return out;
}
