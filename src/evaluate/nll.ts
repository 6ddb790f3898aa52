/**
 * The importance-sampled estimate of log p(x) (Burda et al. 2015): log (1/k) sum_s p(x|z_s) p(z_s) / q(z_s|x),
 * z_s ~ q(z|x). The k samples go through the decoder in chunks, so memory stays bounded for any k, and each chunk's
 * log-sum-exp is merged into a running one in float64.
 */
import { tf, fusedLogWeights, fusedLogWeightsAvailable, noiseColumns, type Rng, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { evalContext, fusedElboSpec, type Model } from '../models/index.js';
import { logImportanceWeights } from '../objectives/index.js';
import { UsageError } from '../errors.js';
import { disposePosterior, posterior, requirePosterior } from './posterior.js';

/**
 * The most importance samples per example the CLI takes (`eval --nll --k`, `anomaly --score nll --k`). Memory stays
 * bounded for any k (the chunks), but time grows with it: the native decoder runs about 240,000 rows a second on
 * Burda's model (k = 5000 on 500 examples: 10.4 s), so k = 100,000, 20x Burda's 5,000, already takes about 0.4 s per
 * example and 70 minutes for a 10,000-example test set; a k far above it would look like a hung command.
 */
export const MAX_NLL_SAMPLES = 100_000;

export interface NllOptions {
  model: Model;
  /** Examples [n, D], row-major (already binarized for a Bernoulli decoder). */
  x: Float32Array;
  /** A conditional model's class label per example [n]: the estimate is then log p(x|y). */
  labels?: Int32Array;
  /** Importance samples per example (Burda: 5000). */
  k: number;
  /** Draws z. */
  rng: Rng;
  /** Examples per encoder pass (default 100). */
  batchSize?: number;
  /** Rows per decoder pass, samples x examples (default 5000): bounds memory at about maxRows x D floats per tensor. */
  maxRows?: number;
  /** Called after each chunk: importance samples done and in total (n * k). */
  onProgress?: (p: { done: number; total: number }) => void;
}

export interface NllResult {
  /** -mean_i log p(x_i), nats per example. */
  nll: number;
  /** The standard error of `nll` across examples: sd(log p(x_i)) / sqrt(n) (NaN for one example). */
  nllStdErr: number;
  k: number;
  n: number;
  /** The estimate of log p(x_i) per example. */
  logPx: Float64Array;
}

/** log(exp(a) + exp(b)) without overflow; -Infinity is the identity. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Estimates -log p(x) per example with k importance samples from the model's posterior and averages it.
 * The estimate of log p(x) is a lower bound in expectation (the IWAE bound L_k) that rises to log p(x) as k grows.
 * For a conditional VAE every term is conditioned on the example's label, so the estimate is of log p(x|y).
 * A kind with its own prior or posterior density (`model.logWeights`: the VampPrior's mixture prior, a flow's
 * log-determinant) gives its log-weights itself.
 *
 * @example
 * const { nll, nllStdErr } = estimateNll({ model, x: testX, k: 5000, rng: new Rng(1) });
 */
export function estimateNll(opts: NllOptions): NllResult {
  const { model, x, k, rng, labels } = opts;
  if (!Number.isInteger(k) || k < 1) throw new UsageError(`k: ${k} is not a positive integer number of importance samples`);
  requirePosterior(model);
  const d = model.inputDim;
  const n = x.length / d;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`estimateNll: ${x.length} values are not a whole number of ${d}-value examples`);
  if (model.classes !== undefined && labels?.length !== n) throw new UsageError(`estimateNll: a conditional VAE needs one label per example; got ${labels?.length ?? 0} for ${n} examples`);
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 100, n));
  const maxRows = opts.maxRows ?? 5000;
  const logPx = new Float64Array(n);
  const total = n * k;
  let done = 0;
  // A model the native kernels know (an MLP VAE with a Bernoulli decoder) takes one native call per chunk: encoder,
  // the chunk's samples through the decoder and their log-weights summed per example. The same noise either way.
  const spec = !labels && fusedLogWeightsAvailable() ? fusedElboSpec(model) : undefined;
  // A kind with its own prior or posterior density (VampPrior, flows) gives its log-weights itself, unless the kernel
  // knows that density too (a second stochastic layer), with the same draws: z1's, then z2's.
  const own = spec?.upper ? undefined : model.logWeights?.bind(model);
  const noiseCols = spec ? noiseColumns(spec) : model.latentDim;
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    const xb = tf.tensor2d(x.subarray(start * d, (start + b) * d), [b, d]); // [B, D]
    const yb = labels?.subarray(start, start + b); // [B]
    const q = own || spec ? undefined : posterior(model, xb, yb);
    const latent = model.latentDim;
    const chunk = Math.max(1, Math.floor(maxRows / b));
    const lse = new Float64Array(b).fill(-Infinity);
    try {
      for (let s0 = 0; s0 < k; s0 += chunk) {
        const c = Math.min(chunk, k - s0);
        const fused = (): Tensor1D =>
          tf.tidy(() => {
            const eps = tf.tensor2d(rng.normalArray(c * b * noiseCols), [c * b, noiseCols]); // [c*B, L] (and [c*B, L2])
            const lse = fusedLogWeights({ spec: spec!, input: xb, x: xb, eps, k: c }); // [B]
            if (!lse) throw new Error('estimateNll: the native kernel went missing after the check');
            return lse;
          });
        const part = own ? tf.tidy(() => tf.logSumExp(own(xb, c, rng), 0) as Tensor1D) : spec ? fused() : tf.tidy(() => {
          if (!q) throw new Error('estimateNll: no posterior');
          // Sample s of example i sits in row s * B + i.
          const mean = tf.tile(q.mean, [c, 1]) as Tensor2D; // [c*B, L]
          const logVar = typeof q.logVar === 'number' ? q.logVar : (tf.tile(q.logVar, [c, 1]) as Tensor2D); // [c*B, L]
          const eps = tf.tensor2d(rng.normalArray(c * b * latent), [c * b, latent]); // [c*B, L]
          const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as Tensor2D; // [c*B, L]
          // The tiled rows keep example i's label at row s * B + i.
          const yc = yb && Int32Array.from({ length: c * b }, (_, r) => yb[r % b]); // [c*B]
          const output = model.decoderOutput(z, { ...evalContext(), ...(yc && { labels: yc }) }); // [c*B, D']
          const xc = tf.tile(xb, [c, 1]) as Tensor2D; // [c*B, D]
          const logW = logImportanceWeights({ likelihood: model.likelihood, x: xc, output, z, mean, logVar }); // [c*B]
          return tf.logSumExp(tf.reshape(logW, [c, b]), 0); // [B]
        });
        const v = part.dataSync();
        part.dispose();
        for (let i = 0; i < b; i++) lse[i] = logAddExp(lse[i], v[i]);
        done += c * b;
        opts.onProgress?.({ done, total });
      }
    } finally {
      xb.dispose();
      if (q) disposePosterior(q);
    }
    for (let i = 0; i < b; i++) logPx[start + i] = lse[i] - Math.log(k);
  }
  let mean = 0;
  for (const v of logPx) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of logPx) ss += (v - mean) ** 2;
  const nllStdErr = n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN;
  return { nll: -mean, nllStdErr, k, n, logPx };
}
