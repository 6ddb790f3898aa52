/** Batch normalization over the batch axis of [B, D], with PyTorch's BatchNorm1d conventions (momentum 0.1, eps 1e-5). */
import { tf, fusedBatchNormTrain, makeVariable, type Tensor1D, type Tensor2D, type Variable } from '../engine/index.js';
import type { Activation, Block, ForwardContext, GraphOp, LayerSummary, NamedVariable } from './types.js';
import { activate, LEAKY_RELU_SLOPE } from './activations.js';

/**
 * BatchNorm1d: in training, normalizes by the batch's own mean and (biased) variance and records running
 * statistics (unbiased variance, as PyTorch); in evaluation, normalizes by the running statistics.
 *
 * @example
 * const bn = new BatchNorm({ name: 'encoder.bn0', dim: 20 });
 * const y = bn.apply(h, { training: true, rng, updates });
 */
export class BatchNorm implements Block {
  readonly outDim: number;
  readonly gamma: Variable;
  readonly beta: Variable;
  readonly runningMean: Variable;
  readonly runningVar: Variable;
  private readonly name: string;
  readonly momentum = 0.1;
  readonly epsilon = 1e-5;

  constructor(opts: { name: string; dim: number }) {
    this.name = opts.name;
    this.outDim = opts.dim;
    this.gamma = makeVariable(new Float32Array(opts.dim).fill(1), [opts.dim], true);
    this.beta = makeVariable(new Float32Array(opts.dim), [opts.dim], true);
    this.runningMean = makeVariable(new Float32Array(opts.dim), [opts.dim], false);
    this.runningVar = makeVariable(new Float32Array(opts.dim).fill(1), [opts.dim], false);
  }

  /** Normalizes x, then applies `activation` (fused into the same pass where the backend can). */
  apply(x: Tensor2D, ctx: ForwardContext, activation: Activation = 'linear'): Tensor2D {
    if (!ctx.training) {
      return tf.tidy(() => activate(activation, tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.epsilon) as Tensor2D));
    }
    return tf.tidy(() => {
      // The batch's mean and biased variance [D]: one native kernel where the backend has it, tf ops elsewhere. The
      // running-stat updates carry no gradient since the loss never reads them.
      const fused = fusedBatchNormTrain({ x, gamma: this.gamma as Tensor1D, beta: this.beta as Tensor1D, epsilon: this.epsilon, activation, leakySlope: LEAKY_RELU_SLOPE });
      const { mean, variance } = fused ?? tf.moments(x, 0);
      const y = fused?.y ?? activate(activation, tf.batchNorm(x, mean, variance, this.beta, this.gamma, this.epsilon) as Tensor2D);
      if (ctx.updates) {
        const n = x.shape[0];
        const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
        const m = this.momentum;
        ctx.updates.push(
          { variable: this.runningMean, value: tf.keep(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m))) },
          { variable: this.runningVar, value: tf.keep(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m))) },
        );
      }
      return y;
    });
  }

  variables(): NamedVariable[] {
    return [
      { name: `${this.name}.gamma`, variable: this.gamma, trainable: true },
      { name: `${this.name}.beta`, variable: this.beta, trainable: true },
      { name: `${this.name}.runningMean`, variable: this.runningMean, trainable: false },
      { name: `${this.name}.runningVar`, variable: this.runningVar, trainable: false },
    ];
  }

  summary(): LayerSummary[] {
    return [{ name: this.name, type: 'BatchNorm', outputShape: [-1, this.outDim], params: 2 * this.outDim }];
  }

  graph(): GraphOp[] {
    const n = this.name;
    return [{ op: 'batchnorm', mean: `${n}.runningMean`, variance: `${n}.runningVar`, gamma: `${n}.gamma`, beta: `${n}.beta`, epsilon: this.epsilon }];
  }
}
