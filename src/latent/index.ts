/** Latent-space tools: encode a dataset, interpolate, traverse, manifold grids, prior samples and 2-D projections. */
import { UMAP } from 'umap-js';
import { Matrix, TSNE, euclidean_squared } from '@saehrimnir/druidjs';
import { tf, Rng, type Tensor2D } from '../engine/index.js';
import { evalContext, type DiscreteCodes, type Model } from '../models/index.js';

/** Codes or data stored row-major as [n, dim]. */
export interface Rows {
  data: Float32Array;
  n: number;
  dim: number;
}

const BATCH = 1000;

/**
 * Runs `fn` on [B, inDim] slices of `x` (with the slice's labels when `labels` [n] is given) and concatenates its
 * [B, outDim] results; every tensor is freed.
 */
function mapBatches(x: Rows, outDim: number, fn: (batch: Tensor2D, labels?: Int32Array) => Tensor2D, labels?: Int32Array): Rows {
  if (labels && labels.length !== x.n) throw new RangeError(`${labels.length} labels for ${x.n} rows`);
  const out = new Float32Array(x.n * outDim); // [n, outDim]
  for (let start = 0; start < x.n; start += BATCH) {
    const b = Math.min(BATCH, x.n - start);
    const values = tf.tidy(() => fn(tf.tensor2d(x.data.subarray(start * x.dim, (start + b) * x.dim), [b, x.dim]), labels?.subarray(start, start + b)).dataSync());
    out.set(values, start * outDim);
  }
  return { data: out, n: x.n, dim: outDim };
}

/**
 * The encoder's means (the codes of an autoencoder) for every example, in evaluation mode. A conditional model
 * (`model.classes`) needs each example's label: `labels` [n].
 *
 * @example
 * const z = encodeMeans(model, { data: dataset.test.x, n: dataset.test.n, dim: model.inputDim }); // [n, L]
 */
export function encodeMeans(model: Model, x: Rows, labels?: Int32Array): Rows {
  return mapBatches(x, model.latentDim, (b, y) => model.encode(b, { ...evalContext(), ...(y && { labels: y }) }).mean, labels);
}

/**
 * A discrete-code model's (VQ-VAE's) codebook indices of every example, [n * codesPerExample], example-major.
 *
 * @example
 * const indices = encodeIndices(vq, { data: x, n, dim: vq.inputDim }); // row i: indices[i * M .. i * M + M - 1]
 */
export function encodeIndices(model: Model & DiscreteCodes, x: Rows): Int32Array {
  const out = new Int32Array(x.n * model.codesPerExample);
  for (let start = 0; start < x.n; start += BATCH) {
    const b = Math.min(BATCH, x.n - start);
    const batch = tf.tensor2d(x.data.subarray(start * x.dim, (start + b) * x.dim), [b, x.dim]); // [B, D]
    out.set(model.codeIndices(batch), start * model.codesPerExample);
    batch.dispose();
  }
  return out;
}

/** decode(z) for every code: the decoded means in data space [n, D]; a conditional model decodes code i as class `labels[i]`. */
export function decodeCodes(model: Model, z: Rows, labels?: Int32Array): Rows {
  return mapBatches(z, model.inputDim, (b, y) => model.decode(b, y), labels);
}

/** decode(encode(x).mean) for every example [n, D]; a conditional model uses each example's label, `labels` [n]. */
export function reconstructRows(model: Model, x: Rows, labels?: Int32Array): Rows {
  return mapBatches(x, model.inputDim, (b, y) => model.reconstruct(b, y), labels);
}

/**
 * n draws from the prior N(0, I) decoded to data space [n, D]. A conditional model decodes every draw as class
 * `label` when one is given, and otherwise cycles through its classes (row i has label i mod classes).
 *
 * @example
 * const sevens = samplePrior(cvae, 8, new Rng(1), { label: 7 }); // [8, D]
 */
export function samplePrior(model: Model, n: number, rng: Rng, { label }: { label?: number } = {}): Rows {
  if (label !== undefined) return decodeCodes(model, { data: rng.normalArray(n * model.latentDim), n, dim: model.latentDim }, repeatLabel(label, n));
  const data = tf.tidy(() => model.sample(n, rng).dataSync() as Float32Array);
  return { data: Float32Array.from(data), n, dim: model.inputDim };
}

