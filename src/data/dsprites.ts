/**
 * dSprites, generated: the factors of DeepMind's disentanglement benchmark (Matthey et al. 2017) drawn procedurally on
 * a 64x64 binary canvas, seeded and in memory, so no download. Shape (square, ellipse, heart) x 6 scales in [0.5, 1]
 * x 40 orientations in [0, 2 pi) x 32 x 32 positions in [0, 1] = 737,280 images; each example keeps its factor values.
 *
 * The rasterization is vaekit's own, not a copy of DeepMind's sprites: a pixel is set when its centre falls inside the
 * shape (a square of side 2r, an ellipse of semi-axes r and r / 2, a heart curve of about the square's size, r = 10
 * pixels at scale 1), rotated about the shape's centre, and the centre moves over [10, 54] pixels in x and y. So the
 * factor grid and value ranges are the benchmark's, the pixels are close but not identical (DeepMind's orientation
 * grid includes 2 pi, a duplicate of 0; here it is 40 steps of 2 pi / 40).
 */
import { Rng } from '../engine/rng.js';
import { checkBudget } from './budget.js';
import { limitCounts } from './preprocess.js';
import type { DataOptions, DataSplit, Dataset } from './types.js';

export const DSPRITES_SIZE = 64;
export const DSPRITES_SHAPES = ['square', 'ellipse', 'heart'] as const;
export const DSPRITES_SCALES = Array.from({ length: 6 }, (_, i) => 0.5 + i * 0.1);
export const DSPRITES_ORIENTATIONS = Array.from({ length: 40 }, (_, i) => (i * 2 * Math.PI) / 40);
export const DSPRITES_POSITIONS = Array.from({ length: 32 }, (_, i) => i / 31);
/** The factors each example keeps, in this order (aux.factors is [n, 5]). */
export const DSPRITES_FACTORS = ['shape', 'scale', 'orientation', 'posX', 'posY'] as const;
/** 3 x 6 x 40 x 32 x 32. */
export const DSPRITES_COUNT = DSPRITES_SHAPES.length * DSPRITES_SCALES.length * DSPRITES_ORIENTATIONS.length * 32 * 32;

const RADIUS = 10; // pixels at scale 1
const MARGIN = 10; // the centre moves over [MARGIN, 64 - MARGIN]

/** The factor indices of combination `index` (row-major over shape, scale, orientation, posX, posY, as DeepMind orders them). */
export function dspritesFactorIndices(index: number): [number, number, number, number, number] {
  const posY = index % 32;
  const posX = Math.floor(index / 32) % 32;
  const orientation = Math.floor(index / 1024) % 40;
  const scale = Math.floor(index / 40960) % 6;
  const shape = Math.floor(index / 245760);
  return [shape, scale, orientation, posX, posY];
}

/** Whether the point (u, v), in the shape's own frame in units of r, is inside `shape`. */
function inside(shape: number, u: number, v: number): boolean {
  if (shape === 0) return Math.abs(u) <= 1 && Math.abs(v) <= 1;
  if (shape === 1) return u * u + 4 * v * v <= 1;
  // The heart curve (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, pointing down in image coordinates, about 2r across.
  const x = u * 1.15;
  const y = -v * 1.15 + 0.15;
  const a = x * x + y * y - 1;
  return a * a * a - x * x * y * y * y <= 0;
}

/**
 * Draws combination `index` into out[0 .. 4095] (0 or 1, row-major [64, 64]).
 *
 * @example
 * const img = new Float32Array(64 * 64);
 * drawDsprite(0, img); // a square at scale 0.5, orientation 0, top-left position
 */
