/** What every building block shares: the forward context, named variables, and the summary and export records. */
import type { Rng, Tensor2D, Variable } from '../engine/index.js';
import type { Activation } from '../config/schema.js';

/** A pending running-statistics update from a BatchNorm layer in training mode, applied after the optimizer step. */
export interface StatUpdate {
  variable: Variable;
  value: Tensor2D | import('../engine/index.js').Tensor;
}

/** Passed to every forward call: training vs eval behaviour, the RNG for dropout and noise, and collected updates. */
export interface ForwardContext {
  training: boolean;
  rng: Rng;
  /** BatchNorm pushes its running-stat updates here in training mode; the trainer applies and disposes them. */
  updates?: StatUpdate[];
  /** Denoising training: the corrupted input [B, D] the encoder sees; the loss still reconstructs the clean `x`. */
  input?: Tensor2D;
  /** Class labels of the batch's examples, for a conditional model (the CVAE); other models ignore them. */
  labels?: Int32Array;
}

/** A variable with its stable dotted name (`encoder.dense0.kernel`) and whether the optimizer updates it. */
export interface NamedVariable {
  name: string;
  variable: Variable;
  trainable: boolean;
}

/** One row of the layer summary table (seed 004's torchsummary-like table). */
export interface LayerSummary {
  name: string;
  type: string;
  outputShape: number[];
  params: number;
}

/**
 * One inference operation of the exported graph (docs/model-format.md): enough for another language to run the model.
 * Weights are referenced by name.
 */
export type GraphOp =
  | { op: 'dense'; kernel: string; bias: string }
  | { op: 'activation'; fn: Activation }
  | { op: 'batchnorm'; mean: string; variance: string; gamma: string; beta: string; epsilon: number }
  | { op: 'log' }
  /** Reshape to [batch, ...shape]; images are NHWC. */
  | { op: 'reshape'; shape: number[] }
  /** 2-D convolution, NHWC, kernel [kh, kw, in, out], TensorFlow 'same' padding; then + bias. */
  | { op: 'conv2d'; kernel: string; bias: string; stride: number; padding: 'same' }
  /** Transposed convolution to [batch, ...outputShape], kernel [kh, kw, out, in], 'same' padding; then + bias. */
  | { op: 'conv2dTranspose'; kernel: string; bias: string; stride: number; padding: 'same'; outputShape: number[] }
  /** Keep the top-left height x width of [batch, H, W, C]. */
  | { op: 'crop'; height: number; width: number }
  /** Permute the axes (batch axis included). */
  | { op: 'transpose'; perm: number[] };

export type { Activation };

/** A block of layers acting on [B, D] tensors. */
export interface Block {
  readonly outDim: number;
  apply(x: Tensor2D, ctx: ForwardContext): Tensor2D;
  variables(): NamedVariable[];
  summary(): LayerSummary[];
  graph(): GraphOp[];
}