/** `n` copies of one label, or undefined for none: the labels of codes all decoded as one class. */
export function repeatLabel(label: number | undefined, n: number): Int32Array | undefined {
  return label === undefined ? undefined : new Int32Array(n).fill(label);
}

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));

/**
 * `steps` codes from `zFrom` to `zTo`, both endpoints included. `lerp` moves on the straight line; `slerp` moves the
 * direction along the great circle and the norm linearly, so codes of equal norm keep it (what a Gaussian prior favours).
 *
 * @example
 * const path = interpolate({ zFrom, zTo, steps: 10, method: 'slerp' }); // [10, L]
 */
export function interpolate({ zFrom, zTo, steps, method = 'lerp' }: { zFrom: Float32Array; zTo: Float32Array; steps: number; method?: 'lerp' | 'slerp' }): Rows {
  const dim = zFrom.length;
  if (zTo.length !== dim) throw new Error(`interpolate: codes of length ${dim} and ${zTo.length}`);
  if (steps < 2) throw new Error(`interpolate: steps must be >= 2, got ${steps}`);
  const out = new Float32Array(steps * dim); // [steps, L]
  const na = norm(zFrom);
  const nb = norm(zTo);
  let cos = 0;
  for (let j = 0; j < dim; j++) cos += (zFrom[j] / (na || 1)) * (zTo[j] / (nb || 1));
  const omega = Math.acos(Math.min(1, Math.max(-1, cos)));
  // Nearly parallel (or zero) codes: the great circle is the straight line, and sin(omega) would divide by ~0.
  const useLerp = method === 'lerp' || na === 0 || nb === 0 || Math.sin(omega) < 1e-6;
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    if (useLerp) {
      for (let j = 0; j < dim; j++) out[s * dim + j] = (1 - t) * zFrom[j] + t * zTo[j];
      continue;
    }
    const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
    const wb = Math.sin(t * omega) / Math.sin(omega);
    const r = (1 - t) * na + t * nb;
    for (let j = 0; j < dim; j++) out[s * dim + j] = r * (wa * (zFrom[j] / na) + wb * (zTo[j] / nb));
  }
  if (steps > 0) {
    out.set(zFrom, 0);
    out.set(zTo, (steps - 1) * dim);
  }
  return { data: out, n: steps, dim };
}

/**
 * A traversal (seed 001): for each dimension in `dims`, `steps` codes equal to `base` (zero by default) except that
 * dimension, which runs evenly over [-range, range]. Rows are dimensions, columns values: [dims.length * steps, L].
 *
 * @example
 * const z = traverse({ latentDim: 10, dims: [0, 1], range: 3, steps: 11 }); // [22, 10]
 */
export function traverse({ latentDim, dims, range = 3, steps = 11, base }: { latentDim: number; dims: number[]; range?: number; steps?: number; base?: Float32Array }): Rows & { values: number[] } {
  for (const d of dims) if (!Number.isInteger(d) || d < 0 || d >= latentDim) throw new Error(`traverse: dimension ${d} is not in 0..${latentDim - 1}`);
  const values = Array.from({ length: steps }, (_, i) => (steps === 1 ? 0 : -range + (2 * range * i) / (steps - 1)));
  const out = new Float32Array(dims.length * steps * latentDim); // [dims * steps, L]
  dims.forEach((d, r) => {
    values.forEach((v, c) => {
      const row = (r * steps + c) * latentDim;
      if (base) out.set(base, row);
      out[row + d] = v;
    });
  });
  return { data: out, n: dims.length * steps, dim: latentDim, values };
}

/** The inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0 || p >= 1) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * The codes of a decoded manifold grid over a 2-D latent space, `size` x `size`, row-major with z2 decreasing down the
 * rows and z1 increasing along the columns (so the picture reads like a plot). `quantiles` spaces the values by the
 * prior's quantiles (Kingma and Welling's figure 4); `square` spaces them evenly over [-range, range].
 *
 * @example
 * const { data } = manifoldGrid({ size: 20, spacing: 'quantiles' }); // [400, 2]
 */
