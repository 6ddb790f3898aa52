/** The Gaussian VAE: encoder to (mean, logVar), z = mean + exp(logVar / 2) * eps, decoder to p(x|z); loss = -ELBO or -IWAE bound. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { elbo, importanceWeightedBound, klStandardNormal, logImportanceWeights, logLikelihood, stopGradient, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { vaeConfig } from './vae.config.js';
import { GaussianModel } from './gaussian.js';

export type VaeConfig = Extract<ModelConfig, { kind: 'vae' }>;

/**
 * A VAE with a log-variance head (seeds 002, 003) or a softplus-variance head (seed 004).
 *
 * @example
 * const vae = new Vae({ config, inputDim: 784, rng });
 * const { loss, reconstruction, kl } = vae.loss(x, { training: true, rng, klWeight: { kind: 'beta', beta: 1 } });
 */
export class Vae extends GaussianModel<VaeConfig> {
  /**
   * Per-example loss terms. With the `elbo` objective: the negative ELBO, its reconstruction term and analytic KL.
   * With `iwae`: `loss` is the negative IWAE bound from k samples of z per example; `reconstruction` is -log p(x|z)
   * averaged over those k samples and `kl` the analytic KL, so `reconstruction + kl` is the negative ELBO (estimated
   * from the same samples) and `reconstruction + kl - loss` is how much tighter the IWAE bound is.
   */
  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    const { objective, reconstructionReduction } = this.config;
    if (objective.kind !== 'elbo') return this.iwaeTerms(x, ctx, objective);
    return tf.tidy(() => {
      const { mean, logVar } = this.encode(ctx.input ?? x, ctx);
      const output = this.decoderOutput(this.reparameterize({ mean, logVar }, ctx.rng), ctx);
      return elbo({ likelihood: this.likelihood, x, output, mean, logVar, weight: ctx.klWeight, reconstructionReduction });
    }) as LossTerms;
  }

  /**
   * The importance-weighted objectives from n = k (IWAE, CIWAE) or m k (MIWAE, PIWAE) samples of z per example, sample
   * s of example i in row s * B + i (the fused kernels' order): IWAE's log-mean-exp of the k log-weights; MIWAE's mean
   * of m such bounds over disjoint groups of k; CIWAE's beta (mean log-weight) + (1 - beta) IWAE over the same k;
   * PIWAE's IWAE bound of all m k for the decoder and MIWAE's for the encoder (src/objectives/iwae.ts, piwaeBound),
   * the decoder run twice (once on z with its gradient stopped).
   */
  private iwaeTerms(x: Tensor2D, ctx: LossContext, objective: Exclude<VaeConfig['objective'], { kind: 'elbo' }>): LossTerms {
    return tf.tidy(() => {
      const b = x.shape[0];
      const k = objective.k;
      const n = objective.kind === 'miwae' || objective.kind === 'piwae' ? objective.m * k : k;
      const { mean, logVar } = this.encode(ctx.input ?? x, ctx); // [B, L]
      const meanK = tf.tile(mean, [n, 1]) as Tensor2D; // [n*B, L]
      const logVarK = tf.tile(logVar, [n, 1]) as Tensor2D; // [n*B, L]
      const z = this.reparameterize({ mean: meanK, logVar: logVarK }, ctx.rng); // [n*B, L]
      const output = this.decoderOutput(z, ctx); // [n*B, D']
      const xK = tf.tile(x, [n, 1]) as Tensor2D; // [n*B, D]
      const logW = logImportanceWeights({ likelihood: this.likelihood, x: xK, output, z, mean: meanK, logVar: logVarK }); // [n*B]
      const weights = tf.reshape(logW, [n, b]) as Tensor2D;
      // PIWAE's decoder copy of the log-weights: the same values, no gradient into the encoder.
      const decoderWeights = objective.kind === 'piwae' ? this.decoderLogWeights(xK, z, meanK, logVarK, ctx, [n, b]) : undefined;
      const bound = importanceWeightedBound({ objective, logWeights: weights, decoderLogWeights: decoderWeights });
      const logPxz = logLikelihood({ likelihood: this.likelihood, x: xK, output }); // [n*B]
      const reconstruction = tf.neg(tf.mean(tf.reshape(logPxz, [n, b]), 0)) as Tensor1D; // [n, B] -> [B]
      return { loss: tf.neg(bound) as Tensor1D, reconstruction, kl: klStandardNormal({ mean, logVar }) };
    }) as LossTerms;
  }

  /** The log-weights [n, B] of the decoder run again on z, mean and logVar with their gradients stopped (PIWAE). */
  private decoderLogWeights(xK: Tensor2D, z: Tensor2D, mean: Tensor2D, logVar: Tensor2D, ctx: LossContext, shape: [number, number]): Tensor2D {
    const [zD, meanD, logVarD] = [z, mean, logVar].map(stopGradient);
    const logWD = logImportanceWeights({ likelihood: this.likelihood, x: xK, output: this.decoderOutput(zD, ctx), z: zD, mean: meanD, logVar: logVarD }); // [n*B]
    return tf.reshape(logWD, shape) as Tensor2D;
  }
}

/** The VAE's registry entry: its config and facts (vae.config.ts) and its model. */
export const vaeKind: ModelKindEntry<VaeConfig> = { ...vaeConfig, build: (args) => new Vae(args) };
