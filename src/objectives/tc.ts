/** The KL's three parts (Chen et al. 2018, beta-TCVAE): index-code mutual information, total correlation, dimension-wise KL. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { fusedTcLogQ } from '../engine/fused.js';
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
    const stratified = estimator === 'mss' && b > 1;
    const logQzx = logNormalDiag({ z, mean, logVar });
    const logPz = logStandardNormal({ z });
    const terms = (logJoint: tf.Tensor, logMarginals: tf.Tensor) => ({
      mi: tf.sub(logQzx, logJoint) as Tensor1D,
      tc: tf.sub(logJoint, logMarginals) as Tensor1D,
      dimKl: tf.sub(logMarginals, logPz) as Tensor1D,
    });
    // The native backend's kernel: the same two estimates, one sample's [L, B] block at a time (the tf ops below hold
    // about ten [B, L, B] tensors and their gradients, 168 MB each at Chen et al.'s batch of 2048).
    const fused = fusedTcLogQ({ z, mean, logVar, logWeights: stratified ? tf.tensor2d(stratifiedLogWeights(b, n), [b, b]) : tf.tensor1d([-Math.log(n * b)]) });
    if (fused) return terms(...fused);
    // logQ[i, d, j] = log N(z_id; mean_jd, exp(logVar_jd)), laid out [B_i, L, B_j] so that each broadcast is a row or
    // a column and each reduction runs over the last axis (the sum over d as a batched product): the shapes the
    // native backend's kernels take. A [B, 1, L] - [1, B, L] broadcast, a transpose or a reduction over a middle axis
    // falls to tfjs's generic loops, which made this estimator most of a beta-TCVAE step at [256, 256, 10].
    const zFull = tf.add(tf.reshape(z, [b, l, 1]), tf.zeros([b, l, b])); // [B_i, L, B_j]: z_id along j
    const row = (t: Tensor2D) => tf.reshape(tf.transpose(t), [1, l, b]); // [B, L] -> [1, L, B_j]
    const lv = row(logVar);
    const logQ = tf.mul(tf.add(tf.add(tf.div(tf.square(tf.sub(zFull, row(mean))), tf.exp(lv)), lv), Math.log(2 * Math.PI)), -0.5); // [B_i, L, B_j]
    const logQJoint = tf.reshape(tf.matMul(tf.ones([b, 1, l]), logQ), [b, b]); // sum over d: [B_i, 1, B_j] -> [B_i, B_j]
    let logJoint: tf.Tensor; // [B]: log q(z_i)
    let logMarginals: tf.Tensor; // [B]: sum_d log q(z_id)
    if (stratified) {
      const w = stratifiedLogWeights(b, n); // [B_i, B_j]
      const wByDim = new Float32Array(b * l * b); // [B_i, L, B_j]: w repeated over d
      for (let i = 0; i < b; i++) for (let d = 0; d < l; d++) wByDim.set(w.subarray(i * b, (i + 1) * b), (i * l + d) * b);
      logJoint = tf.logSumExp(tf.add(logQJoint, tf.tensor2d(w, [b, b])), 1);
      logMarginals = tf.sum(tf.logSumExp(tf.add(logQ, tf.tensor3d(wByDim, [b, l, b])), 2), 1); // [B_i, L] -> [B_i]
    } else {
      const norm = Math.log(n * b);
      logJoint = tf.sub(tf.logSumExp(logQJoint, 1), norm);
      logMarginals = tf.sum(tf.sub(tf.logSumExp(logQ, 2), norm), 1); // [B_i, L] -> [B_i]
    }
    return terms(logJoint, logMarginals);
  });
}
