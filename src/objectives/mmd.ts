/** The maximum mean discrepancy between the codes of a batch and draws from the prior (WAE-MMD, InfoVAE-MMD). */
import { tf, type Scalar, type Tensor2D } from '../engine/index.js';

/** `imq`: inverse multiquadratics C / (C + |a - b|^2), summed over scales; `rbf`: exp(-|a - b|^2 / C). */
export type MmdKernel = 'imq' | 'rbf';

/** The IMQ kernel's scales of C, as in Tolstikhin et al.'s WAE code: a sum over bandwidths, robust to the one chosen. */
export const IMQ_SCALES = [0.1, 0.2, 0.5, 1, 2, 5, 10] as const;

/** k(a_i, b_j) for all pairs, [n, m]; C = 2 L bandwidth^2 (the prior's expected squared distance at bandwidth 1). */
function kernelMatrix(a: Tensor2D, b: Tensor2D, kernel: MmdKernel, bandwidth: number): tf.Tensor2D {
  return tf.tidy(() => {
    const l = a.shape[1];
    const c = 2 * l * bandwidth * bandwidth;
    // |a_i - b_j|^2 = |a_i|^2 + |b_j|^2 - 2 a_i . b_j, clipped at 0 against rounding.
    const d2 = tf.relu(tf.sub(tf.add(tf.sum(tf.square(a), 1, true), tf.transpose(tf.sum(tf.square(b), 1, true))), tf.mul(tf.matMul(a, b, false, true), 2)));
    if (kernel === 'rbf') return tf.exp(tf.div(d2, -c)) as tf.Tensor2D;
    return tf.addN(IMQ_SCALES.map((s) => tf.div(s * c, tf.add(d2, s * c)))) as tf.Tensor2D;
  });
}

/**
 * The unbiased estimate of MMD^2 between samples `a` [n, L] and `b` [m, L] (Gretton et al. 2012, eq. 3): the means of
 * k over distinct pairs within each sample, minus twice the mean over the cross pairs. It can be slightly negative.
 * Needs n, m >= 2.
 *
 * @example
 * const d = mmd({ a: z, b: priorDraws, kernel: 'imq' }); // scalar
 */
export function mmd({ a, b, kernel = 'imq', bandwidth = 1 }: { a: Tensor2D; b: Tensor2D; kernel?: MmdKernel; bandwidth?: number }): Scalar {
  const n = a.shape[0];
  const m = b.shape[0];
  if (n < 2 || m < 2) throw new Error(`mmd: the unbiased estimate needs at least 2 points in each sample, got ${n} and ${m}`);
  return tf.tidy(() => {
    const offDiagonalMean = (k: tf.Tensor2D, size: number) => tf.div(tf.sub(tf.sum(k), tf.sum(tf.mul(k, tf.eye(size)))), size * (size - 1));
    const kaa = offDiagonalMean(kernelMatrix(a, a, kernel, bandwidth), n);
    const kbb = offDiagonalMean(kernelMatrix(b, b, kernel, bandwidth), m);
    const kab = tf.mean(kernelMatrix(a, b, kernel, bandwidth));
    return tf.sub(tf.add(kaa, kbb), tf.mul(kab, 2)) as Scalar;
  });
}
