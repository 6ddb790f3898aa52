/** The negative ELBO and its terms, per example; callers reduce (mean over the batch). */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { klStandardNormal } from './kl.js';
import { reconstructionLoss, type Likelihood } from './likelihood.js';

/** Per-example loss terms: `loss = reconstruction + beta * kl`. */
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
 * const { loss, reconstruction, kl } = elbo({ likelihood, x, output, mean, logVar, beta: 1 });
 * const batchLoss = tf.mean(loss);
 */
export function elbo(args: {
  likelihood: Likelihood;
  x: Tensor2D;
  output: Tensor2D;
  mean: Tensor2D;
  logVar: Tensor2D;
  beta: number;
  reconstructionReduction?: ReconstructionReduction;
}): LossTerms {
  return tf.tidy(() => {
    let reconstruction = reconstructionLoss(args);
    if (args.reconstructionReduction === 'mean') reconstruction = tf.div(reconstruction, args.x.shape[1]);
    const kl = klStandardNormal(args);
    const loss = tf.add(reconstruction, tf.mul(kl, args.beta)) as Tensor1D;
    return { loss, reconstruction, kl };
  }) as LossTerms;
}
