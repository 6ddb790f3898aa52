/** Convolutional encoder and decoder stacks over images in NHWC, sized from the data's own [H, W, C]. */
import { tf, makeVariable, type Rng, type Tensor2D, type Variable } from '../engine/index.js';
import type { Activation, Block, ForwardContext, GraphOp, LayerSummary, NamedVariable } from './types.js';
import { BatchNorm } from './batch-norm.js';
import { Mlp } from './mlp.js';
import { biasActivate } from './activations.js';
import { conv2dSame, conv2dTransposeSame } from './conv-ops.js';

type Tensor4D = tf.Tensor4D;

/** A conv stack's spec: the encoder's downsampling or the decoder's upsampling layers. */
export interface ConvSpec {
  /** Channels of each strided layer, in order: encoder [32, 64] (keras.io VAE), decoder [64, 32]. */
  filters: number[];
  /** Square kernel size. */
  kernel: number;
  /** Stride of every filter layer: each halves (encoder) or doubles (decoder) the height and width at 2. */
  stride: number;
  activation: Activation;
  /** BatchNorm per channel on each filter layer: none, before the activation, or after it. */
  batchNorm: 'none' | 'before' | 'after';
  /** Dense layers after flattening (encoder; keras.io: [16]) or before the projection to the first feature map (decoder). */
  hidden: number[];
  /** Decoder only: channels of the first feature map (default filters[0]). */
  firstChannels?: number;
}

/** A layer acting on feature maps [B, H, W, C]. */
interface MapLayer {
  /** Per-example output shape [H, W, C]. */
  readonly outShape: [number, number, number];
  apply(x: Tensor4D, ctx: ForwardContext): Tensor4D;
  variables(): NamedVariable[];
  summary(): LayerSummary[];
  graph(): GraphOp[];
}

/**
 * An activation fused into the layer before it (a conv's bias add, or BatchNorm): applied in the same pass, listed in
 * the summary and the graph as a layer of its own, so the model format is the same as with a separate layer.
 */
interface FusedActivation {
  fn: Activation;
  /** Its row name in the summary. */
  name: string;
}

const activationRows = (a: FusedActivation | undefined, outShape: [number, number, number]): LayerSummary[] =>
  a && a.fn !== 'linear' ? [{ name: a.name, type: a.fn, outputShape: [-1, ...outShape], params: 0 }] : [];
const activationOps = (a: FusedActivation | undefined): GraphOp[] => (a && a.fn !== 'linear' ? [{ op: 'activation', fn: a.fn }] : []);

/** PyTorch's default conv initialization, U(-k, k) with k = 1 / sqrt(fan in), for kernel and bias. */
function uniformInit(rng: Rng, fanIn: number, shape: number[]): Variable {
  const k = 1 / Math.sqrt(fanIn);
  return makeVariable(rng.uniformArray(shape.reduce((a, b) => a * b, 1), -k, k), shape, true);
}

/**
 * A strided 2-D convolution with 'same' padding (TensorFlow's: output ceil(H / stride), the odd padding pixel at the
 * bottom and right), then the bias and an optional activation in one pass. Kernel [kh, kw, in, out].
 */
export class Conv2D implements MapLayer {
  readonly outShape: [number, number, number];
  readonly kernel: Variable; // [k, k, in, out]
  readonly bias: Variable; // [out]
  private readonly stride: number;
  private readonly activation?: FusedActivation;
  constructor(
    private readonly name: string,
    inShape: [number, number, number],
    opts: { filters: number; kernel: number; stride: number; rng: Rng; activation?: FusedActivation },
  ) {
    const [h, w, c] = inShape;
    this.stride = opts.stride;
    this.activation = opts.activation;
    this.outShape = [Math.ceil(h / opts.stride), Math.ceil(w / opts.stride), opts.filters];
    this.kernel = uniformInit(opts.rng, opts.kernel * opts.kernel * c, [opts.kernel, opts.kernel, c, opts.filters]);
    this.bias = uniformInit(opts.rng, opts.kernel * opts.kernel * c, [opts.filters]);
  }

