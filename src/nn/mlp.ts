/** A multilayer perceptron from a spec: hidden sizes, activation(s), BatchNorm placement and dropout. */
import { tf, type Rng, type Tensor2D } from '../engine/index.js';
import type { Activation, Block, ForwardContext, GraphOp, LayerSummary, NamedVariable } from './types.js';
import { Dense } from './dense.js';
import { BatchNorm } from './batch-norm.js';
import { Dropout } from './dropout.js';
import { activate } from './activations.js';

/** The hidden layers of an encoder or decoder. */
export interface MlpSpec {
  /** Width of each hidden layer, in order; empty for none. */
  hidden: number[];
  /** One activation for all hidden layers, or one per layer (seed 003's decoder starts with a linear layer). */
  activation: Activation | Activation[];
  /** BatchNorm on each hidden layer: none, before the activation, or after it (seed 002 normalizes after ReLU). */
  batchNorm: 'none' | 'before' | 'after';
  /** Dropout rate after each hidden layer (seed 002's decoder: 0.2). */
  dropout: number;
}

/** An activation on its own, for when BatchNorm sits between a Dense layer and its activation. */
class ActivationLayer implements Block {
  constructor(
    private readonly name: string,
    private readonly fn: Activation,
    readonly outDim: number,
  ) {}
  apply(x: Tensor2D): Tensor2D {
    return activate(this.fn, x);
  }
  variables(): NamedVariable[] {
    return [];
  }
  summary(): LayerSummary[] {
    return [{ name: this.name, type: this.fn, outputShape: [-1, this.outDim], params: 0 }];
  }
  graph(): GraphOp[] {
    return [{ op: 'activation', fn: this.fn }];
  }
}

/**
 * A stack of blocks applied in order.
 *
 * @example
 * const enc = new Mlp({ name: 'encoder', inDim: 784, spec: { hidden: [400], activation: 'relu', batchNorm: 'none', dropout: 0 }, rng });
 * const h = enc.apply(x, ctx); // [B, 400]
 */
export class Mlp implements Block {
  readonly outDim: number;
  readonly blocks: Block[] = [];

  constructor(opts: { name: string; inDim: number; spec: MlpSpec; rng: Rng }) {
    const { name, spec, rng } = opts;
    let dim = opts.inDim;
    // Checked before any layer is built, so that a bad spec leaves no variables behind.
    if (Array.isArray(spec.activation) && spec.activation.length < spec.hidden.length) {
      throw new Error(`${name}: ${spec.hidden.length} hidden layers but ${spec.activation.length} activations`);
    }
    spec.hidden.forEach((width, i) => {
      const fn = Array.isArray(spec.activation) ? spec.activation[i] : spec.activation;
      if (spec.batchNorm === 'before') {
        this.blocks.push(new Dense({ name: `${name}.dense${i}`, inDim: dim, outDim: width, rng }));
        this.blocks.push(new BatchNorm({ name: `${name}.bn${i}`, dim: width }));
        if (fn !== 'linear') this.blocks.push(new ActivationLayer(`${name}.${fn}${i}`, fn, width));
      } else {
        this.blocks.push(new Dense({ name: `${name}.dense${i}`, inDim: dim, outDim: width, rng, activation: fn }));
        if (spec.batchNorm === 'after') this.blocks.push(new BatchNorm({ name: `${name}.bn${i}`, dim: width }));
      }
      if (spec.dropout > 0) this.blocks.push(new Dropout({ name: `${name}.dropout${i}`, dim: width, rate: spec.dropout }));
      dim = width;
    });
    this.outDim = dim;
  }

  apply(x: Tensor2D, ctx: ForwardContext): Tensor2D {
    if (this.blocks.length === 0) return x;
    return tf.tidy(() => this.blocks.reduce((h, b) => b.apply(h, ctx), x));
  }

  variables(): NamedVariable[] {
    return this.blocks.flatMap((b) => b.variables());
  }

  summary(): LayerSummary[] {
    return this.blocks.flatMap((b) => b.summary());
  }

  graph(): GraphOp[] {
    return this.blocks.flatMap((b) => b.graph());
  }
}
