/** The conditional VAE (Sohn et al. 2015): the encoder reads [x, onehot(y)], the decoder [z, onehot(y)]; loss = -ELBO. */
import { tf, type Rng, type Tensor2D } from '../engine/index.js';
import { elbo, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { Encoded, LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { cvaeConfig } from './cvae.config.js';
import { EncoderDecoder } from './base.js';
import { oneHotLabels } from './cvae-labels.js';
import { buildDecoder, buildEncoder, gaussianReparameterize, priorSample } from './parts.js';
import { PosteriorHeads } from './heads.js';

export type CvaeConfig = Extract<ModelConfig, { kind: 'cvae' }>;

/**
 * A VAE conditioned on a class label. Labels reach it through the forward context (`ctx.labels`, one per row);
 * `sampleClass` draws images of one class, `sample` cycles through the classes (row i has label i mod classes).
 * The encoder and decoder are MLPs: the one-hot label is concatenated to their flat inputs.
 *
 * @example
 * const cvae = new Cvae({ config, inputDim: 784, rng });
 * const terms = cvae.loss(x, { training: true, rng, labels, klWeight: { kind: 'beta', beta: 1 } });
 * const sevens = cvae.sampleClass({ n: 8, label: 7, rng }); // [8, 784]
 */
export class Cvae extends EncoderDecoder<CvaeConfig, Required<Encoded>> {
  override readonly classes: number;

  constructor({ config, inputDim, rng }: { config: CvaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    if (config.encoder.kind === 'conv' || config.decoder.kind === 'conv') {
      throw new UsageError('model.kind cvae: the conditional VAE takes MLP encoders and decoders (the label is concatenated to flat inputs); use an MLP encoder and decoder');
    }
    const k = config.classes;
    const encoder = buildEncoder({ spec: config.encoder, inputShape: [inputDim + k], rng });
    const heads = new PosteriorHeads({ inDim: encoder.outDim, latent: config.latent, variance: config.variance, rng });
    // The decoder's "latent" input is [z, onehot(y)]; its output is the data's likelihood parameters.
    const decoder = buildDecoder({ latent: config.latent + k, spec: config.decoder, inputShape: [inputDim], likelihood: config.likelihood, rng });
    super({ config, inputDim, parts: { encoder, heads, decoder } });
    this.classes = k;
  }

  /** [B, D] -> [B, D + K] (or the code [B, L] -> [B, L + K]): the rows joined with their one-hot labels. */
  protected override condition(t: Tensor2D, labels: Int32Array | undefined): Tensor2D {
    return tf.tidy(() => tf.concat([t, oneHotLabels({ labels, rows: t.shape[0], classes: this.classes })], 1));
  }

  reparameterize(encoded: Encoded, rng: Rng): Tensor2D {
    return gaussianReparameterize(encoded, rng);
  }

  /** n prior draws decoded with labels 0, 1, ..., classes-1, 0, ... (row i has label i mod classes). */
  override sample(n: number, rng: Rng): Tensor2D {
    const labels = Int32Array.from({ length: n }, (_, i) => i % this.classes);
    return tf.tidy(() => this.decode(priorSample(n, this.latentDim, rng), labels));
  }

  /**
   * n prior draws decoded as class `label`: [n, D].
   *
   * @example
   * const sevens = cvae.sampleClass({ n: 10, label: 7, rng });
   */
  sampleClass({ n, label, rng }: { n: number; label: number; rng: Rng }): Tensor2D {
    return tf.tidy(() => this.decode(priorSample(n, this.latentDim, rng), new Int32Array(n).fill(label)));
  }

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      // Denoising training: the encoder sees ctx.input; the loss reconstructs the clean x.
      const { mean, logVar } = this.encode(ctx.input ?? x, ctx);
      const output = this.decoderOutput(this.reparameterize({ mean, logVar }, ctx.rng), ctx);
      return elbo({ likelihood: this.likelihood, x, output, mean, logVar, weight: ctx.klWeight, reconstructionReduction: this.config.reconstructionReduction });
    }) as LossTerms;
  }
}

/** The conditional VAE's registry entry: its config and facts (cvae.config.ts) and its model. */
export const cvaeKind: ModelKindEntry<CvaeConfig> = { ...cvaeConfig, build: (args) => new Cvae(args) };
