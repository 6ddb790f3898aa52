/** The deterministic autoencoder (seeds 001, 004): x -> code -> x, loss = reconstruction only. */
import { tf, type Rng, type Tensor2D } from '../engine/index.js';
import { Dense, type Block, type ForwardContext, type LayerSummary, type NamedVariable } from '../nn/index.js';
import { reconstructionLoss, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Encoded, LossContext, Model, ModelGraph } from './types.js';
import { buildDecoder, buildEncoder, decodeMean, disposeAll, evalContext, priorSample } from './parts.js';

export type AutoencoderConfig = Extract<ModelConfig, { kind: 'autoencoder' }>;

/**
 * An autoencoder. It has no prior, so `sample` decodes N(0, I) draws: what an unregularized code space gives
 * (seed 000's argument for the VAE); `reparameterize` returns the code unchanged.
 *
 * @example
 * const ae = new Autoencoder({ config, inputDim: 784, rng });
 * const xRecon = ae.reconstruct(x);
 */
export class Autoencoder implements Model {
  readonly config: AutoencoderConfig;
  readonly inputDim: number;
  readonly latentDim: number;
  readonly likelihood: AutoencoderConfig['likelihood'];
  private readonly encoder: Block;
  private readonly codeLayer: Dense;
  private readonly decoder: Block;

  constructor({ config, inputDim, inputShape = [inputDim], rng }: { config: AutoencoderConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    this.config = config;
    this.inputDim = inputDim;
    this.latentDim = config.latent;
    this.likelihood = config.likelihood;
    this.encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    this.codeLayer = new Dense({ name: 'encoder.code', inDim: this.encoder.outDim, outDim: config.latent, rng, activation: config.latentActivation });
    this.decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
  }

  encode(x: Tensor2D, ctx: ForwardContext = evalContext()): Encoded {
    return tf.tidy(() => ({ mean: this.codeLayer.apply(this.encoder.apply(x, ctx)) }));
  }

  reparameterize({ mean }: Encoded): Tensor2D {
    return tf.clone(mean);
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
      const { mean } = this.encode(ctx.input ?? x, ctx);
      const reconstruction = reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(mean, ctx) });
      return { loss: reconstruction, reconstruction: tf.clone(reconstruction), kl: tf.zerosLike(reconstruction) };
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
