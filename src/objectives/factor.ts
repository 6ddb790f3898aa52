/** FactorVAE's total-correlation terms (Kim & Mnih 2018): codes permuted per dimension, the density-ratio TC estimate and the discriminator's loss. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';

/**
 * Samples from the product of q(z)'s marginals: column d of z [B, L] reordered by `permutations[d]` (a permutation of
 * 0..B-1), each dimension independently (Kim & Mnih 2018, Algorithm 1). The permutations are passed in, drawn by the caller.
 *
 * @example
 * const zPerm = permuteDims({ z, permutations: Array.from({ length: L }, () => rng.permutation(B)) }); // [B, L]
 */
export function permuteDims({ z, permutations }: { z: Tensor2D; permutations: Int32Array[] }): Tensor2D {
  const [b, l] = z.shape;
  if (permutations.length !== l || permutations.some((p) => p.length !== b)) throw new Error(`permuteDims: expected ${l} permutations of ${b} rows`);
  // Row-major flat index of z[p_d[i], d] for output row i, column d.
  const index = new Int32Array(b * l);
  for (let i = 0; i < b; i++) for (let d = 0; d < l; d++) index[i * l + d] = permutations[d][i] * l + d;
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(z, [-1]), tf.tensor1d(index, 'int32')), [b, l])); // [B*L] -> [B, L]
}

/**
 * The per-example estimate of the total correlation KL(q(z) || prod_d q(z_d)) by the density-ratio trick: with
 * D(z) = sigmoid(logit) the discriminator's probability that z came from q(z) rather than the product of marginals,
 * log(D / (1 - D)) = logit, so the TC estimate of z_i is its logit; the batch mean estimates the TC.
 *
 * @example
 * const tc = densityRatioTc({ logits: discriminator.apply(z) }); // [B]
 */
export function densityRatioTc({ logits }: { logits: Tensor1D }): Tensor1D {
  return tf.clone(logits);
}

/**
 * The discriminator's cross-entropy per example pair: -log D(z_i) - log(1 - D(zPerm_i)), halved as in the paper's
 * 1/(2B) sum, from the logits of codes from q(z) (`logitsJoint`) and of permuted codes (`logitsPermuted`), [B] each.
 * -log sigmoid(s) = softplus(-s) and -log(1 - sigmoid(s)) = softplus(s), stable for large |s|.
 *
 * @example
 * const loss = tf.mean(discriminatorLoss({ logitsJoint, logitsPermuted })); // minimized by the discriminator's Adam
 */
export function discriminatorLoss({ logitsJoint, logitsPermuted }: { logitsJoint: Tensor1D; logitsPermuted: Tensor1D }): Tensor1D {
  return tf.tidy(() => tf.mul(tf.add(tf.softplus(tf.neg(logitsJoint)), tf.softplus(logitsPermuted)), 0.5) as Tensor1D);
}
