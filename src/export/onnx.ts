/**
 * ONNX export: a saved vaekit model (model.json's graph + weights) as two ONNX models, the encoder (x -> mean,
 * logVar) and the decoder (z -> the likelihood's parameters), built with onnx-proto (protobufjs), opset 13.
 */
import onnxProto from 'onnx-proto';
import type { GraphOp } from '../nn/index.js';
import { LEAKY_RELU_SLOPE } from '../nn/activations.js';
import type { ModelMetadata } from '../io/model-format.js';
import { readEntry } from '../io/tensor-pack.js';
import { UsageError } from '../errors.js';
import { kindConfig } from '../models/kinds.js';
import { VERSION } from '../version.js';

const { onnx } = onnxProto;

/**
 * Opset 13: the first where Reshape, Slice and Squeeze all take their parameters as inputs (their present form), and
 * old enough that every maintained runtime (onnxruntime and onnxruntime-web, TensorRT, OpenVINO, tf2onnx readers)
 * runs it. Every op used here (Gemm, Conv, ConvTranspose, Softplus, Elu, LeakyRelu, OneHot, Slice) exists in it.
 */
export const ONNX_OPSET = 13;
/** The IR version that goes with opset 13 (ONNX 1.8). */
const ONNX_IR_VERSION = 7;

/** A weight by name, from the model folder's manifest. */
type WeightLookup = (name: string) => { shape: number[]; data: Float32Array };

/** The two ONNX models of a vaekit model, as protobuf bytes. */
export interface OnnxModels {
  encoder: Uint8Array;
  decoder: Uint8Array;
  /** Input and output names of each model, as written. */
  signature: { encoder: { inputs: string[]; outputs: string[] }; decoder: { inputs: string[]; outputs: string[] } };
}