  apply(x: Tensor4D): Tensor4D {
    return tf.tidy(() => biasActivate(this.activation?.fn ?? 'linear', conv2dSame(x, this.kernel as tf.Tensor4D, this.stride), this.bias as tf.Tensor1D));
  }
  variables(): NamedVariable[] {
    return [
      { name: `${this.name}.kernel`, variable: this.kernel, trainable: true },
      { name: `${this.name}.bias`, variable: this.bias, trainable: true },
    ];
  }
  summary(): LayerSummary[] {
    const conv: LayerSummary = { name: this.name, type: 'Conv2D', outputShape: [-1, ...this.outShape], params: this.kernel.size + this.bias.size };
    return [conv, ...activationRows(this.activation, this.outShape)];
  }
  graph(): GraphOp[] {
    return [{ op: 'conv2d', kernel: `${this.name}.kernel`, bias: `${this.name}.bias`, stride: this.stride, padding: 'same' }, ...activationOps(this.activation)];
  }
}

/**
 * A transposed 2-D convolution with 'same' padding: output stride * H by stride * W, the exact gradient of Conv2D
 * with the same stride and padding. Kernel [kh, kw, out, in] (TensorFlow's layout for conv2dTranspose).
 */
export class Conv2DTranspose implements MapLayer {
  readonly outShape: [number, number, number];
  readonly kernel: Variable; // [k, k, out, in]
  readonly bias: Variable; // [out]
  private readonly stride: number;
  private readonly activation?: FusedActivation;
  constructor(
    private readonly name: string,
    inShape: [number, number, number],
    opts: { filters: number; kernel: number; stride: number; rng: Rng; activation?: FusedActivation },
  ) {
    const [h, w, c] = inShape;
    this.stride = opts.stride;
    this.activation = opts.activation;
    this.outShape = [h * opts.stride, w * opts.stride, opts.filters];
    this.kernel = uniformInit(opts.rng, opts.kernel * opts.kernel * c, [opts.kernel, opts.kernel, opts.filters, c]);
    this.bias = uniformInit(opts.rng, opts.kernel * opts.kernel * c, [opts.filters]);
  }

  apply(x: Tensor4D): Tensor4D {
    return tf.tidy(() =>
      biasActivate(this.activation?.fn ?? 'linear', conv2dTransposeSame(x, this.kernel as tf.Tensor4D, this.outShape, this.stride), this.bias as tf.Tensor1D),
    );
  }
  variables(): NamedVariable[] {
    return [
      { name: `${this.name}.kernel`, variable: this.kernel, trainable: true },
      { name: `${this.name}.bias`, variable: this.bias, trainable: true },
    ];
  }
  summary(): LayerSummary[] {
    const deconv: LayerSummary = { name: this.name, type: 'Conv2DTranspose', outputShape: [-1, ...this.outShape], params: this.kernel.size + this.bias.size };
    return [deconv, ...activationRows(this.activation, this.outShape)];
  }
  graph(): GraphOp[] {
    const outputShape = [...this.outShape];
    return [
      { op: 'conv2dTranspose', kernel: `${this.name}.kernel`, bias: `${this.name}.bias`, stride: this.stride, padding: 'same', outputShape },
      ...activationOps(this.activation),
    ];
  }
}

/** BatchNorm per channel of [B, H, W, C] (PyTorch's BatchNorm2d): the 1-D layer over the [B * H * W, C] view, then an optional activation in the same pass. */
class ChannelBatchNorm implements MapLayer {
  private readonly bn: BatchNorm;
  constructor(
    name: string,
    readonly outShape: [number, number, number],
    private readonly activation?: FusedActivation,
  ) {
    this.bn = new BatchNorm({ name, dim: outShape[2] });
  }
  apply(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const y = this.bn.apply(tf.reshape(x, [b * h * w, c]) as Tensor2D, ctx, this.activation?.fn); // [B*H*W, C]
      return tf.reshape(y, [b, h, w, c]) as Tensor4D; // [B, H, W, C]
    });
  }
  variables(): NamedVariable[] {
    return this.bn.variables();
  }
  summary(): LayerSummary[] {
    return [...this.bn.summary().map((r) => ({ ...r, outputShape: [-1, ...this.outShape] })), ...activationRows(this.activation, this.outShape)];
  }
  graph(): GraphOp[] {
    // The op broadcasts over the last axis, so the same record serves [B, D] and [B, H, W, C].
    return [...this.bn.graph(), ...activationOps(this.activation)];
  }
}

