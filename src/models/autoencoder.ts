/** The deterministic autoencoder (seeds 001, 004): x -> code -> x, loss = reconstruction only. */
import { tf, type Rng, type Tensor2D } from '../engine/index.js';
import { reconstructionLoss, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Encoded, LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { autoencoderConfig } from './autoencoder.config.js';
import { EncoderDecoder } from './base.js';
import { buildDecoder, buildEncoder } from './parts.js';
import { CodeHead } from './heads.js';

export type AutoencoderConfig = Extract<ModelConfig, { kind: 'autoencoder' }>;

/**
 * An autoencoder. It has no prior, so `sample` decodes N(0, I) draws: what an unregularized code space gives
 * (seed 000's argument for the VAE); `reparameterize` returns the code unchanged.
 *
 * @example
 * const ae = new Autoencoder({ config, inputDim: 784, rng });
 * const xRecon = ae.reconstruct(x);
 */
export class Autoencoder extends EncoderDecoder<AutoencoderConfig> {
  constructor({ config, inputDim, inputShape = [inputDim], rng }: { config: AutoencoderConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    const encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    const heads = new CodeHead({ inDim: encoder.outDim, latent: config.latent, rng, activation: config.latentActivation });
    const decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
    super({ config, inputDim, parts: { encoder, heads, decoder } });
  }

  reparameterize({ mean }: Encoded): Tensor2D {
    return tf.clone(mean);
  }

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { mean } = this.encode(ctx.input ?? x, ctx);
      const reconstruction = reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(mean, ctx) });
      return { loss: reconstruction, reconstruction: tf.clone(reconstruction), kl: tf.zerosLike(reconstruction) };
    }) as LossTerms;
  }
}

/** The autoencoder's registry entry: its config and facts (autoencoder.config.ts) and its model. */
export const autoencoderKind: ModelKindEntry<AutoencoderConfig> = { ...autoencoderConfig, build: (args) => new Autoencoder(args) };