/** TensorFlow 'same' padding along one axis: output size, padding before and after. */
function samePadding(n: number, k: number, s: number): { out: number; before: number; after: number } {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** [kh, kw, a, b] -> [b, a, kh, kw]: vaekit's conv kernels to ONNX's Conv ([out, in, kh, kw]) and ConvTranspose ([in, out, kh, kw]). */
function kernelToOihw(shape: number[], data: Float32Array): { shape: number[]; data: Float32Array } {
  const [kh, kw, a, b] = shape;
  const out = new Float32Array(data.length);
  for (let u = 0; u < kh; u++) for (let v = 0; v < kw; v++) for (let i = 0; i < a; i++) for (let o = 0; o < b; o++) {
    out[((o * a + i) * kh + u) * kw + v] = data[((u * kw + v) * a + i) * b + o];
  }
  return { shape: [b, a, kh, kw], data: out };
}

/**
 * Builds one ONNX graph from lists of vaekit graph ops. Images flow in NCHW between a `reshape` to [H, W, C] and the
 * next op that needs vaekit's NHWC order (a reshape back to rows, a transpose), where they are transposed back, so
 * flattening keeps vaekit's NHWC order exactly.
 */
class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private count = 0;

  constructor(
    private readonly weight: WeightLookup,
    private readonly where: string,
  ) {}

  private fresh(hint: string): string {
    return `${hint}_${this.count++}`;
  }

  /** Adds a float32 (or int64) constant and returns its name. */
  constant(hint: string, shape: number[], data: Float32Array | number[], int64 = false): string {
    const name = this.fresh(hint);
    if (int64) {
      const bytes = new Uint8Array(data.length * 8);
      const view = new DataView(bytes.buffer);
      Array.from(data).forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
      this.initializers.push({ name, dims: shape, dataType: onnx.TensorProto.DataType.INT64, rawData: bytes });
    } else {
      const f = data instanceof Float32Array ? data : Float32Array.from(data);
      const bytes = new Uint8Array(f.length * 4);
      const view = new DataView(bytes.buffer);
      f.forEach((v, i) => view.setFloat32(4 * i, v, true));
      this.initializers.push({ name, dims: shape, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
    }
    return name;
  }

  /** Adds a node; attributes: an integer, a list of integers, or `{ float }`. Returns its output's name. */
  node(opType: string, inputs: string[], attrs: Record<string, number | number[] | { float: number }> = {}, output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    const { AttributeType } = onnx.AttributeProto;
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v) ? { name, type: AttributeType.INTS, ints: v } : typeof v === 'number' ? { name, type: AttributeType.INT, i: v } : { name, type: AttributeType.FLOAT, f: v.float },
    );
    this.nodes.push({ opType, input: inputs, output: [out], name: this.fresh(opType), attribute });
    return out;
  }

  /** Applies `ops` to the value named `h` ([N, F]); returns the output's name (rows [N, F']). */
  run(ops: GraphOp[], h: string, role: string): string {
    // layout 'rows' or 'nhwc': the value is as vaekit has it; 'nchw': an image vaekit holds as NHWC [N, H, W, C], held here as [N, C, H, W].
    let layout: 'rows' | 'nhwc' | 'nchw' = 'rows';
    let image: [number, number, number] = [0, 0, 0]; // [H, W, C] while an image flows
    const toVaekitOrder = () => {
      if (layout === 'nchw') {
        h = this.node('Transpose', [h], { perm: [0, 2, 3, 1] }); // [N, C, H, W] -> [N, H, W, C]
        layout = 'nhwc';
      }
    };
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const at = `${this.where}: ${role} op ${i} (${op.op})`;
      switch (op.op) {
        case 'dense': {
          if (layout !== 'rows') throw new UsageError(`${at}: a dense layer on an image is not supported by the ONNX export`);
          let { shape, data: kernel }: { shape: number[]; data: Floats } = this.weight(op.kernel);
          let bias: Floats = Float32Array.from(this.weight(op.bias).data);
          // Fold a BatchNorm that follows (evaluation mode) into this layer's kernel and bias.
          const next = ops[i + 1];
          if (next?.op === 'batchnorm') {
            ({ kernel, bias } = foldIntoColumns(kernel, bias, shape[1], this.batchNormAffine(next)));
            i++;
          }
          h = this.node('Gemm', [h, this.constant(op.kernel, shape, kernel), this.constant(op.bias, [shape[1]], bias)]);
          break;
        }
        case 'conv2d':
        case 'conv2dTranspose': {
          if (layout !== 'nchw') throw new UsageError(`${at}: a convolution needs an image; the ONNX export found ${layout === 'rows' ? 'rows' : 'a transposed image'}`);
          const w = this.weight(op.kernel);
          let { shape, data: kernel }: { shape: number[]; data: Floats } = kernelToOihw(w.shape, w.data); // Conv [out, in, kh, kw]; ConvTranspose [in, out, kh, kw]
          let bias: Floats = Float32Array.from(this.weight(op.bias).data);
          const [kh, kw] = w.shape;
          const next = ops[i + 1];
          if (next?.op === 'batchnorm') {
            const affine = this.batchNormAffine(next);
            ({ kernel, bias } = op.op === 'conv2d' ? foldIntoRows(kernel, bias, shape[0], affine) : foldIntoConvTranspose(kernel, bias, shape, affine));
            i++;
          }
          const inputs = [h, this.constant(op.kernel, shape, kernel), this.constant(op.bias, [bias.length], bias)];
          const [H, W] = image;
          if (op.op === 'conv2d') {
            const ph = samePadding(H, kh, op.stride);
            const pw = samePadding(W, kw, op.stride);
            h = this.node('Conv', inputs, { kernel_shape: [kh, kw], strides: [op.stride, op.stride], pads: [ph.before, pw.before, ph.after, pw.after] });
            image = [ph.out, pw.out, shape[0]];
          } else {
            const [oh, ow, oc] = op.outputShape;
            // The transpose of the conv from [oh, ow] to [H, W]: the full result, less that conv's padding before; the
            // rest of the full result is cut after (or, when the full result is short, output_padding extends it).
            const cut = (n: number, o: number, k: number) => {
              const before = samePadding(o, k, op.stride).before;
              const after = (n - 1) * op.stride + k - before - o;
              return { before, after: Math.max(after, 0), extra: Math.max(-after, 0) };
            };
            const ch = cut(H, oh, kh);
            const cw = cut(W, ow, kw);
            const attrs: Record<string, number[]> = { kernel_shape: [kh, kw], strides: [op.stride, op.stride], pads: [ch.before, cw.before, ch.after, cw.after] };
            if (ch.extra > 0 || cw.extra > 0) attrs.output_padding = [ch.extra, cw.extra];
            h = this.node('ConvTranspose', inputs, attrs);
            image = [oh, ow, oc];
          }
          break;
        }
        case 'batchnorm': {
          // Not after a dense or conv layer (those fold it): a per-feature scale and shift.
          const { scale, shift } = this.batchNormAffine(op);
          const shape = layout === 'nchw' ? [scale.length, 1, 1] : [scale.length]; // vaekit normalizes the last axis (features or NHWC channels)
          h = this.node('Add', [this.node('Mul', [h, this.constant(op.gamma, shape, Float32Array.from(scale))]), this.constant(op.beta, shape, Float32Array.from(shift))]);
          break;
        }
        case 'activation':
          h = this.activation(op.fn, h);
          break;
        case 'log':
          h = this.node('Log', [h]);
          break;
        case 'reshape': {
          toVaekitOrder();
          h = this.node('Reshape', [h, this.constant('shape', [op.shape.length + 1], [-1, ...op.shape], true)]); // [N, ...shape]
          if (op.shape.length === 3) {
            image = [op.shape[0], op.shape[1], op.shape[2]];
            h = this.node('Transpose', [h], { perm: [0, 3, 1, 2] }); // [N, H, W, C] -> [N, C, H, W]
            layout = 'nchw';
          } else layout = op.shape.length === 1 ? 'rows' : 'nhwc'; // rows, or any other array in vaekit's own order
          break;
        }
        case 'crop': {
          if (layout !== 'nchw') throw new UsageError(`${at}: a crop needs an image`);
          const starts = this.constant('starts', [2], [0, 0], true);
          const ends = this.constant('ends', [2], [op.height, op.width], true);
          const axes = this.constant('axes', [2], [2, 3], true);
          h = this.node('Slice', [h, starts, ends, axes]); // [N, C, height, width]
          image = [op.height, op.width, image[2]];
          break;
        }
        case 'transpose':
          toVaekitOrder();
          h = this.node('Transpose', [h], { perm: op.perm });
          layout = 'nhwc'; // whatever it is, it is now in vaekit's own order
          break;
        default:
          throw new UsageError(`${at}: the ONNX export does not know this op`);
      }
    }
    toVaekitOrder();
    return h;
  }

  activation(fn: string, h: string): string {
    switch (fn) {
      case 'linear':
        return h;
      case 'relu':
        return this.node('Relu', [h]);
      case 'leakyRelu':
        return this.node('LeakyRelu', [h], { alpha: { float: LEAKY_RELU_SLOPE } });
      case 'sigmoid':
        return this.node('Sigmoid', [h]);
      case 'tanh':
        return this.node('Tanh', [h]);
      case 'elu':
        return this.node('Elu', [h], { alpha: { float: 1 } });
      case 'softplus':
        return this.node('Softplus', [h]);
      default:
        throw new UsageError(`${this.where}: activation '${fn}' has no ONNX export`);
    }
  }

  /** Evaluation-mode BatchNorm as y = x * scale + shift per feature, computed in float64. */
  batchNormAffine(op: Extract<GraphOp, { op: 'batchnorm' }>): { scale: Float64Array; shift: Float64Array } {
    const [mean, variance, gamma, beta] = [op.mean, op.variance, op.gamma, op.beta].map((n) => this.weight(n).data);
    const scale = new Float64Array(mean.length);
    const shift = new Float64Array(mean.length);
    for (let j = 0; j < mean.length; j++) {
      scale[j] = gamma[j] / Math.sqrt(variance[j] + op.epsilon);
      shift[j] = beta[j] - mean[j] * scale[j];
    }
    return { scale, shift };
  }
}

