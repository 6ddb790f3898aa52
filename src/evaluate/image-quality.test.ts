/** PSNR and SSIM against independent answers: numpy/scipy values for a fixed pair, and SSIM's defining properties. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/index.js';
import { addNoise } from '../data/noise.js';
import { gaussianWindow, psnr, ssim, ssimPlane } from './image-quality.js';

const h = 20;
const w = 24;
/** The pair the scipy reference was computed on (see the comment in the first test). */
function pair(): { a: Float32Array; b: Float32Array } {
  const a = new Float32Array(h * w);
  const b = new Float32Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      a[i * w + j] = ((i * 7 + j * 3) % 17) / 16;
      b[i * w + j] = Math.min(1, Math.max(0, a[i * w + j] + 0.2 * Math.sin(i * j * 0.37)));
    }
  }
  return { a, b };
}

describe('psnr and ssim', () => {
  it('match numpy/scipy on a fixed pair', () => {
    // numpy: g = exp(-(arange(11)-5)**2 / (2*1.5**2)), W = outer(g, g) / sum; convolve2d(., W, 'valid') for the
    // local means, variances and covariance; SSIM = mean of the map. PSNR = 10 log10(1 / mean((a-b)**2)).
    const { a, b } = pair();
    expect(ssimPlane(a, b, h, w)).toBeCloseTo(0.9086888660527316, 5);
    expect(psnr({ data: a, shape: [h, w, 1] }, { data: b, shape: [h, w, 1] })).toBeCloseTo(18.115063513132178, 4);
  });

  it('SSIM is 1 for equal images, symmetric, and below 1 otherwise; channels are averaged', () => {
    const { a, b } = pair();
    expect(ssimPlane(a, a, h, w)).toBeCloseTo(1, 10);
    expect(ssimPlane(a, b, h, w)).toBeCloseTo(ssimPlane(b, a, h, w), 12);
    const rgbA = new Float32Array(h * w * 3);
    const rgbB = new Float32Array(h * w * 3);
    for (let p = 0; p < h * w; p++) {
      rgbA.set([a[p], a[p], a[p]], p * 3);
      rgbB.set([b[p], a[p], a[p]], p * 3);
    }
    const s = ssim({ data: rgbA, shape: [h, w, 3] }, { data: rgbB, shape: [h, w, 3] });
    expect(s).toBeCloseTo((ssimPlane(a, b, h, w) + 2) / 3, 10);
  });

  it('the window is the normalized Gaussian', () => {
    const g = gaussianWindow();
    expect(g.length).toBe(11);
    expect(g.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(g[5] / g[6]).toBeCloseTo(Math.exp(1 / (2 * 1.5 * 1.5)), 12);
  });

  it('more noise means lower PSNR and SSIM', () => {
    const { a } = pair();
    const shape = [h, w, 1];
    const at = (std: number) => addNoise(a, { kind: 'gaussian', std }, new Rng(1), { clip: [0, 1] });
    expect(psnr({ data: at(0.05), shape }, { data: a, shape })).toBeGreaterThan(psnr({ data: at(0.3), shape }, { data: a, shape }));
    expect(ssim({ data: at(0.05), shape }, { data: a, shape })).toBeGreaterThan(ssim({ data: at(0.3), shape }, { data: a, shape }));
  });
});
