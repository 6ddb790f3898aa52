/** The VAE with two stochastic layers (Burda et al. 2015's second architecture): p(z2) p(z1|z2) p(x|z1), q(z1|x) q(z2|z1). */
import { tf, type Rng, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { iwaeBound, logLikelihood, logNormalDiag, logStandardNormal, type LossTerms } from '../objectives/index.js';
import { Dense, Mlp, type ForwardContext, type LayerSummary, type NamedVariable } from '../nn/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { hierarchicalVaeConfig } from './hierarchical-vae.config.js';
import { GaussianModel } from './gaussian.js';
import { evalContext, gaussianReparameterize, priorSample } from './parts.js';

export type HierarchicalVaeConfig = Extract<ModelConfig, { kind: 'hierarchical-vae' }>;

/** A Gaussian over one latent layer given another: an MLP, then mean and log-variance heads. */
class ConditionalGaussian {
  readonly mlp: Mlp;
  readonly mean: Dense;
  readonly logVar: Dense;

  constructor({ name, inDim, outDim, spec, rng }: { name: string; inDim: number; outDim: number; spec: HierarchicalVaeConfig['upper']; rng: Rng }) {
    this.mlp = new Mlp({ name, inDim, spec, rng });
    this.mean = new Dense({ name: `${name}.mean`, inDim: this.mlp.outDim, outDim, rng });
    this.logVar = new Dense({ name: `${name}.logVar`, inDim: this.mlp.outDim, outDim, rng });
  }

  apply(z: Tensor2D, ctx: ForwardContext): { mean: Tensor2D; logVar: Tensor2D } {
    return tf.tidy(() => {
      const h = this.mlp.apply(z, ctx);
      return { mean: this.mean.apply(h), logVar: this.logVar.apply(h) };
    });
  }

  variables(): NamedVariable[] {
    return [...this.mlp.variables(), ...this.mean.variables(), ...this.logVar.variables()];
  }

  summary(): LayerSummary[] {
    return [...this.mlp.summary(), ...this.mean.summary(), ...this.logVar.summary()];
  }
}

/** The log-weight terms of draws (z1, z2) ~ q, per row. */
interface Draw {
  logPxz1: Tensor1D; // log p(x|z1)
  logPrior: Tensor1D; // log p(z1|z2) + log p(z2)
  logQ: Tensor1D; // log q(z1|x) + log q(z2|z1)
}

/**
 * The encoder, heads and decoder of the Gaussian base are q(z1|x) and p(x|z1); `inference` is q(z2|z1) and
 * `generative` p(z1|z2), MLPs of `upper`'s layers with Gaussian heads. The loss is the negative ELBO (`samples` 1) or
 * IWAE bound (`samples` k) with log w = log p(x|z1) + log p(z1|z2) + log p(z2) - log q(z1|x) - log q(z2|z1), z1 and
 * z2 drawn in turn; `reconstruction` is -log p(x|z1) and `kl` the sampled log q - log p of both layers (averaged over
 * the k draws). encode and reconstruct work on z1; `sample` draws z2, then z1 from p(z1|z2).
 *
 * @example
 * const m = new HierarchicalVae({ config, inputDim: 784, rng }); // latent 100, latent2 50
 */
export class HierarchicalVae extends GaussianModel<HierarchicalVaeConfig> {
  readonly inference: ConditionalGaussian;
  readonly generative: ConditionalGaussian;

  constructor(args: { config: HierarchicalVaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    super(args);
    const { config, rng } = args;
    this.inference = new ConditionalGaussian({ name: 'upper.q', inDim: config.latent, outDim: config.latent2, spec: config.upper, rng });
    this.generative = new ConditionalGaussian({ name: 'upper.p', inDim: config.latent2, outDim: config.latent, spec: config.upper, rng });
    // The native fast paths recognize the second layer from the parts, as they do the first.
    this.parts.upper = { inference: this.inference, generative: this.generative };
  }

  /** k draws per example (draw s of example i in row s * B + i): z1 ~ q(z1|x), then z2 ~ q(z2|z1), and their log-densities. */
  private draw(x: Tensor2D, ctx: ForwardContext, k: number, input: Tensor2D = x): Draw {
    return tf.tidy(() => {
      const q1 = this.encode(input, ctx);
      const [mean1, logVar1] = [tf.tile(q1.mean, [k, 1]), tf.tile(q1.logVar, [k, 1])] as Tensor2D[]; // [k*B, L1]
      const z1 = gaussianReparameterize({ mean: mean1, logVar: logVar1 }, ctx.rng); // [k*B, L1]
      const q2 = this.inference.apply(z1, ctx); // [k*B, L2]
      const z2 = gaussianReparameterize(q2, ctx.rng); // [k*B, L2]
      const p1 = this.generative.apply(z2, ctx); // [k*B, L1]
      const xK = k === 1 ? x : (tf.tile(x, [k, 1]) as Tensor2D); // [k*B, D]
      return {
        logPxz1: logLikelihood({ likelihood: this.likelihood, x: xK, output: this.decoderOutput(z1, ctx) }),
        logPrior: tf.add(logNormalDiag({ z: z1, ...p1 }), logStandardNormal({ z: z2 })) as Tensor1D,
        logQ: tf.add(logNormalDiag({ z: z1, mean: mean1, logVar: logVar1 }), logNormalDiag({ z: z2, ...q2 })) as Tensor1D,
      };
    }) as Draw;
  }

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const b = x.shape[0];
      const k = this.config.samples;
      const { logPxz1, logPrior, logQ } = this.draw(x, ctx, k, ctx.input ?? x);
      const logW = tf.reshape(tf.sub(tf.add(logPxz1, logPrior), logQ), [k, b]) as Tensor2D; // [k, B]
      const perExample = (t: Tensor1D) => tf.mean(tf.reshape(t, [k, b]), 0) as Tensor1D; // [k*B] -> [B]
      return { loss: tf.neg(iwaeBound({ logWeights: logW })) as Tensor1D, reconstruction: perExample(tf.neg(logPxz1)), kl: perExample(tf.sub(logQ, logPrior)) };
    }) as LossTerms;
  }

  encodeUpper(z1: Tensor2D): { mean: Tensor2D; logVar: Tensor2D } {
    return this.inference.apply(z1, evalContext());
  }

  override sample(n: number, rng: Rng): Tensor2D {
    return tf.tidy(() => {
      const z2 = priorSample(n, this.config.latent2, rng); // [n, L2]
      return this.decode(gaussianReparameterize(this.generative.apply(z2, evalContext()), rng)); // [n, D]
    });
  }

  logWeights(x: Tensor2D, k: number, rng: Rng): Tensor2D {
    return tf.tidy(() => {
      const { logPxz1, logPrior, logQ } = this.draw(x, { ...evalContext(), rng }, k);
      return tf.reshape(tf.sub(tf.add(logPxz1, logPrior), logQ), [k, x.shape[0]]) as Tensor2D; // [k, B]
    });
  }

  override variables(): NamedVariable[] {
    return [...super.variables(), ...this.inference.variables(), ...this.generative.variables()];
  }

  override summary(): LayerSummary[] {
    return [...super.summary(), ...this.inference.summary(), ...this.generative.summary()];
  }
}

/** The hierarchical-vae kind's registry entry: its config and facts (hierarchical-vae.config.ts) and its model. */
export const hierarchicalVaeKind: ModelKindEntry<HierarchicalVaeConfig> = { ...hierarchicalVaeConfig, build: (args) => new HierarchicalVae(args) };
