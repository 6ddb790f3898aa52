/** Seed 000's "poor man's VAE": z = code + N(0, 1) noise, loss = reconstruction + beta * an anchor pulling codes to 0. */
import { tf, type Rng, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { Dense, type Block, type ForwardContext, type LayerSummary, type NamedVariable } from '../nn/index.js';
import { klPenalty, reconstructionLoss, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Encoded, LossContext, Model, ModelGraph } from './types.js';
import { buildDecoder, buildEncoder, decodeMean, disposeAll, evalContext, priorSample } from './parts.js';

export type PoorManVaeConfig = Extract<ModelConfig, { kind: 'poor-man-vae' }>;

/**
 * Seed 000's anchor term. `batch`: the seed's `z.pow(2).sum().sqrt()`, one norm over the whole batch, returned spread
 * evenly over the B examples (each gets norm / B) so the batch mean equals the seed's batch loss divided by B, as every
 * other term here is a mean. `per-example`: ||z_i|| for each example.
 *
 * @example
 * const anchor = anchorTerm({ z, kind: 'batch' }); // [B], every entry ||z||_F / B
 */
export function anchorTerm({ z, kind }: { z: Tensor2D; kind: 'batch' | 'per-example' }): Tensor1D {
  return tf.tidy(() => {
    if (kind === 'per-example') return tf.sqrt(tf.sum(tf.square(z), 1)) as Tensor1D;
    const b = z.shape[0];
    const norm = tf.sqrt(tf.sum(tf.square(z))); // scalar over the whole batch
    return tf.mul(tf.ones([b]), tf.div(norm, b)) as Tensor1D;
  });
}

/**
 * The poor man's VAE: an autoencoder whose code gets fixed N(0, noise^2) noise, and an anchor term in place of the KL.
 *
 * @example
 * const m = new PoorManVae({ config, inputDim: 784, rng });
 * const { loss, reconstruction, kl } = m.loss(x, { training: true, rng, klWeight }); // kl holds the anchor term
 */
export class PoorManVae implements Model {
  readonly config: PoorManVaeConfig;
  readonly inputDim: number;
  readonly latentDim: number;
  readonly likelihood: PoorManVaeConfig['likelihood'];
  private readonly encoder: Block;
  private readonly codeLayer: Dense;
  private readonly decoder: Block;

  constructor({ config, inputDim, inputShape = [inputDim], rng }: { config: PoorManVaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    this.config = config;
    this.inputDim = inputDim;
    this.latentDim = config.latent;
    this.likelihood = config.likelihood;
    this.encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    this.codeLayer = new Dense({ name: 'encoder.code', inDim: this.encoder.outDim, outDim: config.latent, rng });
    this.decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
  }

  encode(x: Tensor2D, ctx: ForwardContext = evalContext()): Encoded {
    return tf.tidy(() => ({ mean: this.codeLayer.apply(this.encoder.apply(x, ctx)) }));
  }

  /** z = code + noise * eps, eps ~ N(0, I) (seed 000's add_disturbance). */
  reparameterize({ mean }: Encoded, rng: Rng): Tensor2D {
    return tf.tidy(() => tf.add(mean, tf.mul(tf.tensor2d(rng.normalArray(mean.size), mean.shape), this.config.noise)));
  }

  decoderOutput(z: Tensor2D, ctx: ForwardContext = evalContext()): Tensor2D {
    return this.decoder.apply(z, ctx);
  }

  decode(z: Tensor2D): Tensor2D {
    return decodeMean(this.decoder, this.likelihood, z);
  }

  sample(n: number, rng: Rng): Tensor2D {
    return tf.tidy(() => this.decode(priorSample(n, this.latentDim, rng)));
  }

  reconstruct(x: Tensor2D): Tensor2D {
    return tf.tidy(() => this.decode(this.encode(x).mean));
  }

  loss(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      // The seed anchors the noisy z, not the code: the anchor sees the same z the decoder does.
      const z = this.reparameterize(this.encode(ctx.input ?? x, ctx), ctx.rng);
      const reconstruction = reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(z, ctx) });
      const kl = anchorTerm({ z, kind: this.config.anchor });
      return { loss: tf.add(reconstruction, klPenalty({ kl, weight: ctx.klWeight })) as Tensor1D, reconstruction, kl };
    }) as LossTerms;
  }

  variables(): NamedVariable[] {
    return [...this.encoder.variables(), ...this.codeLayer.variables(), ...this.decoder.variables()];
  }

  summary(): LayerSummary[] {
    return [...this.encoder.summary(), ...this.codeLayer.summary(), ...this.decoder.summary()];
  }

  graph(): ModelGraph {
    return { encoder: this.encoder.graph(), heads: { mean: this.codeLayer.graph() }, decoder: this.decoder.graph() };
  }

  dispose(): void {
    disposeAll(this.variables());
  }
}
