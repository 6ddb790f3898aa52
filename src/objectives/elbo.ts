/** The negative ELBO and its terms, per example; callers reduce (mean over the batch). */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { klStandardNormal } from './kl.js';
import { reconstructionLoss, type Likelihood } from './likelihood.js';

/**
 * The weight on a model's KL (or anchor) term, as the trainer's schedule gives it each epoch (src/train/beta-schedule.ts):
 * `beta`: beta * KL (beta-VAE); `capacity` (Burgess et al. 2018): gamma * |KL - C| with a capacity C in nats.
 */
export type KlWeight = { kind: 'beta'; beta: number } | { kind: 'capacity'; gamma: number; capacity: number };

/** Per-example loss terms: `loss = reconstruction + beta * kl` (or `+ gamma * |mean KL - C|` with a capacity C). */
export type LossTerms = {
  loss: Tensor1D;
  reconstruction: Tensor1D;
  kl: Tensor1D;
};

/**
 * How the reconstruction term is reduced over data dimensions.
 * `sum` is the ELBO. `mean` divides by the number of dimensions, reproducing seed 002's mean BCE next to a summed KL
 * (it under-weights reconstruction about 784x on MNIST); use it only to reproduce that seed.
 */
export type ReconstructionReduction = 'sum' | 'mean';

/**
 * The negative ELBO of a Gaussian-posterior VAE, per example.
 *
 * @example
 * const { loss, reconstruction, kl } = elbo({ likelihood, x, output, mean, logVar, weight: { kind: 'beta', beta: 1 } });
 * const batchLoss = tf.mean(loss);
 */
export function elbo(args: {
  likelihood: Likelihood;
  x: Tensor2D;
  output: Tensor2D;
  mean: Tensor2D;
  logVar: Tensor2D;
  /** The KL term's weight: beta * KL, or gamma * |KL - C| under a capacity schedule (see `klPenalty`). */
  weight: KlWeight;
  reconstructionReduction?: ReconstructionReduction;
}): LossTerms {
  return tf.tidy(() => {
    let reconstruction = reconstructionLoss(args);
    if (args.reconstructionReduction === 'mean') reconstruction = tf.div(reconstruction, args.x.shape[1]);
    const kl = klStandardNormal(args);
    const loss = tf.add(reconstruction, klPenalty({ kl, weight: args.weight })) as Tensor1D;
    return { loss, reconstruction, kl };
  }) as LossTerms;
}

/**
 * The weighted KL term per example. `beta`: beta * kl. `capacity` C (Burgess et al. 2018): their
 * batch penalty gamma * |mean_batch(kl) - C|, given to every example of the batch so that the batch mean is the paper's
 * term (a per-example |kl_i - C| would force every code to carry exactly C nats, a different objective).
 *
 * @example
 * const penalty = klPenalty({ kl, weight: { kind: 'capacity', gamma: 1000, capacity: 5 } }); // [B], all 1000 * |mean(kl) - 5|
 */
export function klPenalty({ kl, weight }: { kl: Tensor1D; weight: KlWeight }): Tensor1D {
  return tf.tidy(() => {
    if (weight.kind === 'beta') return tf.mul(kl, weight.beta) as Tensor1D;
    const gap = tf.abs(tf.sub(tf.mean(kl), weight.capacity)); // scalar
    return tf.mul(tf.onesLike(kl), tf.mul(gap, weight.gamma)) as Tensor1D;
  });
}
