/** Active units (Burda et al. 2015): latent unit j is active when Cov_x(E_q[z_j | x]) > 0.01. */
import { tf } from '../engine/index.js';
import type { Model } from '../models/index.js';
import { UsageError } from '../errors.js';
import { disposePosterior, posterior, requirePosterior } from './posterior.js';

/** Burda et al.'s threshold on the variance of the posterior mean across examples. */
export const ACTIVE_UNIT_THRESHOLD = 0.01;

export interface ActiveUnits {
  /** Units whose posterior mean varies across examples by more than `threshold`. */
  activeUnits: number;
  /** Var_x(E_q[z_j | x]) per unit (sample variance, n - 1). */
  variances: number[];
  threshold: number;
}

/**
 * Counts the latent units the encoder uses: the variance over examples of each unit's posterior mean, against a
 * threshold. Needs a posterior (a VAE, a conditional VAE given `labels` [n], or a poor man's VAE); evaluation mode.
 *
 * @example
 * const { activeUnits, variances } = countActiveUnits({ model, x: testX }); // e.g. 19 of 50 for Burda's VAE
 */
export function countActiveUnits({ model, x, labels, threshold = ACTIVE_UNIT_THRESHOLD, batchSize = 1000 }: { model: Model; x: Float32Array; labels?: Int32Array; threshold?: number; batchSize?: number }): ActiveUnits {
  requirePosterior(model);
  const d = model.inputDim;
  const n = x.length / d;
  if (!Number.isInteger(n) || n < 2) throw new UsageError(`active units: need at least 2 examples of ${d} values, got ${x.length / d}`);
  const l = model.latentDim;
  // Two passes in float64: the mean, then the squared deviations (no cancellation).
  const means: Float64Array[] = [];
  const sum = new Float64Array(l);
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    const xb = tf.tensor2d(x.subarray(start * d, (start + b) * d), [b, d]); // [B, D]
    const q = posterior(model, xb, labels?.subarray(start, start + b));
    const m = Float64Array.from(q.mean.dataSync()); // [B, L]
    xb.dispose();
    disposePosterior(q);
    means.push(m);
    for (let i = 0; i < b; i++) for (let j = 0; j < l; j++) sum[j] += m[i * l + j];
  }
  const mu = sum.map((s) => s / n);
  const ss = new Float64Array(l);
  for (const m of means) for (let i = 0; i < m.length / l; i++) for (let j = 0; j < l; j++) ss[j] += (m[i * l + j] - mu[j]) ** 2;
  const variances = Array.from(ss, (s) => s / (n - 1));
  return { activeUnits: variances.filter((v) => v > threshold).length, variances, threshold };
}