type Affine = { scale: Float64Array; shift: Float64Array };
type Floats = Float32Array<ArrayBufferLike>;

/** Dense kernel [in, out] with a per-output affine after it: scale every column, shift the bias. */
function foldIntoColumns(kernel: Floats, bias: Floats, out: number, { scale, shift }: Affine): { kernel: Floats; bias: Floats } {
  const k = kernel.map((v, i) => v * scale[i % out]);
  const b = bias.map((v, j) => v * scale[j] + shift[j]);
  return { kernel: k, bias: b };
}

/** Conv kernel [out, ...] with a per-output affine after it: scale every output's block of weights. */
function foldIntoRows(kernel: Floats, bias: Floats, out: number, { scale, shift }: Affine): { kernel: Floats; bias: Floats } {
  const per = kernel.length / out;
  const k = kernel.map((v, i) => v * scale[Math.floor(i / per)]);
  const b = bias.map((v, j) => v * scale[j] + shift[j]);
  return { kernel: k, bias: b };
}

/** ConvTranspose kernel [in, out, kh, kw] with a per-output affine after it. */
function foldIntoConvTranspose(kernel: Floats, bias: Floats, shape: number[], { scale, shift }: Affine): { kernel: Floats; bias: Floats } {
  const [, out, kh, kw] = shape;
  const k = kernel.map((v, i) => v * scale[Math.floor(i / (kh * kw)) % out]);
  const b = bias.map((v, j) => v * scale[j] + shift[j]);
  return { kernel: k, bias: b };
}

function valueInfo(name: string, dims: (number | string)[], elemType = onnx.TensorProto.DataType.FLOAT): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

