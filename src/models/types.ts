/** The vocabulary every model shares: encode, reparameterize, decode, sample, reconstruct, loss. */
import type { Rng, Scalar, Tensor1D, Tensor2D } from '../engine/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Block, Dense, ForwardContext, GraphOp, LayerSummary, NamedVariable } from '../nn/index.js';
import type { KlWeight, Likelihood, LossTerms } from '../objectives/index.js';

/** The encoder's output: the code (AE, poor man's VAE) or the posterior's mean and log-variance (VAE). */
export type Encoded = {
  mean: Tensor2D; // [B, L]
  logVar?: Tensor2D; // [B, L]
};

/** A training or evaluation pass's context: the forward context and the KL (or anchor) weight the trainer chose. */
export interface LossContext extends ForwardContext {
  /** The epoch's weight from src/train/beta-schedule.ts, the one place it is decided; models never default it. */
  klWeight: KlWeight;
}

/** The codes of one training pass of a Gaussian-posterior model, [B, L] each: the draw z and q(z|x)'s parameters. */
export interface Codes {
  z: Tensor2D;
  mean: Tensor2D;
  logVar: Tensor2D;
}

/**
 * A kind's latent regularizer as a function of the codes: loss = reconstruction + klPenalty(KL, `kl`) + penalty(codes)
 * per example. The kind's own tf-ops loss is built from it, and so is the native whole step (src/models/fast-paths.ts),
 * which takes the penalty's gradients at the codes from tf and runs the rest in one kernel.
 */
export interface CodeRegularizer {
  /** The analytic KL's weight; `{ kind: 'beta', beta: 0 }` when the penalty is the whole regularizer (beta-TCVAE). */
  kl: KlWeight;
  /**
   * The penalty [B] on a batch's codes (a batch-level term given to each example) and, when the kind reports
   * something else than the KL as its third term (beta-TCVAE's TC), that [B]; absent: no penalty on this pass.
   */
  penalty?: (codes: Codes) => { penalty: Tensor1D; reported?: Tensor1D };
}

/** The inference graph of a model, for the model format: encoder trunk, posterior heads, decoder. */
export interface ModelGraph {
  encoder: GraphOp[];
  heads: { mean: GraphOp[]; logVar?: GraphOp[] };
  decoder: GraphOp[];
}

/** The layers between the encoder trunk and the code: a code layer (AE) or the posterior's mean and variance heads. */
export interface Heads<E extends Encoded = Encoded> {
  apply(h: Tensor2D): E; // [B, H] -> [B, L] each
  variables(): NamedVariable[];
  summary(): LayerSummary[];
  graph(): ModelGraph['heads'];
}

/** A Gaussian over one latent layer given another: an MLP, then linear mean and log-variance heads. */
export interface ConditionalGaussianParts {
  mlp: Block;
  mean: Dense;
  logVar: Dense;
}

/** A model's three parts; the native fast paths (fast-paths.ts) read them to recognize an architecture they run. */
export interface ModelParts<E extends Encoded = Encoded> {
  encoder: Block;
  heads: Heads<E>;
  decoder: Block;
  /** A second stochastic layer's q(z2|z1) and p(z1|z2) (the hierarchical VAE). */
  upper?: { inference: ConditionalGaussianParts; generative: ConditionalGaussianParts };
}

/**
 * An autoencoder-family model over flattened inputs [B, D].
 * Methods without a context run in evaluation mode (running BatchNorm statistics, no dropout).
 */