/**
 * A filter layer (conv or transposed conv) with BatchNorm and the activation as the spec places them: the activation
 * is fused into whichever layer it follows (the filter's bias add, or BatchNorm).
 */
function filterBlock(
  Layer: typeof Conv2D | typeof Conv2DTranspose,
  name: string,
  i: number,
  inShape: [number, number, number],
  opts: { filters: number; kernel: number; stride: number; rng: Rng },
  spec: ConvSpec,
): MapLayer[] {
  const activation: FusedActivation = { fn: spec.activation, name: `${name}.${spec.activation}${i}` };
  const kind = Layer === Conv2D ? 'conv' : 'deconv';
  const filter = new Layer(`${name}.${kind}${i}`, inShape, { ...opts, ...(spec.batchNorm !== 'before' && { activation }) });
  if (spec.batchNorm === 'none') return [filter];
  const bn = new ChannelBatchNorm(`${name}.bn${i}`, filter.outShape, spec.batchNorm === 'before' ? activation : undefined);
  return [filter, bn];
}

function run(layers: MapLayer[], x: Tensor4D, ctx: ForwardContext): Tensor4D {
  return layers.reduce((h, l) => l.apply(h, ctx), x);
}

/** Checks that a shape is an image [H, W, C]; `what` names the block in the error. */
function imageShape(shape: readonly number[], what: string): [number, number, number] {
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${what}: a conv block needs image data of shape [H, W, C]; the data's shape is [${shape.join(', ')}]`);
  }
  return [shape[0], shape[1], shape[2]];
}

/**
 * Conv encoder trunk: flattened images [B, H*W*C] -> [B, H, W, C] -> strided convs -> flatten -> dense layers.
 *
 * @example
 * const enc = new ConvEncoder({ name: 'encoder', inputShape: [28, 28, 1], spec: { filters: [32, 64], kernel: 3, stride: 2, activation: 'relu', batchNorm: 'none', hidden: [16] }, rng });
 * const h = enc.apply(x, ctx); // [B, 16]
 */
export class ConvEncoder implements Block {
  readonly outDim: number;
  private readonly inputShape: [number, number, number];
  private readonly layers: MapLayer[] = [];
  private readonly flatShape: [number, number, number];
  private readonly fc: Mlp;

  constructor(opts: { name: string; inputShape: readonly number[]; spec: ConvSpec; rng: Rng }) {
    const { name, spec, rng } = opts;
    this.inputShape = imageShape(opts.inputShape, name);
    let shape = this.inputShape;
    spec.filters.forEach((filters, i) => {
      const block = filterBlock(Conv2D, name, i, shape, { filters, kernel: spec.kernel, stride: spec.stride, rng }, spec);
      this.layers.push(...block);
      shape = block[0].outShape;
    });
    this.flatShape = shape;
    const flat = shape[0] * shape[1] * shape[2];
    this.fc = new Mlp({ name: `${name}.fc`, inDim: flat, spec: { hidden: spec.hidden, activation: spec.activation, batchNorm: 'none', dropout: 0 }, rng });
    this.outDim = this.fc.outDim;
  }

  apply(x: Tensor2D, ctx: ForwardContext): Tensor2D {
    return tf.tidy(() => {
      const b = x.shape[0];
      const maps = run(this.layers, tf.reshape(x, [b, ...this.inputShape]) as Tensor4D, ctx); // [B, H', W', F]
      return this.fc.apply(tf.reshape(maps, [b, -1]) as Tensor2D, ctx); // [B, H'*W'*F] -> [B, outDim]
    });
  }
  variables(): NamedVariable[] {
    return [...this.layers.flatMap((l) => l.variables()), ...this.fc.variables()];
  }
  summary(): LayerSummary[] {
    return [...this.layers.flatMap((l) => l.summary()), ...this.fc.summary()];
  }
  graph(): GraphOp[] {
    const flat = this.flatShape[0] * this.flatShape[1] * this.flatShape[2];
    return [{ op: 'reshape', shape: [...this.inputShape] }, ...this.layers.flatMap((l) => l.graph()), { op: 'reshape', shape: [flat] }, ...this.fc.graph()];
  }
}