export function manifoldGrid({ size = 20, spacing = 'quantiles', range = 3 }: { size?: number; spacing?: 'quantiles' | 'square'; range?: number }): Rows & { values: number[] } {
  const values = Array.from({ length: size }, (_, i) =>
    spacing === 'quantiles' ? normalQuantile((i + 0.5) / size) : size === 1 ? 0 : -range + (2 * range * i) / (size - 1),
  );
  const out = new Float32Array(size * size * 2); // [size * size, 2]
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      out[(r * size + c) * 2] = values[c];
      out[(r * size + c) * 2 + 1] = values[size - 1 - r];
    }
  }
  return { data: out, n: size * size, dim: 2, values };
}

export type ProjectionMethod = 'pca' | 'tsne' | 'umap';
export const PROJECTION_METHODS: readonly ProjectionMethod[] = ['pca', 'tsne', 'umap'];

/** The mean and the top two principal axes of the rows (power iteration with deflation on the covariance). */
function principalAxes(x: Rows): { axes: Float64Array[]; mean: Float64Array } {
  const { n, dim, data } = x;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += data[i * dim + j] / n;
  const cov = new Float64Array(dim * dim); // [dim, dim]
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const a = data[i * dim + j] - mean[j];
      for (let k = j; k < dim; k++) cov[j * dim + k] += (a * (data[i * dim + k] - mean[k])) / n;
    }
  }
  for (let j = 0; j < dim; j++) for (let k = 0; k < j; k++) cov[j * dim + k] = cov[k * dim + j];
  const axes: Float64Array[] = [];
  for (let a = 0; a < Math.min(2, dim); a++) {
    // A fixed start vector keeps PCA deterministic; 1/(j+1) is unlikely to be orthogonal to the top axis.
    let v = Float64Array.from({ length: dim }, (_, j) => 1 / (j + 1));
    for (let it = 0; it < 500; it++) {
      const w = new Float64Array(dim);
      for (let j = 0; j < dim; j++) for (let k = 0; k < dim; k++) w[j] += cov[j * dim + k] * v[k];
      for (const prev of axes) {
        const dot = w.reduce((s, x, j) => s + x * prev[j], 0);
        for (let j = 0; j < dim; j++) w[j] -= dot * prev[j];
      }
      const len = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
      if (len < 1e-12) break;
      const next = w.map((x) => x / len);
      const change = next.reduce((s, x, j) => s + Math.abs(x - v[j]), 0);
      v = next;
      if (change < 1e-10) break;
    }
    // Sign convention: the largest component is positive, so the picture does not flip between runs.
    let big = 0;
    for (let j = 1; j < dim; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    if (v[big] < 0) v = v.map((x) => -x);
    axes.push(v);
  }
  while (axes.length < 2) axes.push(new Float64Array(dim));
  return { axes, mean };
}

/**
 * How far a step of several seconds has got: `done` of `total` units of its current `phase`, and `fraction` (0..1)
 * of the whole step across its phases, weighted by their measured share of its time, for a bar that never goes back.
 */
export interface StepProgress {
  phase: string;
  done: number;
  total: number;
  fraction?: number;
}

/** Measured shares of a projection's time (2000 codes, UMAP; 1000, t-SNE): the phases before the iterations. */
const UMAP_SHARES = { neighbours: 0.02, graph: 0.15 };
const TSNE_AFFINITIES_SHARE = 0.1;

/**
 * A 2-D projection of codes [n, L] -> [n, 2]: PCA (exact, deterministic), t-SNE (druidjs) or UMAP (umap-js), the last
 * two seeded from `rng` (t-SNE costs O(n^2) per iteration: keep n to a few thousand). `onProgress` hears of each
 * iteration (t-SNE) or epoch (UMAP), which take seconds in all; the result is the same with or without it.
 *
 * @example
 * const xy = project(z, { method: 'umap', rng: new Rng(1) }); // [n, 2]
 */