function modelBytes(b: GraphBuilder, name: string, inputs: onnxProto.onnx.IValueInfoProto[], outputs: onnxProto.onnx.IValueInfoProto[], doc: string): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'vaekit',
    producerVersion: VERSION,
    docString: doc,
    graph: { name, node: b.nodes, initializer: b.initializers, input: inputs, output: outputs },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Converts a saved model (model.json's metadata and weights.bin's bytes) to ONNX. The encoder maps `x` [N, D] (and a
 * conditional model's `label` [N], int64) to `mean` [N, L] and, for a VAE, `logVar` [N, L]; the decoder maps `z` [N, L]
 * (and `label`) to `params`, the decoder output that docs/model-format.md's likelihood table reads, and `xMean`, the mean
 * of p(x|z). BatchNorm is folded into the layer before it. `where` names the model in errors.
 *
 * @example
 * const { encoder, decoder } = toOnnx(metadata, weightBytes);
 * writeFileSync('encoder.onnx', encoder);
 */
export function toOnnx(metadata: ModelMetadata, weights: Uint8Array, where = 'model'): OnnxModels {
  const entries = new Map(metadata.weights.map((e) => [e.name, e]));
  const lookup: WeightLookup = (name) => {
    const e = entries.get(name);
    if (!e) throw new UsageError(`${where}: the graph names weight '${name}', which the weights manifest lacks`);
    return { shape: e.shape, data: readEntry(weights, e) };
  };
  const { graph, kind, inputDim: D, latentDim: L, likelihood } = metadata;
  const conditional = kindConfig(kind)?.conditional === true;
  const classes = conditional ? (metadata.config as { classes?: number }).classes : undefined;
  if (conditional && !classes) throw new UsageError(`${where}: a ${kind} without config.classes cannot be exported`);

  /** [N, F] -> [N, F + K] with the one-hot label, for a conditional model. */
  const condition = (b: GraphBuilder, h: string): string => {
    if (!classes) return h;
    const depth = b.constant('depth', [], [classes], true);
    const values = b.constant('onehot_values', [2], [0, 1]);
    const y = b.node('OneHot', ['label', depth, values], { axis: -1 }); // [N, K]
    return b.node('Concat', [h, y], { axis: 1 }); // [N, F + K]
  };
  const labelInput = classes ? [valueInfo('label', ['N'], onnx.TensorProto.DataType.INT64)] : [];
  const doc = `vaekit ${kind} (${metadata.dataset ?? 'unknown data'}); inputShape [${metadata.inputShape.join(', ')}], flattened row-major (NHWC for images); likelihood ${JSON.stringify(likelihood)}`;

  const enc = new GraphBuilder(lookup, where);
  const trunk = enc.run(graph.encoder, condition(enc, 'x'), 'encoder');
  enc.node('Identity', [enc.run(graph.heads.mean, trunk, 'heads.mean')], {}, 'mean');
  const encOutputs = [valueInfo('mean', ['N', L])];
  if (graph.heads.logVar) {
    enc.node('Identity', [enc.run(graph.heads.logVar, trunk, 'heads.logVar')], {}, 'logVar');
    encOutputs.push(valueInfo('logVar', ['N', L]));
  }

  const dec = new GraphBuilder(lookup, where);
  const params = dec.run(graph.decoder, condition(dec, 'z'), 'decoder');
  dec.node('Identity', [params], {}, 'params');
  let xMean: string;
  if (likelihood.kind === 'bernoulli') xMean = dec.node('Sigmoid', [params]);
  else {
    let m = params;
    if (likelihood.kind === 'gaussian' && likelihood.variance === 'learned') {
      m = dec.node('Slice', [params, dec.constant('starts', [1], [0], true), dec.constant('ends', [1], [D], true), dec.constant('axes', [1], [1], true)]); // [N, D]
    }
    xMean = dec.activation(likelihood.meanActivation ?? 'linear', m);
  }
  dec.node('Identity', [xMean], {}, 'xMean');
  const paramsWidth = likelihood.kind === 'gaussian' && likelihood.variance === 'learned' ? 2 * D : D;

  return {
    encoder: modelBytes(enc, 'vaekit_encoder', [valueInfo('x', ['N', D]), ...labelInput], encOutputs, doc),
    decoder: modelBytes(dec, 'vaekit_decoder', [valueInfo('z', ['N', L]), ...labelInput], [valueInfo('params', ['N', paramsWidth]), valueInfo('xMean', ['N', D])], doc),
    signature: {
      encoder: { inputs: ['x', ...(classes ? ['label'] : [])], outputs: encOutputs.map((o) => o.name as string) },
      decoder: { inputs: ['z', ...(classes ? ['label'] : [])], outputs: ['params', 'xMean'] },
    },
  };
}