/**
 * Conv decoder: z [B, L] -> dense layers -> the first feature map [B, h0, w0, firstChannels ?? filters[0]] with h0 = ceil(H / stride^n)
 * -> n transposed convs -> a stride-1 transposed conv to `groups * C` channels (linear) -> cropped to [H, W] when
 * H or W is not a multiple of stride^n -> flattened [B, groups * H*W*C], group-major (a learned-variance Gaussian's
 * means, then its log-variances, as the MLP decoder lays them out).
 *
 * @example
 * const dec = new ConvDecoder({ name: 'decoder', latent: 2, outputShape: [28, 28, 1], groups: 1, spec, rng });
 * const logits = dec.apply(z, ctx); // [B, 784]
 */
export class ConvDecoder implements Block {
  readonly outDim: number;
  private readonly outputShape: [number, number, number];
  private readonly groups: number;
  private readonly fc: Mlp;
  private readonly firstShape: [number, number, number];
  private readonly layers: MapLayer[] = [];
  private readonly mapShape: [number, number, number];

  constructor(opts: { name: string; latent: number; outputShape: readonly number[]; groups: number; spec: ConvSpec; rng: Rng }) {
    const { name, spec, rng, groups } = opts;
    this.outputShape = imageShape(opts.outputShape, name);
    this.groups = groups;
    const [H, W, C] = this.outputShape;
    const up = spec.stride ** spec.filters.length;
    this.firstShape = [Math.ceil(H / up), Math.ceil(W / up), spec.firstChannels ?? spec.filters[0] ?? C];
    const first = this.firstShape[0] * this.firstShape[1] * this.firstShape[2];
    // The projection carries the activation too (keras.io: Dense(7 * 7 * 64, relu)).
    const fcSpec = { hidden: [...spec.hidden, first], activation: spec.activation, batchNorm: 'none' as const, dropout: 0 };
    this.fc = new Mlp({ name: `${name}.fc`, inDim: opts.latent, spec: fcSpec, rng });
    let shape = this.firstShape;
    spec.filters.forEach((filters, i) => {
      const block = filterBlock(Conv2DTranspose, name, i, shape, { filters, kernel: spec.kernel, stride: spec.stride, rng }, spec);
      this.layers.push(...block);
      shape = block[0].outShape;
    });
    const out = new Conv2DTranspose(`${name}.out`, shape, { filters: groups * C, kernel: spec.kernel, stride: 1, rng });
    this.layers.push(out);
    this.mapShape = out.outShape;
    this.outDim = groups * H * W * C;
  }

  apply(z: Tensor2D, ctx: ForwardContext): Tensor2D {
    return tf.tidy(() => {
      const b = z.shape[0];
      const [H, W, C] = this.outputShape;
      const h0 = tf.reshape(this.fc.apply(z, ctx), [b, ...this.firstShape]) as Tensor4D; // [B, h0, w0, F0]
      let maps = run(this.layers, h0, ctx); // [B, h, w, groups*C]
      if (this.mapShape[0] !== H || this.mapShape[1] !== W) maps = tf.slice(maps, [0, 0, 0, 0], [b, H, W, this.groups * C]); // [B, H, W, groups*C]
      if (this.groups === 1) return tf.reshape(maps, [b, H * W * C]) as Tensor2D; // [B, D]
      const grouped = tf.transpose(tf.reshape(maps, [b, H, W, this.groups, C]), [0, 3, 1, 2, 4]); // [B, groups, H, W, C]
      return tf.reshape(grouped, [b, this.outDim]) as Tensor2D; // [B, groups*D]
    });
  }
  variables(): NamedVariable[] {
    return [...this.fc.variables(), ...this.layers.flatMap((l) => l.variables())];
  }
  summary(): LayerSummary[] {
    return [...this.fc.summary(), ...this.layers.flatMap((l) => l.summary())];
  }
  graph(): GraphOp[] {
    const [H, W, C] = this.outputShape;
    const ops: GraphOp[] = [{ op: 'reshape', shape: [...this.firstShape] }, ...this.layers.flatMap((l) => l.graph())];
    if (this.mapShape[0] !== H || this.mapShape[1] !== W) ops.push({ op: 'crop', height: H, width: W });
    if (this.groups > 1) ops.push({ op: 'reshape', shape: [H, W, this.groups, C] }, { op: 'transpose', perm: [0, 3, 1, 2, 4] });
    ops.push({ op: 'reshape', shape: [this.outDim] });
    return [...this.fc.graph(), ...ops];
  }
}
