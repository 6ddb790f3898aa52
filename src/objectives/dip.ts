/** DIP-VAE's moment-matching penalty (Kumar et al. 2018): the covariance of the codes pulled towards the identity. */
import { tf, type Scalar, type Tensor2D } from '../engine/index.js';

/** `i`: the covariance of the posterior means; `ii`: of q(z) itself, that plus the mean posterior variance. */
export type DipType = 'i' | 'ii';

/**
 * The batch's penalty lambdaOffDiag sum_{i != j} Cov_ij^2 + lambdaDiag sum_i (Cov_ii - 1)^2, Cov the covariance over
 * the batch of the posterior means (DIP-VAE-I) or Cov(mean) + diag(mean_batch exp(logVar)) (DIP-VAE-II, the
 * covariance of q(z)). Batch statistics are biased (divided by B), as in the paper's code.
 *
 * @example
 * const penalty = dipPenalty({ mean, logVar, type: 'ii', lambdaOffDiag: 10, lambdaDiag: 10 }); // scalar
 */
export function dipPenalty({ mean, logVar, type, lambdaOffDiag, lambdaDiag }: { mean: Tensor2D; logVar: Tensor2D; type: DipType; lambdaOffDiag: number; lambdaDiag: number }): Scalar {
  return tf.tidy(() => {
    const [b, l] = mean.shape;
    const centred = tf.sub(mean, tf.mean(mean, 0, true));
    let cov = tf.div(tf.matMul(centred, centred, true, false), b) as tf.Tensor2D; // [L, L]
    const eye = tf.eye(l);
    // tf.diag has no gradient: the mean variances as a diagonal matrix by masking a broadcast row instead.
    if (type === 'ii') cov = tf.add(cov, tf.mul(eye, tf.mean(tf.exp(logVar), 0, true))) as tf.Tensor2D;
    const diag = tf.sum(tf.mul(cov, eye), 1);
    const offDiag = tf.sub(cov, tf.mul(cov, eye));
    return tf.add(tf.mul(tf.sum(tf.square(offDiag)), lambdaOffDiag), tf.mul(tf.sum(tf.square(tf.sub(diag, 1))), lambdaDiag)) as Scalar;
  });
}
