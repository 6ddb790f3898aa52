/** VQ-VAE's quantizer terms (van den Oord et al. 2017): nearest codebook entries, the straight-through estimator, the commitment loss, EMA codebook updates and codebook usage. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { stopGradient } from './stop-gradient.js';

/**
 * The index of the nearest codebook row (squared Euclidean distance) for each row of z [N, D]; codebook [K, D].
 * Ties go to the lower index.
 *
 * @example
 * const k = nearestCode({ z: zE, codebook }); // [N] int32
 */
export function nearestCode({ z, codebook }: { z: Tensor2D; codebook: Tensor2D }): Tensor1D {
  return tf.tidy(() => {
    // |z - e|^2 = |z|^2 - 2 z.e + |e|^2; |z|^2 is the same for every code, so it drops out of the argmin.
    const d2 = tf.sub(tf.transpose(tf.sum(tf.square(codebook), 1, true)), tf.mul(tf.matMul(z, codebook, false, true), 2)); // [N, K]
    return tf.argMin(d2, 1) as Tensor1D;
  });
}

/**
 * Quantizes z [N, D] to its nearest codes: `zq` = z + sg(e - z), which is e in value and passes the gradient to z
 * unchanged (the straight-through estimator); `e` the codes themselves (no gradient to the codebook: it learns by
 * EMA); `indices` [N].
 *
 * @example
 * const { zq, indices } = quantize({ z: zE, codebook }); // zq [N, D] feeds the decoder
 */
export function quantize({ z, codebook }: { z: Tensor2D; codebook: Tensor2D }): { zq: Tensor2D; e: Tensor2D; indices: Tensor1D } {
  return tf.tidy(() => {
    const indices = nearestCode({ z, codebook });
    // The rows picked by a one-hot product rather than a gather: a gather's gradient would reach its integer indices.
    const e = stopGradient(tf.matMul(tf.oneHot(indices, codebook.shape[0]).toFloat(), codebook) as Tensor2D); // [N, K] x [K, D] -> [N, D]
    return { zq: tf.add(z, stopGradient(tf.sub(e, z))) as Tensor2D, e, indices };
  });
}

/**
 * The commitment loss ||z_e - sg(e)||^2 per example, summed over its `codes` code vectors: z and e are [B * codes, D],
 * example i's vectors in rows i * codes .. i * codes + codes - 1. The caller weights it by beta.
 *
 * @example
 * const c = commitmentLoss({ z: zE, e, codes: 4 }); // [B]
 */
export function commitmentLoss({ z, e, codes }: { z: Tensor2D; e: Tensor2D; codes: number }): Tensor1D {
  return tf.tidy(() => tf.sum(tf.reshape(tf.square(tf.sub(z, stopGradient(e))), [-1, codes * z.shape[1]]), 1) as Tensor1D); // [B*M, D] -> [B, M*D] -> [B]
}

/** The EMA state of a codebook: the smoothed count N_k [K] and sum m_k [K, D] of the encoder outputs assigned to each code. */
export interface CodebookEma {
  count: Tensor1D;
  sum: Tensor2D;
}

/**
 * One exponential-moving-average codebook update (van den Oord et al. 2017, appendix A.1): with n_k the batch's
 * assignments to code k and s_k the sum of their z, N_k <- decay N_k + (1 - decay) n_k, m_k <- decay m_k +
 * (1 - decay) s_k, and e_k = m_k / N~_k with Laplace smoothing N~_k = (N_k + epsilon) / (n + K epsilon) n, n = sum_k N_k,
 * so an unused code's entry stays finite.
 *
 * @example
 * const { count, sum, codebook } = emaUpdate({ ema: { count, sum }, z: zE, indices, decay: 0.99, epsilon: 1e-5 });
 */
export function emaUpdate({ ema, z, indices, decay, epsilon }: { ema: CodebookEma; z: Tensor2D; indices: Tensor1D; decay: number; epsilon: number }): CodebookEma & { codebook: Tensor2D } {
  return tf.tidy(() => {
    const k = ema.count.shape[0];
    const onehot = tf.oneHot(tf.cast(indices, 'int32'), k).toFloat() as Tensor2D; // [N, K]
    const count = tf.add(tf.mul(ema.count, decay), tf.mul(tf.sum(onehot, 0), 1 - decay)) as Tensor1D; // [K]
    const sum = tf.add(tf.mul(ema.sum, decay), tf.mul(tf.matMul(onehot, z, true, false), 1 - decay)) as Tensor2D; // [K, D]
    const n = tf.sum(count);
    const smoothed = tf.mul(tf.div(tf.add(count, epsilon), tf.add(n, k * epsilon)), n); // [K]
    return { count, sum, codebook: tf.div(sum, tf.expandDims(smoothed, 1)) as Tensor2D };
  });
}

/**
 * How a codebook of `counts.length` codes is used, from how often each was assigned: `usage` the fraction of codes
 * used at least once, `perplexity` exp(entropy of the assignment frequencies) (K when all are used equally, 1 when one
 * code takes everything, 0 for no assignments).
 *
 * @example
 * codebookUsage([2, 2, 0, 0]); // { usage: 0.5, perplexity: 2, size: 4 }
 */
export function codebookUsage(counts: ArrayLike<number>): { usage: number; perplexity: number; size: number } {
  const total = Array.from(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return { usage: 0, perplexity: 0, size: counts.length };
  let entropy = 0;
  let used = 0;
  for (const c of Array.from(counts)) {
    if (c <= 0) continue;
    used++;
    const p = c / total;
    entropy -= p * Math.log(p);
  }
  return { usage: used / counts.length, perplexity: Math.exp(entropy), size: counts.length };
}
