/** The Gaussian-encoder and deterministic-code bases of the model zoo's kinds: their parts and one sampled forward pass. */
import { tf, type Rng, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { klPenalty, klStandardNormal, reconstructionLoss, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { CodeRegularizer, Encoded, LossContext } from './types.js';
import { EncoderDecoder } from './base.js';
import { buildDecoder, buildEncoder, gaussianReparameterize } from './parts.js';
import { CodeHead, PosteriorHeads } from './heads.js';

type GaussianConfig = Extract<ModelConfig, { variance: 'logVar' | 'softplus' }>;

/** One training pass of a Gaussian-encoder model: q(z|x)'s parameters, a draw z, and the per-example reconstruction and KL. */
export interface GaussianPass {
  mean: Tensor2D;
  logVar: Tensor2D;
  z: Tensor2D;
  reconstruction: Tensor1D;
  kl: Tensor1D;
}

/**
 * A model with q(z|x) = N(mean, var) and the standard normal prior: the VAE, and the zoo kinds that add a regularizer in `terms`.
 *
 * @example
 * class InfoVae extends GaussianModel<InfoVaeConfig> { protected terms(x, ctx) { const p = this.pass(x, ctx); ... } }
 */
export abstract class GaussianModel<C extends GaussianConfig> extends EncoderDecoder<C, Required<Encoded>> {
  constructor({ config, inputDim, inputShape = [inputDim], rng }: { config: C; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    const encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    const heads = new PosteriorHeads({ inDim: encoder.outDim, latent: config.latent, variance: config.variance, rng });
    const decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
    super({ config, inputDim, parts: { encoder, heads, decoder } });
  }

  reparameterize(encoded: Encoded, rng: Rng): Tensor2D {
    return gaussianReparameterize(encoded, rng);
  }

  /** Encode (the corrupted input when denoising), draw z, decode: the tensors every Gaussian kind's loss starts from. */
  protected pass(x: Tensor2D, ctx: LossContext): GaussianPass {
    const { mean, logVar } = this.encode(ctx.input ?? x, ctx);
    const z = this.reparameterize({ mean, logVar }, ctx.rng);
    const reconstruction = reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(z, ctx) });
    return { mean, logVar, z, reconstruction, kl: klStandardNormal({ mean, logVar }) };
  }
}

/**
 * A Gaussian-encoder kind whose loss is reconstruction + a weighted KL + a penalty on the codes: it declares that
 * regularizer ({@link CodeRegularizer}) and nothing else. Its tf-ops loss is built from it here; on the native backend
 * an MLP with a Bernoulli decoder trains through the whole-step kernel with the penalty's gradients (fast-paths.ts).
 *
 * @example
 * class DipVae extends CodePenaltyModel<DipVaeConfig> { codeRegularizer(ctx) { return { kl: ctx.klWeight, penalty: ... }; } }
 */
export abstract class CodePenaltyModel<C extends GaussianConfig> extends GaussianModel<C> {
  abstract codeRegularizer(ctx: LossContext): CodeRegularizer;

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { mean, logVar, z, reconstruction, kl } = this.pass(x, ctx);
      const { kl: weight, penalty } = this.codeRegularizer(ctx);
      const parts = [reconstruction];
      // A KL weighted 0 is left out rather than multiplied (an infinite KL would make 0 x Inf = NaN), as the kernel does.
      if (weight.kind !== 'beta' || weight.beta !== 0) parts.push(klPenalty({ kl, weight }));
      const codes = penalty?.({ z, mean, logVar });
      if (codes) parts.push(codes.penalty);
      return { loss: (parts.length === 1 ? tf.clone(reconstruction) : tf.addN(parts)) as Tensor1D, reconstruction, kl: codes?.reported ?? kl };
    }) as LossTerms;
  }
}

type CodeConfig = Extract<ModelConfig, { kind: 'wae-mmd' | 'rae' }>;

/** A deterministic encoder (one code per example) whose code space a regularizer shapes towards the prior. */
export abstract class CodeModel<C extends CodeConfig> extends EncoderDecoder<C> {
  constructor({ config, inputDim, inputShape = [inputDim], rng }: { config: C; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    const encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    const heads = new CodeHead({ inDim: encoder.outDim, latent: config.latent, rng });
    const decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
    super({ config, inputDim, parts: { encoder, heads, decoder } });
  }

  reparameterize({ mean }: Encoded): Tensor2D {
    return tf.clone(mean);
  }

  /** The code of each example (of the corrupted input when denoising) and its reconstruction loss. */
  protected pass(x: Tensor2D, ctx: LossContext): { z: Tensor2D; reconstruction: Tensor1D } {
    const { mean: z } = this.encode(ctx.input ?? x, ctx);
    return { z, reconstruction: reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(z, ctx) }) };
  }
}

/** A batch-level term (a scalar) given to each example of the batch, so that the batch mean of the loss is the paper's. */
export function perExample(value: tf.Scalar, like: Tensor1D): Tensor1D {
  return tf.mul(tf.onesLike(like), value) as Tensor1D;
}