export function project(z: Rows, { method, rng, onProgress }: { method: ProjectionMethod; rng: Rng; onProgress?: (p: StepProgress) => void }): Rows {
  const { n, dim, data } = z;
  const out = new Float32Array(n * 2); // [n, 2]
  if (method === 'pca') {
    const { axes, mean } = principalAxes(z);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 2; a++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (data[i * dim + j] - mean[j]) * axes[a][j];
        out[i * 2 + a] = s;
      }
    }
    return { data: out, n, dim: 2 };
  }
  const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
  if (method === 'umap') {
    const nNeighbors = Math.min(15, Math.max(2, n - 1));
    const umap = new UMAP({ nComponents: 2, nNeighbors, minDist: 0.1, random: () => rng.uniform() });
    // The neighbours, umap-js's longest silent step (its NN-descent, seconds for 2000 points), are found here exactly,
    // block by block with progress; fit() is then initializeFit() and one step() per epoch, the epochs reported as they finish.
    const { indices, distances } = nearestNeighbours(z, nNeighbors, (done) => onProgress?.({ phase: 'neighbours', done, total: n, fraction: (UMAP_SHARES.neighbours * done) / n }));
    umap.setPrecomputedKNN(indices, distances);
    onProgress?.({ phase: 'neighbour graph', done: 0, total: 1, fraction: UMAP_SHARES.neighbours });
    const epochs = umap.initializeFit(rows);
    for (let epoch = 0; epoch < epochs; ) {
      epoch = umap.step();
      const before = UMAP_SHARES.neighbours + UMAP_SHARES.graph;
      onProgress?.({ phase: 'epochs', done: epoch, total: epochs, fraction: before + ((1 - before) * epoch) / epochs });
    }
    const y = umap.getEmbedding();
    y.forEach((p, i) => out.set(p, i * 2));
    return { data: out, n, dim: 2 };
  }
  // druidjs draws from its own seeded Mersenne twister; its seed comes from our stream so one Rng governs the run.
  const perplexity = Math.min(30, Math.max(2, Math.floor((n - 1) / 3)));
  const tsne = new SteppedTSNE(rows, { d: 2, perplexity, epsilon: 10, seed: rng.int(2 ** 31) });
  const iterations = 500;
  tsne.onRows = (done) => onProgress?.({ phase: 'affinities', done, total: n, fraction: (TSNE_AFFINITIES_SHARE * done) / n });
  // The generator runs the same iterations as transform(iterations), yielding after each.
  let y: number[][] = [];
  let done = 0;
  for (const step of tsne.generator(iterations)) {
    y = step as number[][];
    onProgress?.({ phase: 'iterations', done: ++done, total: iterations, fraction: TSNE_AFFINITIES_SHARE + ((1 - TSNE_AFFINITIES_SHARE) * done) / iterations });
  }
  y.forEach((p, i) => {
    out[i * 2] = p[0];
    out[i * 2 + 1] = p[1];
  });
  return { data: out, n, dim: 2 };
}

/** Rows per progress report of {@link nearestNeighbours}: a fiftieth of them, so the bar moves in 2 % steps. */
const neighbourBlock = (n: number) => Math.max(1, Math.ceil(n / 50));

/**
 * The exact `k` nearest neighbours of every row of z [n, L] by Euclidean distance, the row itself first (distance 0),
 * as umap-js's setPrecomputedKNN takes them: indices and distances [n, k], nearest first. O(n^2 L): about a second for
 * 10 000 codes of 16 dimensions. `onRows` hears the number of rows done after each block of n/50 rows.
 *
 * @example
 * const { indices, distances } = nearestNeighbours(z, 15); // indices[i][0] === i
 */
