/**
 * Probabilistic PCA as a VAE: a linear-Gaussian decoder x = W z + b + sigma eps, z ~ N(0, I), for which
 * log p(x) = log N(x; b, W W^T + sigma^2 I) is exact. Built with buildModel and its weights set directly, with a
 * linear encoder that is deliberately not the exact posterior (so importance weights vary and the bounds are loose).
 */
import { tf, Rng } from '../src/engine/index.js';
import { modelSchema, type ModelConfig } from '../src/config/schema.js';
import { buildModel, type Model } from '../src/models/index.js';

export const PPCA = { D: 5, L: 2, sigma2: 0.25 };

/** Cholesky factor of a symmetric positive-definite n x n matrix (row-major, float64). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let p = 0; p < j; p++) s -= l[i * n + p] * l[j * n + p];
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j];
    }
  }
  return l;
}

/** Inverse of a small symmetric positive-definite n x n matrix by Gauss-Jordan without pivoting (float64). */
function inverse(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    const p = m[c * n + c];
    for (let j = 0; j < n; j++) {
      m[c * n + j] /= p;
      inv[c * n + j] /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      for (let j = 0; j < n; j++) {
        m[r * n + j] -= f * m[c * n + j];
        inv[r * n + j] -= f * inv[c * n + j];
      }
    }
  }
  return inv;
}

export interface PpcaCase {
  /** W [D, L] row-major and b [D]. */
  w: Float64Array;
  b: Float64Array;
  /** n examples [n, D] drawn from the model. */
  x: Float32Array;
  /** Exact log p(x_i), float64. */
  logPx: Float64Array;
  /** The exact posterior: mean = (x - b) A with A [D, L]; its (diagonal of the) covariance. */
  a: Float64Array;
  postVar: Float64Array;
}

/** Draws W, b and n examples from the PPCA model, with the exact log-likelihood of each. */
export function ppcaCase(n: number, seed = 3): PpcaCase {
  const { D, L, sigma2 } = PPCA;
  const rng = new Rng(seed);
  const w = Float64Array.from(rng.normalArray(D * L));
  const b = Float64Array.from(rng.normalArray(D), (v) => 0.5 * v);
  const x = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const z = rng.normalArray(L);
    const e = rng.normalArray(D);
    for (let j = 0; j < D; j++) {
      let v = b[j] + Math.sqrt(sigma2) * e[j];
      for (let p = 0; p < L; p++) v += w[j * L + p] * z[p];
      x[i * D + j] = v;
    }
  }
  // Sigma = W W^T + sigma^2 I; log N(x; b, Sigma) = -0.5 (D log 2 pi + log|Sigma| + r^T Sigma^-1 r).
  const sigma = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
    let s = i === j ? sigma2 : 0;
    for (let p = 0; p < L; p++) s += w[i * L + p] * w[j * L + p];
    sigma[i * D + j] = s;
  }
  const chol = cholesky(sigma, D);
  let logDet = 0;
  for (let i = 0; i < D; i++) logDet += 2 * Math.log(chol[i * D + i]);
  const logPx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Solve chol y = r; r^T Sigma^-1 r = |y|^2.
    const y = new Float64Array(D);
    let q = 0;
    for (let r = 0; r < D; r++) {
      let s = x[i * D + r] - b[r];
      for (let p = 0; p < r; p++) s -= chol[r * D + p] * y[p];
      y[r] = s / chol[r * D + r];
      q += y[r] * y[r];
    }
    logPx[i] = -0.5 * (D * Math.log(2 * Math.PI) + logDet + q);
  }
  // Exact posterior: M = W^T W + sigma^2 I; mean = M^-1 W^T (x - b); covariance sigma^2 M^-1.
  const m = new Float64Array(L * L);
  for (let p = 0; p < L; p++) for (let q = 0; q < L; q++) {
    let s = p === q ? sigma2 : 0;
    for (let j = 0; j < D; j++) s += w[j * L + p] * w[j * L + q];
    m[p * L + q] = s;
  }
  const mInv = inverse(m, L);
  const a = new Float64Array(D * L); // A[j, p] = (M^-1 W^T)[p, j]
  for (let j = 0; j < D; j++) for (let p = 0; p < L; p++) {
    let s = 0;
    for (let q = 0; q < L; q++) s += mInv[p * L + q] * w[j * L + q];
    a[j * L + p] = s;
  }
  const postVar = Float64Array.from({ length: L }, (_, p) => sigma2 * mInv[p * L + p]);
  return { w, b, x, logPx, a, postVar };
}

/** Sets a named variable of a model from float64 values. */
export function setVariable(model: Model, name: string, values: ArrayLike<number>): void {
  const v = model.variables().find((nv) => nv.name === name);
  if (!v) throw new Error(`no variable ${name}`);
  tf.tidy(() => v.variable.assign(tf.tensor(Float32Array.from(values), v.variable.shape)));
}

/**
 * The PPCA model as a vaekit model: `vae` (mean head = `meanScale` x the exact posterior mean, log-variance = the
 * exact posterior's + `logVarShift`) or `poor-man-vae` (code = the same mean, noise `noise`).
 */
export function ppcaModel(c: PpcaCase, opts: { kind?: 'vae' | 'poor-man-vae'; meanScale?: number; logVarShift?: number; noise?: number; objective?: { kind: 'elbo' } | { kind: 'iwae'; k: number } } = {}): Model {
  const { D, L, sigma2 } = PPCA;
  const kind = opts.kind ?? 'vae';
  const config = modelSchema.parse({
    kind,
    latent: L,
    encoder: { hidden: [] },
    decoder: { hidden: [] },
    likelihood: { kind: 'gaussian', variance: sigma2, meanActivation: 'linear' },
    ...(kind === 'vae' ? { objective: opts.objective ?? { kind: 'elbo' } } : { noise: opts.noise ?? 0.5 }),
  }) as ModelConfig;
  const model = buildModel(config, D, new Rng(0));
  const scale = opts.meanScale ?? 0.8;
  const kernel = Array.from(c.a, (v) => v * scale); // [D, L]
  const bias = Array.from({ length: L }, (_, p) => -c.b.reduce((s, bj, j) => s + bj * kernel[j * L + p], 0));
  const head = kind === 'vae' ? 'encoder.mean' : 'encoder.code';
  setVariable(model, `${head}.kernel`, kernel);
  setVariable(model, `${head}.bias`, bias);
  if (kind === 'vae') {
    setVariable(model, 'encoder.logVar.kernel', new Float64Array(D * L));
    setVariable(model, 'encoder.logVar.bias', Array.from(c.postVar, (v) => Math.log(v) + (opts.logVarShift ?? 0.5)));
  }
  // decoder.out: x = z W^T + b, kernel [L, D] = W^T.
  setVariable(model, 'decoder.out.kernel', Array.from({ length: L * D }, (_, i) => c.w[(i % D) * L + Math.floor(i / D)]));
  setVariable(model, 'decoder.out.bias', c.b);
  return model;
}
