/** Inverted dropout: in training, zeroes each unit with probability `rate` and scales the rest by 1/(1-rate); identity in eval. */
import { tf, type Tensor2D } from '../engine/index.js';
import type { Block, ForwardContext, GraphOp, LayerSummary, NamedVariable } from './types.js';

/**
 * Dropout with masks drawn from the run's seeded RNG, so training is reproducible and resumable.
 *
 * @example
 * const drop = new Dropout({ name: 'decoder.dropout0', dim: 20, rate: 0.2 });
 */
export class Dropout implements Block {
  readonly outDim: number;
  private readonly name: string;
  readonly rate: number;

  constructor(opts: { name: string; dim: number; rate: number }) {
    this.name = opts.name;
    this.outDim = opts.dim;
    this.rate = opts.rate;
  }

  apply(x: Tensor2D, ctx: ForwardContext): Tensor2D {
    if (!ctx.training || this.rate === 0) return x;
    const keep = 1 - this.rate;
    const u = ctx.rng.uniformArray(x.size);
    const mask = new Float32Array(x.size);
    for (let i = 0; i < u.length; i++) mask[i] = u[i] < keep ? 1 / keep : 0;
    return tf.tidy(() => tf.mul(x, tf.tensor2d(mask, x.shape)));
  }

  variables(): NamedVariable[] {
    return [];
  }

  summary(): LayerSummary[] {
    return [{ name: this.name, type: `Dropout(${this.rate})`, outputShape: [-1, this.outDim], params: 0 }];
  }

  graph(): GraphOp[] {
    return []; // identity at inference
  }
}
