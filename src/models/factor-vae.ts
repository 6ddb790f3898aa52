/** FactorVAE (Kim & Mnih 2018): a VAE plus gamma times the total correlation of q(z), estimated by a discriminator that tells codes from codes permuted per dimension. */
import { tf, type Rng, type Scalar, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { Dense, Mlp, type NamedVariable } from '../nn/index.js';
import { densityRatioTc, discriminatorLoss, permuteDims } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Auxiliary, CodeRegularizer, LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { factorVaeConfig } from './factor-vae.config.js';
import { CodePenaltyModel } from './gaussian.js';
import { disposeAll, evalContext } from './parts.js';

export type FactorVaeConfig = Extract<ModelConfig, { kind: 'factor-vae' }>;

/**
 * The discriminator D: an MLP from z [B, L] to one logit per code [B], D(z) = sigmoid(logit) the probability that z
 * was drawn from q(z) rather than from the product of its marginals. One logit is the paper's two-way softmax with
 * the logits' difference.
 */
export class Discriminator implements Auxiliary {
  readonly mlp: Mlp;
  readonly out: Dense;
  readonly optimizer: { lr: number; beta1: number; beta2: number };

  constructor({ latent, spec, rng, encode }: { latent: number; spec: FactorVaeConfig['discriminator']; rng: Rng; encode: (x: Tensor2D, ctx: LossContext) => Tensor2D }) {
    this.mlp = new Mlp({ name: 'discriminator', inDim: latent, spec: { hidden: spec.hidden, activation: spec.activation, batchNorm: 'none', dropout: 0 }, rng });
    this.out = new Dense({ name: 'discriminator.out', inDim: this.mlp.outDim, outDim: 1, rng });
    this.optimizer = { lr: spec.lr, beta1: spec.beta1, beta2: spec.beta2 };
    this.sampleCodes = encode;
  }

  /** Draws z ~ q(z|x) for the discriminator's step, from the model it is attached to. */
  private readonly sampleCodes: (x: Tensor2D, ctx: LossContext) => Tensor2D;

  /** The logit of D(z) per code: [B, L] -> [B]. */
  logits(z: Tensor2D): Tensor1D {
    return tf.tidy(() => tf.reshape(this.out.apply(this.mlp.apply(z, evalContext())), [-1]) as Tensor1D); // [B, 1] -> [B]
  }

  /**
   * The discriminator's step on a batch: codes z ~ q(z|x) drawn afresh from the (just updated) encoder, and the same
   * codes with each dimension permuted across the batch; the batch mean of its cross-entropy. The encoder's
   * variables are read, not trained (the step's gradient is taken with respect to the discriminator's alone).
   */
  loss(x: Tensor2D, ctx: LossContext): Scalar {
    return tf.tidy(() => {
      const z = this.sampleCodes(x, ctx); // [B, L]
      const [b, l] = z.shape;
      const permutations = Array.from({ length: l }, () => ctx.rng.permutation(b));
      return tf.mean(discriminatorLoss({ logitsJoint: this.logits(z), logitsPermuted: this.logits(permuteDims({ z, permutations })) })) as Scalar;
    });
  }

  variables(): NamedVariable[] {
    return [...this.mlp.variables(), ...this.out.variables()];
  }

  dispose(): void {
    disposeAll(this.variables());
  }
}

/**
 * loss = reconstruction + beta KL + gamma TC, the TC of each code estimated by the discriminator's logit
 * log(D(z) / (1 - D(z))) (the density-ratio trick), in training. The discriminator is an auxiliary part: the trainer
 * steps it by its own Adam after each VAE step on the same batch, checkpoints keep it, the saved model does not. In
 * evaluation (the test loss, `vaekit eval`) there is no trained discriminator to ask, so the loss is the VAE's,
 * reconstruction + beta KL; `kl` reports the KL in both.
 *
 * @example
 * const m = new FactorVae({ config, inputDim: 4096, rng }); // m.auxiliary is the discriminator
 */
export class FactorVae extends CodePenaltyModel<FactorVaeConfig> {
  readonly auxiliary: Discriminator;

  constructor(args: { config: FactorVaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    super(args);
    const encode = (x: Tensor2D, ctx: LossContext) => this.reparameterize(this.encode(ctx.input ?? x, { ...ctx, updates: undefined }), ctx.rng);
    this.auxiliary = new Discriminator({ latent: this.latentDim, spec: args.config.discriminator, rng: args.rng, encode });
  }

  codeRegularizer(ctx: LossContext): CodeRegularizer {
    const gamma = this.config.gamma;
    const penalty = ({ z }: { z: Tensor2D }) => tf.tidy(() => ({ penalty: tf.mul(densityRatioTc({ logits: this.auxiliary.logits(z) }), gamma) as Tensor1D }));
    return { kl: ctx.klWeight, ...(ctx.training && { penalty }) };
  }

  override dispose(): void {
    super.dispose();
    this.auxiliary.dispose();
  }
}

/** The factor-vae kind's registry entry: its config and facts (factor-vae.config.ts) and its model. */
export const factorVaeKind: ModelKindEntry<FactorVaeConfig> = { ...factorVaeConfig, build: (args) => new FactorVae(args) };