export interface Model {
  readonly config: ModelConfig;
  readonly inputDim: number;
  readonly latentDim: number;
  readonly likelihood: Likelihood;
  /**
   * A conditional model's number of classes: its encode, decode and reconstruct need one label in 0..classes-1 per
   * row (`ctx.labels`, or the `labels` argument). Undefined for unconditional models, which ignore labels.
   */
  readonly classes?: number;
  /** The encoder trunk, heads and decoder. */
  readonly parts: ModelParts;
  /** [B, D] -> the code or posterior parameters; a conditional model reads the rows' labels from `ctx.labels`. */
  encode(x: Tensor2D, ctx?: ForwardContext): Encoded;
  /** Draws z from the encoder's distribution (the code itself for an autoencoder). */
  reparameterize(encoded: Encoded, rng: Rng): Tensor2D;
  /** [B, L] -> the decoder's raw output: logits (Bernoulli) or distribution parameters. */
  decoderOutput(z: Tensor2D, ctx?: ForwardContext): Tensor2D;
  /** [B, L] -> the decoded mean in data space [B, D]; `labels` [B] for a conditional model. */
  decode(z: Tensor2D, labels?: Int32Array): Tensor2D;
  /** n draws from the prior N(0, I), decoded to data space [n, D]. */
  sample(n: number, rng: Rng): Tensor2D;
  /** decode(encode(x).mean): the deterministic reconstruction [B, D]; `labels` [B] for a conditional model. */
  reconstruct(x: Tensor2D, labels?: Int32Array): Tensor2D;
  /** Per-example training loss and its terms on one batch. */
  loss(x: Tensor2D, ctx: LossContext): LossTerms;
  /**
   * log w = log p(x, z) - log q(z|x) of `k` draws from q(z|x) per example, [k, B] (draw s of example i at [s, i]), in
   * evaluation mode: given by a kind whose prior or posterior is not the N(0, I) prior and diagonal Gaussian q that the
   * NLL estimator assumes otherwise (the VampPrior's mixture prior, a flow's log-determinant).
   */
  logWeights?(x: Tensor2D, k: number, rng: Rng): Tensor2D;
  /**
   * A second stochastic layer's posterior q(z2|z1): draws z1 [B, L1] -> z2's mean and log-variance [B, L2], in
   * evaluation mode (the hierarchical VAE); absent for one-layer kinds.
   */
  encodeUpper?(z1: Tensor2D): { mean: Tensor2D; logVar: Tensor2D };
  /**
   * A kind's own data-dependent initialization, called once on a fresh run with the training examples ([n, D]
   * row-major; undefined when they are streamed, not in memory): the VampPrior's pseudo-inputs from examples.
   */
  initFromData?(x: Float32Array | undefined, rng: Rng): void;
  variables(): NamedVariable[];
  summary(): LayerSummary[];
  graph(): ModelGraph;
  dispose(): void;
  /**
   * A Gaussian-posterior kind whose loss is reconstruction + a weighted KL + a penalty on the codes gives that
   * regularizer here (beta-TCVAE, FactorVAE, DIP-VAE); absent for the other kinds.
   */
  codeRegularizer?(ctx: LossContext): CodeRegularizer;
  /** A part trained beside the model by its own optimizer (FactorVAE's discriminator); absent for most kinds. */
  readonly auxiliary?: Auxiliary;
}

/**
 * A network trained beside a model, by its own Adam, after each of the model's steps on the same batch; it is kept in
 * checkpoints (weights and Adam state, so a resumed run continues exactly) but is no part of the saved model, whose
 * evaluation never reads it.
 */
export interface Auxiliary {
  /** The auxiliary network's variables; its Adam updates the trainable ones. */
  variables(): NamedVariable[];
  /** Its Adam's settings (lr, beta1, beta2); epsilon is the run's. */
  readonly optimizer: { lr: number; beta1: number; beta2: number };
  /** The batch-mean loss its gradient trains; the model's own variables are read, never updated by it. */
  loss(x: Tensor2D, ctx: LossContext): Scalar;
  dispose(): void;
}

/**
 * A model whose code is a grid of discrete codebook entries (VQ-VAE): each example's code is `codesPerExample`
 * indices into a codebook of `codebookSize` vectors.
 */
export interface DiscreteCodes {
  readonly codebookSize: number;
  readonly codesPerExample: number;
  /** The nearest codebook entry of each code vector of x [B, D]: [B * codesPerExample] indices, example-major. */
  codeIndices(x: Tensor2D, ctx?: ForwardContext): Int32Array;
  /** Decodes n examples given by their code indices ([n * codesPerExample], example-major) to data space [n, D]. */
  decodeIndices(indices: Int32Array, n: number): Tensor2D;
}

/** Whether a model's code is discrete (has {@link DiscreteCodes}). */
export function hasDiscreteCodes(model: Model): model is Model & DiscreteCodes {
  return typeof (model as Partial<DiscreteCodes>).codeIndices === 'function';
}
