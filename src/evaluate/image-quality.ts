/** Image quality against a clean reference: PSNR and SSIM (Wang et al. 2004, 11x11 Gaussian window, sigma 1.5). */

/** Images [n, H, W, C] row-major with values in a known range. */
export interface ImageBatch {
  data: Float32Array;
  /** [H, W, C]. */
  shape: number[];
}

/**
 * Mean over images of the peak signal-to-noise ratio, 10 log10(range^2 / MSE) in dB, each image's MSE over all its
 * values; an exact copy (MSE 0) counts as 100 dB so the mean stays finite.
 *
 * @example
 * psnr({ data: denoised, shape: [28, 28, 1] }, { data: clean, shape: [28, 28, 1] }); // e.g. 18.3
 */
export function psnr(a: ImageBatch, b: ImageBatch, range = 1): number {
  const size = a.shape.reduce((p, q) => p * q, 1);
  const n = a.data.length / size;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let sse = 0;
    for (let j = i * size; j < (i + 1) * size; j++) sse += (a.data[j] - b.data[j]) ** 2;
    const mse = sse / size;
    total += mse === 0 ? 100 : 10 * Math.log10((range * range) / mse);
  }
  return total / n;
}

/** The normalized 1-D Gaussian of `size` taps and std `sigma`; its outer product is the 2-D window. */
export function gaussianWindow(size = 11, sigma = 1.5): Float64Array {
  const r = (size - 1) / 2;
  const w = Float64Array.from({ length: size }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/** 'valid' 2-D filtering of an [h, w] plane by the separable window: [h - k + 1, w - k + 1]. */
function filterValid(plane: Float64Array, h: number, w: number, win: Float64Array): Float64Array {
  const k = win.length;
  const oh = h - k + 1;
  const ow = w - k + 1;
  const rows = new Float64Array(h * ow); // [h, ow]: filtered along x
  for (let y = 0; y < h; y++) for (let x = 0; x < ow; x++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += win[t] * plane[y * w + x + t];
    rows[y * ow + x] = s;
  }
  const out = new Float64Array(oh * ow); // [oh, ow]
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += win[t] * rows[(y + t) * ow + x];
    out[y * ow + x] = s;
  }
  return out;
}

/**
 * The structural similarity of two single-channel [h, w] images: the mean over every 11x11 window position inside
 * the image ('valid', no padding, as Wang et al.'s reference ssim_index.m) of
 * (2 mu_a mu_b + C1)(2 sigma_ab + C2) / ((mu_a^2 + mu_b^2 + C1)(sigma_a^2 + sigma_b^2 + C2)), with Gaussian-weighted
 * local statistics (sigma 1.5), C1 = (0.01 range)^2, C2 = (0.03 range)^2. Images smaller than the window use a
 * window as large as the smaller side.
 */
export function ssimPlane(a: ArrayLike<number>, b: ArrayLike<number>, h: number, w: number, range = 1): number {
  const k = Math.min(11, h, w);
  const win = gaussianWindow(k, 1.5);
  const c1 = (0.01 * range) ** 2;
  const c2 = (0.03 * range) ** 2;
  const pa = Float64Array.from(a);
  const pb = Float64Array.from(b);
  const muA = filterValid(pa, h, w, win);
  const muB = filterValid(pb, h, w, win);
  const aa = filterValid(pa.map((v) => v * v), h, w, win);
  const bb = filterValid(pb.map((v) => v * v), h, w, win);
  const ab = filterValid(pa.map((v, i) => v * pb[i]), h, w, win);
  let total = 0;
  for (let i = 0; i < muA.length; i++) {
    const varA = aa[i] - muA[i] ** 2;
    const varB = bb[i] - muB[i] ** 2;
    const cov = ab[i] - muA[i] * muB[i];
    total += ((2 * muA[i] * muB[i] + c1) * (2 * cov + c2)) / ((muA[i] ** 2 + muB[i] ** 2 + c1) * (varA + varB + c2));
  }
  return total / muA.length;
}

/**
 * Mean SSIM over images and channels (each channel compared as its own plane).
 *
 * @example
 * ssim({ data: denoised, shape: [28, 28, 1] }, { data: clean, shape: [28, 28, 1] }); // in [-1, 1], 1 when equal
 */
export function ssim(a: ImageBatch, b: ImageBatch, range = 1): number {
  const [h, w, c] = a.shape;
  const size = h * w * c;
  const n = a.data.length / size;
  const pa = new Float64Array(h * w);
  const pb = new Float64Array(h * w);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < h * w; p++) {
        pa[p] = a.data[i * size + p * c + ch];
        pb[p] = b.data[i * size + p * c + ch];
      }
      total += ssimPlane(pa, pb, h, w, range);
    }
  }
  return total / (n * c);
}
