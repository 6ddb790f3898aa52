/** The encoder-decoder every model kind extends: the shared vocabulary (encode, decode, sample, reconstruct, variables, summary, graph, dispose) written once. */
import { tf, type Rng, type Tensor2D } from '../engine/index.js';
import type { Block, ForwardContext, LayerSummary, NamedVariable } from '../nn/index.js';
import type { LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Encoded, Heads, LossContext, Model, ModelGraph, ModelParts } from './types.js';
import { decodeMean, disposeAll, evalContext, priorSample } from './parts.js';
import { fastEvalTerms, fastReconstruct } from './fast-paths.js';

/**
 * A model made of an encoder trunk, heads and a decoder; `E` is what its heads give (the code, or mean and logVar).
 * A kind supplies its parts, `reparameterize` and `terms` (its per-example loss); a conditional kind also `condition`,
 * which joins the labels to the encoder's and decoder's inputs. Where the native backend runs an architecture as one
 * kernel (fast-paths.ts), `reconstruct` and the evaluation `loss` go through it; the numbers are the same either way.
 *
 * @example
 * class Ae extends EncoderDecoder<AutoencoderConfig> { ... } // see autoencoder.ts
 */
export abstract class EncoderDecoder<C extends ModelConfig = ModelConfig, E extends Encoded = Encoded> implements Model {
  readonly config: C;
  readonly inputDim: number;
  readonly latentDim: number;
  readonly likelihood: C['likelihood'];
  readonly classes?: number;
  readonly parts: ModelParts<E>;

  constructor({ config, inputDim, parts }: { config: C; inputDim: number; parts: ModelParts<E> }) {
    this.config = config;
    this.inputDim = inputDim;
    this.latentDim = config.latent;
    this.likelihood = config.likelihood;
    this.parts = parts;
  }

  protected get encoder(): Block {
    return this.parts.encoder;
  }

  protected get heads(): Heads<E> {
    return this.parts.heads;
  }

  protected get decoder(): Block {
    return this.parts.decoder;
  }

  /** Draws z from the encoder's distribution (the code itself for an autoencoder). */
  abstract reparameterize(encoded: Encoded, rng: Rng): Tensor2D;

  /** The kind's per-example loss and its terms, in tf ops. */
  protected abstract terms(x: Tensor2D, ctx: LossContext): LossTerms;

  /** A conditional kind's input joined with its rows' labels ([B, D] -> [B, D + K]); the input itself otherwise. */
  protected condition(t: Tensor2D, _labels: Int32Array | undefined): Tensor2D {
    return t;
  }

  encode(x: Tensor2D, ctx: ForwardContext = evalContext()): E {
    return tf.tidy(() => this.heads.apply(this.encoder.apply(this.condition(x, ctx.labels), ctx)));
  }

  decoderOutput(z: Tensor2D, ctx: ForwardContext = evalContext()): Tensor2D {
    return tf.tidy(() => this.decoder.apply(this.condition(z, ctx.labels), ctx)); // [B, L] -> [B, D']
  }

  decode(z: Tensor2D, labels?: Int32Array): Tensor2D {
    return tf.tidy(() => decodeMean(this.decoder, this.likelihood, this.condition(z, labels)));
  }

  sample(n: number, rng: Rng): Tensor2D {
    return tf.tidy(() => this.decode(priorSample(n, this.latentDim, rng)));
  }

  reconstruct(x: Tensor2D, labels?: Int32Array): Tensor2D {
    return fastReconstruct(this, x) ?? tf.tidy(() => this.decode(this.encode(x, { ...evalContext(), labels }).mean, labels));
  }

  loss(x: Tensor2D, ctx: LossContext): LossTerms {
    return fastEvalTerms(this, x, ctx) ?? this.terms(x, ctx);
  }

  variables(): NamedVariable[] {
    return [...this.encoder.variables(), ...this.heads.variables(), ...this.decoder.variables()];
  }

  summary(): LayerSummary[] {
    return [...this.encoder.summary(), ...this.heads.summary(), ...this.decoder.summary()];
  }

  /** A conditional model's graph: the encoder reads [x, onehot(y)] ([B, D + K]) and the decoder [z, onehot(y)] ([B, L + K]). */
  graph(): ModelGraph {
    return { encoder: this.encoder.graph(), heads: this.heads.graph(), decoder: this.decoder.graph() };
  }

  dispose(): void {
    disposeAll(this.variables());
  }
}
