/** The analytic KL divergence from a diagonal Gaussian posterior to the standard normal prior. */
import { tf, fusedKlStandardNormal, type Tensor1D, type Tensor2D } from '../engine/index.js';

/**
 * KL(N(mean, exp(logVar)) || N(0, I)) per example: -0.5 sum_j (1 + logVar_j - mean_j^2 - exp(logVar_j)).
 *
 * @example
 * const kl = klStandardNormal({ mean, logVar }); // [B]
 */
export function klStandardNormal({ mean, logVar }: { mean: Tensor2D; logVar: Tensor2D }): Tensor1D {
  const fused = fusedKlStandardNormal({ mean, logVar });
  if (fused) return fused;
  return tf.tidy(() => {
    const perDim = tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mean)), tf.exp(logVar));
    return tf.mul(tf.sum(perDim, 1), -0.5) as Tensor1D;
  });
}
