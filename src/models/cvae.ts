/** The conditional VAE (Sohn et al. 2015): the encoder reads [x, onehot(y)], the decoder [z, onehot(y)]; loss = -ELBO. */
import { tf, type Rng, type Tensor2D } from '../engine/index.js';
import { type Block, type ForwardContext, type LayerSummary, type NamedVariable } from '../nn/index.js';
import { elbo, likelihoodMean, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { Encoded, LossContext, Model, ModelGraph } from './types.js';
import { PosteriorHeads, buildDecoder, buildEncoder, disposeAll, evalContext, priorSample } from './parts.js';

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
export class Cvae implements Model {
  readonly config: CvaeConfig;
  readonly inputDim: number;
  readonly latentDim: number;
  readonly classes: number;
  readonly likelihood: CvaeConfig['likelihood'];
  private readonly encoder: Block;
  private readonly heads: PosteriorHeads;
  private readonly decoder: Block;

  constructor({ config, inputDim, rng }: { config: CvaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    if (config.encoder.kind === 'conv' || config.decoder.kind === 'conv') {
      throw new UsageError('model.kind cvae: the conditional VAE takes MLP encoders and decoders (the label is concatenated to flat inputs); use an MLP encoder and decoder');
    }
    this.config = config;
    this.inputDim = inputDim;
    this.latentDim = config.latent;
    this.classes = config.classes;
    this.likelihood = config.likelihood;
    const k = config.classes;
    this.encoder = buildEncoder({ spec: config.encoder, inputShape: [inputDim + k], rng });
    this.heads = new PosteriorHeads({ inDim: this.encoder.outDim, latent: config.latent, variance: config.variance, rng });
    // The decoder's "latent" input is [z, onehot(y)]; its output is the data's likelihood parameters.
    this.decoder = buildDecoder({ latent: config.latent + k, spec: config.decoder, inputShape: [inputDim], likelihood: config.likelihood, rng });
  }

  /** One-hot rows [B, K] for the batch's labels; `rows` checks they match the batch. */
  private oneHot(labels: Int32Array | undefined, rows: number): Tensor2D {
    if (!labels) throw new UsageError('a conditional VAE needs the class labels of its inputs (a labelled dataset, or --label)');
    if (labels.length !== rows) throw new UsageError(`cvae: ${labels.length} labels for ${rows} rows`);
    for (const y of labels) {
      if (!Number.isInteger(y) || y < 0 || y >= this.classes) throw new UsageError(`cvae: label ${y} is outside 0..${this.classes - 1} (model.classes ${this.classes})`);
    }
    return tf.oneHot(tf.tensor1d(labels, 'int32'), this.classes).toFloat() as Tensor2D;
  }

  encode(x: Tensor2D, ctx: ForwardContext = evalContext()): Required<Encoded> {
    return tf.tidy(() => {
      const h = this.encoder.apply(tf.concat([x, this.oneHot(ctx.labels, x.shape[0])], 1), ctx); // [B, D + K] -> [B, H]
      return this.heads.apply(h);
    });
  }

  reparameterize({ mean, logVar }: Encoded, rng: Rng): Tensor2D {
    if (!logVar) throw new Error('reparameterize needs logVar');
    return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.tensor2d(rng.normalArray(mean.size), mean.shape))));
  }

  decoderOutput(z: Tensor2D, ctx: ForwardContext = evalContext()): Tensor2D {
    return tf.tidy(() => this.decoder.apply(tf.concat([z, this.oneHot(ctx.labels, z.shape[0])], 1), ctx)); // [B, L + K] -> [B, D']
  }

  /** The decoded mean [B, D] of codes z given their labels (required). */
  decode(z: Tensor2D, labels?: Int32Array): Tensor2D {
    return tf.tidy(() => likelihoodMean(this.likelihood, this.decoderOutput(z, { ...evalContext(), labels })));
  }

  /** n prior draws decoded with labels 0, 1, ..., classes-1, 0, ... (row i has label i mod classes). */
  sample(n: number, rng: Rng): Tensor2D {
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

  /** decode(encode(x, y).mean, y); the labels are required. */
  reconstruct(x: Tensor2D, labels?: Int32Array): Tensor2D {
    return tf.tidy(() => this.decode(this.encode(x, { ...evalContext(), labels }).mean, labels));
  }

  loss(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      // Denoising training: the encoder sees ctx.input; the loss reconstructs the clean x.
      const { mean, logVar } = this.encode(ctx.input ?? x, ctx);
      const z = this.reparameterize({ mean, logVar }, ctx.rng);
      const output = this.decoderOutput(z, ctx);
      return elbo({
        likelihood: this.likelihood,
        x,
        output,
        mean,
        logVar,
        weight: ctx.klWeight,
        reconstructionReduction: this.config.reconstructionReduction,
      });
    }) as LossTerms;
  }

  variables(): NamedVariable[] {
    return [...this.encoder.variables(), ...this.heads.variables(), ...this.decoder.variables()];
  }

  summary(): LayerSummary[] {
    return [...this.encoder.summary(), ...this.heads.summary(), ...this.decoder.summary()];
  }

  /** The graph's encoder reads [x, onehot(y)] ([B, D + K]) and its decoder [z, onehot(y)] ([B, L + K]). */
  graph(): ModelGraph {
    return { encoder: this.encoder.graph(), heads: this.heads.graph(), decoder: this.decoder.graph() };
  }

  dispose(): void {
    disposeAll(this.variables());
  }
}

/**
 * Checks a class label chosen for decoding (`--label k`): a conditional model takes one in 0..classes-1; any other
 * model takes none. Returns the label.
 *
 * @example
 * checkLabel(model, flags.label); // throws `--label 12: expected a class in 0..9` for a 10-class CVAE
 */
export function checkLabel(model: Model, label: number | undefined, flag = '--label'): number | undefined {
  if (label === undefined) return undefined;
  if (model.classes === undefined) throw new UsageError(`${flag} ${label}: only a conditional VAE (model.kind cvae) decodes a given class; this model is a ${model.config.kind}`);
  if (!Number.isInteger(label) || label < 0 || label >= model.classes) throw new UsageError(`${flag} ${label}: out of range; expected a class in 0..${model.classes - 1} (the model has ${model.classes} classes)`);
  return label;
}

/**
 * The labels a conditional model is given for `n` examples: `label` for every one when it is given (checked with
 * {@link checkLabel}), otherwise the first n of the examples' own `labels`; undefined for an unconditional model. A
 * UsageError says when a conditional model's examples have no labels (`what` names the examples).
 *
 * @example
 * const y = labelsFor({ model, labels: dataset.test.labels, n: 100, what: "the test split of 'mnist'" }); // [100] for a CVAE
 */
export function labelsFor({ model, labels, n, what, label }: { model: Model; labels: Int32Array | undefined; n: number; what: string; label?: number }): Int32Array | undefined {
  if (checkLabel(model, label) !== undefined) return new Int32Array(n).fill(label!);
  if (model.classes === undefined) return undefined;
  if (!labels) throw new UsageError(`${what} has no labels, and a conditional VAE encodes each example with its class label (give --label k to use class k for every example)`);
  if (labels.length < n) throw new UsageError(`${what}: ${labels.length} labels for ${n} examples`);
  const out = labels.subarray(0, n);
  const bad = out.findIndex((y) => y < 0 || y >= model.classes!);
  if (bad >= 0) throw new UsageError(`${what}: example ${bad} has label ${out[bad]}, outside the model's classes 0..${model.classes - 1}`);
  return out;
}
