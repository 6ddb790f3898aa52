/** The KL's three parts (Chen et al. 2018, beta-TCVAE): index-code mutual information, total correlation, dimension-wise KL. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { logNormalDiag, logStandardNormal } from './iwae.js';

/** How log q(z) is estimated from a minibatch: minibatch-weighted sampling or minibatch stratified sampling. */
export type TcEstimator = 'mws' | 'mss';

/** Per-example parts of the KL's decomposition, [B] each; their sum estimates E log q(z|x) - log p(z). */
export interface TcTerms {
  /** log q(z|x) - log q(z): the index-code mutual information. */
  mi: Tensor1D;
  /** log q(z) - sum_d log q(z_d): the total correlation. */
  tc: Tensor1D;
  /** sum_d log q(z_d) - log p(z): the dimension-wise KL. */
  dimKl: Tensor1D;
}

/**
 * log w[i, j], the weight of data point j in the estimate of q(z_i) (i, j over the batch), for minibatch stratified
 * sampling (Chen et al. 2018, appendix C.2) from a dataset of N: 1/N for j = i, (N - M)/(N M) for the one stratum
 * member j = i + 1 (cyclically), 1/M for the other M - 1 points, M = B - 1. Each row sums to 1 in probability.
 */
export function stratifiedLogWeights(batch: number, datasetSize: number): Float32Array {
  const n = datasetSize;
  const m = batch - 1;
  const w = new Float32Array(batch * batch).fill(Math.log(1 / m));
  for (let i = 0; i < batch; i++) {
    w[i * batch + i] = Math.log(1 / n);
    w[i * batch + ((i + 1) % batch)] = Math.log((n - m) / (n * m));
  }
  return w;
}

/**
 * The decomposition of KL(q(z|x) || p(z)) averaged over the data into MI, TC and dimension-wise KL, estimated per
 * example from the batch's own samples z_i ~ q(z|x_i): log q(z_i) ~ logsumexp_j log q(z_i|x_j) - log(N B) (`mws`), or
 * with the stratified weights (`mss`); log q(z_id) likewise per dimension. `datasetSize` is N, the training set's size
 * (the batch size when unknown). A batch of one has no other points to estimate q(z) from: its TC is 0.
 *
 * @example
 * const { mi, tc, dimKl } = tcTerms({ z, mean, logVar, datasetSize: 60000 }); // [B] each
 */
export function tcTerms({ z, mean, logVar, datasetSize, estimator = 'mws' }: { z: Tensor2D; mean: Tensor2D; logVar: Tensor2D; datasetSize: number; estimator?: TcEstimator }): TcTerms {
  return tf.tidy(() => {
    const [b, l] = z.shape;
    const n = Math.max(datasetSize, b);
    // logQ[i, j, d] = log N(z_id; mean_jd, exp(logVar_jd))
    const diff = tf.sub(tf.reshape(z, [b, 1, l]), tf.reshape(mean, [1, b, l]));
    const lv = tf.reshape(logVar, [1, b, l]);
    const logQ = tf.mul(tf.add(tf.add(tf.div(tf.square(diff), tf.exp(lv)), lv), Math.log(2 * Math.PI)), -0.5); // [B, B, L]
    let logJoint: tf.Tensor; // [B]: log q(z_i)
    let logMarginals: tf.Tensor; // [B]: sum_d log q(z_id)
    if (estimator === 'mss' && b > 1) {
      const w = tf.tensor2d(stratifiedLogWeights(b, n), [b, b]);
      logJoint = tf.logSumExp(tf.add(w, tf.sum(logQ, 2)), 1);
      logMarginals = tf.sum(tf.logSumExp(tf.add(tf.reshape(w, [b, b, 1]), logQ), 1), 1);
    } else {
      const norm = Math.log(n * b);
      logJoint = tf.sub(tf.logSumExp(tf.sum(logQ, 2), 1), norm);
      logMarginals = tf.sum(tf.sub(tf.logSumExp(logQ, 1), norm), 1);
    }
    const logQzx = logNormalDiag({ z, mean, logVar });
    const logPz = logStandardNormal({ z });
    return {
      mi: tf.sub(logQzx, logJoint) as Tensor1D,
      tc: tf.sub(logJoint, logMarginals) as Tensor1D,
      dimKl: tf.sub(logMarginals, logPz) as Tensor1D,
    };
  });
}