export function nearestNeighbours(z: Rows, k: number, onRows?: (done: number) => void): { indices: number[][]; distances: number[][] } {
  const { n, dim, data } = z;
  if (k < 1 || k > n) throw new RangeError(`k ${k} is not in 1..${n}`);
  const indices: number[][] = [];
  const distances: number[][] = [];
  const block = neighbourBlock(n);
  const best = new Float64Array(k); // squared distances of the k nearest so far, ascending
  const bestAt = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    best.fill(Infinity);
    best[0] = 0;
    bestAt[0] = i;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d2 = 0;
      for (let c = 0; c < dim; c++) {
        const diff = data[i * dim + c] - data[j * dim + c];
        d2 += diff * diff;
      }
      if (d2 >= best[k - 1]) continue;
      // Insert into the sorted list; the row itself stays first, ahead of any duplicate at distance 0.
      let at = k - 1;
      while (at > 1 && best[at - 1] > d2) {
        best[at] = best[at - 1];
        bestAt[at] = bestAt[at - 1];
        at--;
      }
      best[at] = d2;
      bestAt[at] = j;
    }
    indices.push(Array.from(bestAt));
    distances.push(Array.from(best, Math.sqrt));
    if ((i + 1) % block === 0 || i === n - 1) onRows?.(i + 1);
  }
  return { indices, distances };
}

/**
 * druidjs's t-SNE with its affinities (the O(n^2) distances and each row's search for the bandwidth that meets the
 * perplexity, seconds for a few thousand points) reported in blocks of n/50 rows through `onRows`. `init` is
 * druidjs 0.x's own, step for step, so the result is the library's (checked against TSNE.transform in the tests).
 */
class SteppedTSNE extends TSNE<number[][]> {
  onRows?: (done: number) => void;

  override init(): this {
    const rows = this.X.to2dArray();
    const N = rows.length;
    const D = rows[0].length;
    const Htarget = Math.log(this.parameter('perplexity') as number);
    const Delta = new Matrix(N, N); // [N, N] squared Euclidean distances, the library's default metric
    for (let i = 0; i < N; ++i) {
      for (let j = i + 1; j < N; ++j) {
        const distance = euclidean_squared(rows[i], rows[j]);
        Delta.set_entry(i, j, distance);
        Delta.set_entry(j, i, distance);
      }
    }
    const P = new Matrix(N, N, 0); // [N, N]
    this._ystep = new Matrix(N, D, 0);
    this._gains = new Matrix(N, D, 1);
    const block = neighbourBlock(N);
    // Each row's precision beta by bisection until the entropy of its kernel row meets log(perplexity).
    for (let i = 0; i < N; ++i) {
      const dist_i = Delta.row(i);
      const prow = P.row(i);
      let betamin = -Infinity;
      let betamax = Infinity;
      let beta = 1;
      let cnt = 50;
      let done = false;
      let psum = 0;
      while (!done && cnt--) {
        psum = 0;
        let dp_sum = 0;
        for (let j = 0; j < N; ++j) {
          const dist = dist_i[j];
          const pj = i !== j ? Math.exp(-dist * beta) : 0;
          dp_sum += dist * pj;
          prow[j] = pj;
          psum += pj;
        }
        const H = psum > 0 ? Math.log(psum) + (beta * dp_sum) / psum : 0;
        if (H > Htarget) {
          betamin = beta;
          beta = betamax === Infinity ? beta * 2 : (beta + betamax) / 2;
        } else {
          betamax = beta;
          beta = betamin === -Infinity ? beta / 2 : (beta + betamin) / 2;
        }
        done = Math.abs(H - Htarget) < 1e-4;
      }
      for (let j = 0; j < N; ++j) prow[j] /= psum;
      if ((i + 1) % block === 0 || i === N - 1) this.onRows?.(i + 1);
    }
    // Symmetrized joint probabilities.
    const N2 = N * 2;
    for (let i = 0; i < N; ++i) {
      for (let j = i; j < N; ++j) {
        const p = Math.max((P.entry(i, j) + P.entry(j, i)) / N2, 1e-100);
        P.set_entry(i, j, p);
        P.set_entry(j, i, p);
      }
    }
    this._P = P;
    return this;
  }
}

/** Row `i` of `rows` as a copy. */
export function row(rows: Rows, i: number): Float32Array {
  if (i < 0 || i >= rows.n) throw new RangeError(`row ${i} is not in 0..${rows.n - 1}`);
  return rows.data.slice(i * rows.dim, (i + 1) * rows.dim);
}
