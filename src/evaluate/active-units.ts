/** Active units (Burda et al. 2015): latent unit j is active when Cov_x(E_q[z_j | x]) > 0.01. */
import { Rng, tf, type Tensor2D } from '../engine/index.js';
import { gaussianReparameterize, type Model } from '../models/index.js';
import { UsageError } from '../errors.js';
import { disposePosterior, posterior, requirePosterior } from './posterior.js';

/** Burda et al.'s threshold on the variance of the posterior mean across examples. */
export const ACTIVE_UNIT_THRESHOLD = 0.01;

/** The units of one latent layer whose posterior mean varies across examples by more than the threshold. */
export interface LayerActiveUnits {
  activeUnits: number;
  /** Var_x(E_q[z_j | ...]) per unit (sample variance, n - 1). */
  variances: number[];
}

export interface ActiveUnits extends LayerActiveUnits {
  threshold: number;
  /**
   * A second stochastic layer's (the hierarchical VAE's z2): the variance of E_q[z2 | z1] with z1 drawn from q(z1|x),
   * as Burda et al.'s code measures each layer given a sample of the one below.
   */
  upper?: LayerActiveUnits;
}

/**
 * Counts the latent units the encoder uses: the variance over examples of each unit's posterior mean, against a
 * threshold. Needs a posterior (a VAE, a conditional VAE given `labels` [n], or a poor man's VAE); evaluation mode.
 * A model with a second stochastic layer (`encodeUpper`) has z2's counted too, from z1 draws of the seeded `rng`.
 *
 * @example
 * const { activeUnits, variances } = countActiveUnits({ model, x: testX }); // e.g. 19 of 50 for Burda's VAE
 */
export function countActiveUnits({ model, x, labels, threshold = ACTIVE_UNIT_THRESHOLD, batchSize = 1000, rng = new Rng('active-units') }: { model: Model; x: Float32Array; labels?: Int32Array; threshold?: number; batchSize?: number; rng?: Rng }): ActiveUnits {
  requirePosterior(model);
  const d = model.inputDim;
  const n = x.length / d;
  if (!Number.isInteger(n) || n < 2) throw new UsageError(`active units: need at least 2 examples of ${d} values, got ${x.length / d}`);
  const means: Float64Array[] = [];
  const upperMeans: Float64Array[] = [];
  let upperDim = 0;
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    const xb = tf.tensor2d(x.subarray(start * d, (start + b) * d), [b, d]); // [B, D]
    const q = posterior(model, xb, labels?.subarray(start, start + b));
    means.push(Float64Array.from(q.mean.dataSync())); // [B, L]
    if (model.encodeUpper && typeof q.logVar !== 'number') {
      const { mean, logVar } = q as { mean: Tensor2D; logVar: Tensor2D };
      const m2 = tf.tidy(() => {
        const z1 = gaussianReparameterize({ mean, logVar }, rng); // [B, L1]
        const q2 = model.encodeUpper!(z1);
        tf.dispose(q2.logVar);
        return q2.mean; // [B, L2]
      });
      upperMeans.push(Float64Array.from(m2.dataSync()));
      upperDim = m2.shape[1];
      m2.dispose();
    }
    xb.dispose();
    disposePosterior(q);
  }
  const count = (rows: Float64Array[], l: number): LayerActiveUnits => {
    const variances = columnVariances(rows, l, n);
    return { activeUnits: variances.filter((v) => v > threshold).length, variances };
  };
  const upper = upperMeans.length > 0 ? count(upperMeans, upperDim) : undefined;
  return { ...count(means, model.latentDim), threshold, ...(upper && { upper }) };
}

/** The sample variance (n - 1) of each of l columns over n rows held as row-major blocks; two passes in float64 (no cancellation). */
function columnVariances(blocks: Float64Array[], l: number, n: number): number[] {
  const sum = new Float64Array(l);
  for (const m of blocks) for (let i = 0; i < m.length; i++) sum[i % l] += m[i];
  const mu = sum.map((s) => s / n);
  const ss = new Float64Array(l);
  for (const m of blocks) for (let i = 0; i < m.length; i++) ss[i % l] += (m[i] - mu[i % l]) ** 2;
  return Array.from(ss, (s) => s / (n - 1));
}
