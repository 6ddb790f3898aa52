/** Seed 000's "poor man's VAE": z = code + N(0, 1) noise, loss = reconstruction + beta * an anchor pulling codes to 0. */
import { tf, type Rng, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { klPenalty, reconstructionLoss, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Encoded, LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { poorManVaeConfig } from './poor-man-vae.config.js';
import { EncoderDecoder } from './base.js';
import { buildDecoder, buildEncoder } from './parts.js';
import { CodeHead } from './heads.js';

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
export class PoorManVae extends EncoderDecoder<PoorManVaeConfig> {
  constructor({ config, inputDim, inputShape = [inputDim], rng }: { config: PoorManVaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    const encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    const heads = new CodeHead({ inDim: encoder.outDim, latent: config.latent, rng });
    const decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
    super({ config, inputDim, parts: { encoder, heads, decoder } });
  }

  /** z = code + noise * eps, eps ~ N(0, I) (seed 000's add_disturbance). */
  reparameterize({ mean }: Encoded, rng: Rng): Tensor2D {
    return tf.tidy(() => tf.add(mean, tf.mul(tf.tensor2d(rng.normalArray(mean.size), mean.shape), this.config.noise)));
  }

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      // The seed anchors the noisy z, not the code: the anchor sees the same z the decoder does.
      const z = this.reparameterize(this.encode(ctx.input ?? x, ctx), ctx.rng);
      const reconstruction = reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(z, ctx) });
      const kl = anchorTerm({ z, kind: this.config.anchor });
      return { loss: tf.add(reconstruction, klPenalty({ kl, weight: ctx.klWeight })) as Tensor1D, reconstruction, kl };
    }) as LossTerms;
  }
}

/** The poor man's VAE's registry entry: its config and facts (poor-man-vae.config.ts) and its model. */
export const poorManVaeKind: ModelKindEntry<PoorManVaeConfig> = { ...poorManVaeConfig, build: (args) => new PoorManVae(args) };