export function drawDsprite(index: number, out: Float32Array, offset = 0): void {
  const [shape, s, o, px, py] = dspritesFactorIndices(index);
  const r = RADIUS * DSPRITES_SCALES[s];
  const theta = DSPRITES_ORIENTATIONS[o];
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cx = MARGIN + DSPRITES_POSITIONS[px] * (DSPRITES_SIZE - 2 * MARGIN);
  const cy = MARGIN + DSPRITES_POSITIONS[py] * (DSPRITES_SIZE - 2 * MARGIN);
  out.fill(0, offset, offset + DSPRITES_SIZE * DSPRITES_SIZE);
  // Only the pixels within the shape's bounding circle (the heart reaches about 1.3 r) need a test.
  const reach = 1.5 * r;
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(DSPRITES_SIZE - 1, Math.ceil(cy + reach));
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(DSPRITES_SIZE - 1, Math.ceil(cx + reach));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx;
      // Rotate the pixel into the shape's frame (the shape turns by theta, so the pixel by -theta).
      const u = (dx * cos + dy * sin) / r;
      const v = (-dx * sin + dy * cos) / r;
      if (inside(shape, u, v)) out[offset + y * DSPRITES_SIZE + x] = 1;
    }
  }
}

/** The factor values of combination `index`: shape (0, 1, 2), scale, orientation (radians), posX, posY. */
function factorValues(index: number): number[] {
  const [shape, s, o, px, py] = dspritesFactorIndices(index);
  return [shape, DSPRITES_SCALES[s], DSPRITES_ORIENTATIONS[o], DSPRITES_POSITIONS[px], DSPRITES_POSITIONS[py]];
}

/** The split of the given combinations: images, shape labels, and the factor values in aux.factors. */
function makeSplit(indices: Int32Array): DataSplit {
  const n = indices.length;
  const d = DSPRITES_SIZE * DSPRITES_SIZE;
  const x = new Float32Array(n * d); // [n, 64, 64, 1]
  const labels = new Int32Array(n);
  const factors = new Float32Array(n * DSPRITES_FACTORS.length); // [n, 5]
  indices.forEach((index, i) => {
    drawDsprite(index, x, i * d);
    const f = factorValues(index);
    labels[i] = f[0];
    factors.set(f, i * DSPRITES_FACTORS.length);
  });
  return { x, n, labels, aux: { factors } };
}

/**
 * The dSprites dataset: all 737,280 factor combinations (or `opts.n` of them) in a seeded random order, the last
 * round(n * testFraction) as test; `limit` keeps the first examples of each split (as for MNIST), and only the kept
 * images are drawn, so `--limit 20000` takes about a second. Labels are the shape; aux.factors holds every factor.
 *
 * @example
 * const ds = loadDsprites({ name: 'dsprites', seed: 1, testFraction: 0.2, limit: 1000 }); // shape [64, 64, 1]
 */
export function loadDsprites(opts: DataOptions): Dataset {
  const n = Math.min(opts.n ?? DSPRITES_COUNT, DSPRITES_COUNT);
  const order = new Rng(opts.seed).permutation(DSPRITES_COUNT).subarray(0, n);
  const nTest = Math.max(1, Math.round(n * opts.testFraction));
  const kept = limitCounts(n - nTest, nTest, opts.limit);
  const d = DSPRITES_SIZE * DSPRITES_SIZE;
  checkBudget('dsprites', { bytes: (kept.nTrain + kept.nTest) * d * 4, what: `${kept.nTrain + kept.nTest} images x ${d} float32 values`, remedy: 'limit' }, opts.memoryBudget);
  const train = makeSplit(order.subarray(0, kept.nTrain));
  const test = makeSplit(order.subarray(n - nTest, n - nTest + kept.nTest));
  return {
    name: 'dsprites',
    kind: 'image',
    shape: [DSPRITES_SIZE, DSPRITES_SIZE, 1],
    labelNames: [...DSPRITES_SHAPES],
    train,
    test,
    preprocessing: { kind: 'none' },
    source: `dSprites generator (vaekit's rasterization of the benchmark's factors), seed ${opts.seed}, ${n} of ${DSPRITES_COUNT} combinations`,
  };
}
