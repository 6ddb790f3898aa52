/** A fully connected layer y = x W + b, initialized as PyTorch's nn.Linear so the presets match the seeds' numbers. */
import { tf, makeVariable, type Rng, type Tensor2D, type Variable } from '../engine/index.js';
import type { Activation, Block, ForwardContext, GraphOp, LayerSummary, NamedVariable } from './types.js';
import { activate } from './activations.js';

/** Activations whose gradient tfjs can take through its fused matmul kernel. */
const FUSABLE = new Set<Activation>(['linear', 'relu']);

/**
 * Dense layer with an optional fused activation.
 *
 * @example
 * const fc = new Dense({ name: 'encoder.dense0', inDim: 784, outDim: 400, rng, activation: 'relu' });
 * const h = fc.apply(x, ctx); // [B, 400]
 */
export class Dense implements Block {
  readonly outDim: number;
  readonly kernel: Variable; // [inDim, outDim]
  readonly bias: Variable; // [outDim]
  private readonly name: string;
  readonly activation: Activation;

  constructor(opts: { name: string; inDim: number; outDim: number; rng: Rng; activation?: Activation }) {
    const { name, inDim, outDim, rng } = opts;
    this.name = name;
    this.outDim = outDim;
    this.activation = opts.activation ?? 'linear';
    // nn.Linear's default: kaiming_uniform(a=sqrt(5)) for W and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for b; both are U(-k, k).
    const k = 1 / Math.sqrt(inDim);
    this.kernel = makeVariable(rng.uniformArray(inDim * outDim, -k, k), [inDim, outDim], true);
    this.bias = makeVariable(rng.uniformArray(outDim, -k, k), [outDim], true);
  }

  apply(x: Tensor2D, _ctx?: ForwardContext): Tensor2D {
    if (FUSABLE.has(this.activation)) {
      return tf.fused.matMul({ a: x, b: this.kernel, bias: this.bias, activation: this.activation === 'relu' ? 'relu' : 'linear' }) as Tensor2D;
    }
    return tf.tidy(() => activate(this.activation, tf.fused.matMul({ a: x, b: this.kernel, bias: this.bias }) as Tensor2D));
  }

  variables(): NamedVariable[] {
    return [
      { name: `${this.name}.kernel`, variable: this.kernel, trainable: true },
      { name: `${this.name}.bias`, variable: this.bias, trainable: true },
    ];
  }

  summary(): LayerSummary[] {
    const rows: LayerSummary[] = [
      { name: this.name, type: 'Dense', outputShape: [-1, this.outDim], params: this.kernel.size + this.bias.size },
    ];
    if (this.activation !== 'linear') rows.push({ name: `${this.name}.${this.activation}`, type: this.activation, outputShape: [-1, this.outDim], params: 0 });
    return rows;
  }

  graph(): GraphOp[] {
    const ops: GraphOp[] = [{ op: 'dense', kernel: `${this.name}.kernel`, bias: `${this.name}.bias` }];
    if (this.activation !== 'linear') ops.push({ op: 'activation', fn: this.activation });
    return ops;
  }
}
