/** dSprites, generated: the factor grid, determinism, the shapes' geometry, the splits and the memory budget. */
import { describe, expect, it } from 'vitest';
import { DSPRITES_COUNT, DSPRITES_SHAPES, drawDsprite, dspritesFactorIndices, loadDsprites } from './dsprites.js';
import { DataError } from '../errors.js';

const index = (shape: number, scale: number, orientation: number, posX: number, posY: number) =>
  (((shape * 6 + scale) * 40 + orientation) * 32 + posX) * 32 + posY;

function image(i: number): Float32Array {
  const out = new Float32Array(64 * 64);
  drawDsprite(i, out);
  return out;
}
const area = (img: Float32Array) => img.reduce((a, b) => a + b, 0);

describe('dSprites', () => {
  it("enumerates the benchmark's 3 x 6 x 40 x 32 x 32 factor grid in DeepMind's order", () => {
    expect(DSPRITES_COUNT).toBe(737280);
    expect(dspritesFactorIndices(0)).toEqual([0, 0, 0, 0, 0]);
    expect(dspritesFactorIndices(DSPRITES_COUNT - 1)).toEqual([2, 5, 39, 31, 31]);
    expect(dspritesFactorIndices(index(1, 4, 17, 9, 30))).toEqual([1, 4, 17, 9, 30]);
  });

  it('draws binary images inside the canvas, the area growing with scale^2 and the centre following the position', () => {
    for (let shape = 0; shape < 3; shape++) {
      const small = image(index(shape, 0, 0, 16, 16));
      const big = image(index(shape, 5, 0, 16, 16));
      expect([...big].every((v) => v === 0 || v === 1)).toBe(true);
      // Scale 1 against 0.5: four times the area, within rasterization error.
      expect(area(big) / area(small), DSPRITES_SHAPES[shape]).toBeGreaterThan(3.4);
      expect(area(big) / area(small), DSPRITES_SHAPES[shape]).toBeLessThan(4.6);
    }
    // A square of side 2r = 20 pixels at scale 1: 400 pixels give or take its edges.
    expect(area(image(index(0, 5, 0, 10, 10)))).toBeGreaterThan(360);
    expect(area(image(index(0, 5, 0, 10, 10)))).toBeLessThan(441);
    const centre = (img: Float32Array) => {
      let sx = 0;
      let sy = 0;
      img.forEach((v, p) => ((sx += v * (p % 64)), (sy += v * Math.floor(p / 64))));
      return [sx / area(img), sy / area(img)];
    };
    // posX 0 and 31 put the centre at 10 and 54 pixels (pixel centres sit at +0.5).
    expect(centre(image(index(1, 2, 0, 0, 31)))[0]).toBeCloseTo(9.5, 0);
    expect(centre(image(index(1, 2, 0, 31, 0)))[0]).toBeCloseTo(53.5, 0);
    expect(centre(image(index(1, 2, 0, 31, 0)))[1]).toBeCloseTo(9.5, 0);
  });

  it('turns a square by 90 degrees into itself, and an ellipse into its transpose', () => {
    const diff = (a: Float32Array, b: Float32Array) => a.reduce((n, v, i) => n + Math.abs(v - b[i]), 0);
    const square = image(index(0, 3, 0, 16, 16));
    expect(diff(square, image(index(0, 3, 10, 16, 16)))).toBeLessThanOrEqual(8); // 10 of 40 steps = pi / 2
    expect(diff(square, image(index(0, 3, 5, 16, 16)))).toBeGreaterThan(40); // 45 degrees is a diamond
    const flat = image(index(1, 5, 0, 16, 16));
    const upright = image(index(1, 5, 10, 16, 16));
    const transposed = Float32Array.from(flat, (_, p) => flat[(p % 64) * 64 + Math.floor(p / 64)]);
    expect(diff(upright, transposed)).toBeLessThanOrEqual(8);
  });

  it('is the same for the same seed, splits train and test, keeps the shape as label and every factor', () => {
    const opts = { name: 'dsprites', seed: 3, testFraction: 0.2, limit: 60 };
    const a = loadDsprites(opts);
    const b = loadDsprites(opts);
    const c = loadDsprites({ ...opts, seed: 4 });
    expect(a.shape).toEqual([64, 64, 1]);
    expect([a.train.n, a.test.n]).toEqual([60, 10]);
    expect(a.train.x).toEqual(b.train.x);
    expect(a.train.x).not.toEqual(c.train.x);
    expect(a.labelNames).toEqual(['square', 'ellipse', 'heart']);
    const factors = a.train.aux!.factors!;
    expect(factors.length).toBe(60 * 5);
    for (let i = 0; i < 60; i++) {
      expect(a.train.labels![i]).toBe(factors[i * 5]);
      expect(factors[i * 5 + 1]).toBeGreaterThanOrEqual(0.5 - 1e-6);
      expect(factors[i * 5 + 1]).toBeLessThanOrEqual(1 + 1e-6);
      expect(factors[i * 5 + 2]).toBeLessThan(2 * Math.PI);
    }
    // The split draws from the whole grid: all three shapes among 60 random examples.
    expect(new Set(a.train.labels).size).toBe(3);
  });

  it('refuses the whole set over the memory budget before drawing, naming it and suggesting --limit', () => {
    expect(() => loadDsprites({ name: 'dsprites', seed: 1, testFraction: 0.2, memoryBudget: 2 ** 30 })).toThrow(DataError);
    expect(() => loadDsprites({ name: 'dsprites', seed: 1, testFraction: 0.2, memoryBudget: 2 ** 30 })).toThrow(/dsprites.*737280 images.*--limit/);
  });
});
