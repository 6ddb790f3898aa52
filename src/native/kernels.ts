/**
 * The native kernels: tfjs kernel functions that run the addon on the CPU backend's Float32Arrays (outputs from the
 * backend's pool), and fall back to the CPU kernel for every case they do not cover (other dtypes, general
 * broadcasting, unusual axes, dilated or NCHW convolutions); plus the fused kernels named in fused.ts.
 */
import { tf } from '../engine/tf.js';
import type { NativeBackend } from './backend.js';
import { ACT, BCAST, BINARY, COMPARE, UNARY, type ConvDims, type NativeAddon } from './addon.js';
import { FUSED, FUSED_ADAM, FUSED_BATCH_NORM, FUSED_BIAS_ACT, FUSED_ELBO_STEP, FUSED_LEAKY_RELU_GRAD, FUSED_LOG_WEIGHTS, FUSED_TC, type FusedActivationAttrs, FUSED_VAE_FORWARD, type FusedAdamAttrs, type FusedElboAttrs, type FusedVaeForwardAttrs } from '../engine/fused.js';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type TensorInfo = tf.TensorInfo;
type Args = Parameters<KernelFunc>[0];

/** The kernels a native backend overrides, by tfjs kernel name. */
export type KernelTable = Record<string, KernelFunc>;

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function f32(backend: NativeBackend, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const v = backend.data.get(t.dataId)?.values;
  if (v instanceof Float32Array) return v;
  // tfjs's Cast from bool or int32 to float32 shares the source's data (the same dataId, its Uint8Array or Int32Array)
  // under the float32 dtype (logSumExp's and max's gradients make one). Read it as float32 once, into a copy cached
  // beside the source array, never written back (the bool or int32 tensor still owns that data), so that the kernels
  // here take it instead of tfjs's generic loops (128 ms against 1 ms for a [10, 256, 256] product).
  if (v instanceof Uint8Array || v instanceof Int32Array) {
    const cached = castCopies.get(v);
    if (cached) return cached;
    const copy = Float32Array.from(v);
    castCopies.set(v, copy);
    return copy;
  }
  return undefined;
}

/** Float32 copies of the bool or int32 arrays that casts to float32 share (see f32), alive as long as their source. */
const castCopies = new WeakMap<Uint8Array | Int32Array, Float32Array>();

function output(backend: NativeBackend, shape: number[], values: Float32Array | Uint8Array, dtype: 'float32' | 'bool') {
  return backend.makeTensorInfo(shape, dtype, values);
}

/** The CPU backend's own kernel, used for whatever a native kernel does not handle. */
function cpuKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'cpu');
  if (!k) throw new Error(`the cpu backend has no ${name} kernel`);
  return k.kernelFunc;
}

// ------------------------------------------------------------------ matmul

interface MatMulPlan {
  a: Float32Array;
  b: Float32Array;
  batch: number;
  m: number;
  n: number;
  k: number;
  strideA: number;
  strideB: number;
  outShape: number[];
}

/** Shapes of a (batched) product, or undefined for the cases left to the CPU kernel (mixed batch broadcasting). */
function planMatMul(backend: NativeBackend, a: TensorInfo, b: TensorInfo, ta: boolean, tb: boolean): MatMulPlan | undefined {
  const av = f32(backend, a);
  const bv = f32(backend, b);
  if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = tb ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return undefined; // the CPU kernel throws tfjs's own error message
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  let outer: number[];
  if (batchA === batchB && outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else if (batchB === 1 && outerB.length <= outerA.length) outer = outerA;
  else if (batchA === 1 && outerA.length <= outerB.length) outer = outerB;
  else return undefined;
  const batch = Math.max(batchA, batchB);
  if (m * n * batch === 0) return undefined;
  return {
    a: av, b: bv, batch, m, n, k,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
    outShape: [...outer, m, n],
  };
}

function batchMatMul(addon: NativeAddon): KernelFunc {
  const fallback = cpuKernel('BatchMatMul');
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const p = planMatMul(backend, a, b, transposeA, transposeB);
    if (!p) return fallback(args);
    const c = backend.alloc(p.batch * p.m * p.n);
    addon.gemm(p.a, p.b, c, p.batch, p.m, p.n, p.k, +transposeA, +transposeB, p.strideA, p.strideB, null, 0, 0);
    return output(backend, p.outShape, c, 'float32');
  };
}

function fusedMatMul(addon: NativeAddon): KernelFunc {
  const fallback = cpuKernel('_FusedMatMul');
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
      activation?: string;
      leakyreluAlpha?: number;
    };
    const act = ACT[(activation ?? 'linear') as keyof typeof ACT];
    if (act === undefined || preluActivationWeights) return fallback(args);
    const p = planMatMul(backend, a!, b!, transposeA, transposeB);
    if (!p) return fallback(args);
    let biasValues: Float32Array | null = null;
    if (bias) {
      // Only a bias that is one row of N values, broadcast over all rows (the Dense layer case).
      const bv = f32(backend, bias);
      const rowLike = bias.shape.length >= 1 && bias.shape[bias.shape.length - 1] === p.n && sizeOf(bias.shape) === p.n;
      if (!bv || !rowLike || bias.shape.length > p.outShape.length) return fallback(args);
      biasValues = bv;
    }
    const c = backend.alloc(p.batch * p.m * p.n);
    addon.gemm(p.a, p.b, c, p.batch, p.m, p.n, p.k, +transposeA, +transposeB, p.strideA, p.strideB, biasValues, act,
      leakyreluAlpha ?? 0.2);
    return output(backend, p.outShape, c, 'float32');
  };
}

// ------------------------------------------------------------------ element-wise

function unary(addon: NativeAddon, name: keyof typeof UNARY): KernelFunc {
  const fallback = cpuKernel(name);
  const op = UNARY[name];
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const x = (args.inputs as { x: TensorInfo }).x;
    const xv = f32(backend, x);
    if (!xv) return fallback(args);
    const y = backend.alloc(xv.length);
    const alpha = name === 'Step' || name === 'LeakyRelu' ? ((args.attrs as { alpha?: number }).alpha ?? 0) : 0;
    addon.unary(op, xv, y, alpha);
    return output(backend, x.shape.slice(), y, 'float32');
  };
}

interface Bcast {
  mode: number;
  inner: number;
  shape: number[];
}

/**
 * The broadcast of two shapes when it is one the addon handles: equal shapes, a scalar, a row repeated over the
 * leading dims ([B, N] op [N]) or a column repeated along the trailing dims ([B, N] op [B, 1]).
 */
export function classifyBroadcast(sa: readonly number[], sb: readonly number[]): Bcast | undefined {
  if (sa.length === sb.length && sa.every((d, i) => d === sb[i])) {
    return sizeOf(sa) === 0 ? undefined : { mode: BCAST.same, inner: 1, shape: sa.slice() };
  }
  let shape: number[];
  try {
    shape = tf.backend_util.assertAndGetBroadcastShape(sa as number[], sb as number[]);
  } catch {
    return undefined;
  }
  const na = sizeOf(sa);
  const nb = sizeOf(sb);
  const n = sizeOf(shape);
  if (n === 0) return undefined;
  if (na === n && nb === n) {
    // Equal sizes with a valid broadcast means equal shapes up to leading 1s.
    return { mode: BCAST.same, inner: 1, shape };
  }
  if (na === 1 && nb === n) return { mode: BCAST.aScalar, inner: 1, shape };
  if (nb === 1 && na === n) return { mode: BCAST.bScalar, inner: 1, shape };
  const rowOrCol = (full: readonly number[], part: readonly number[], isA: boolean): Bcast | undefined => {
    // Right-align `part` against `full` (= the output shape).
    const r = full.length;
    const p = [...Array(r - part.length).fill(1), ...part];
    // Row: p is 1 on a leading block and equal to full on the trailing block.
    let lead = 0;
    while (lead < r && p[lead] === 1) lead++;
    if (p.slice(lead).every((d, i) => d === full[lead + i])) {
      return { mode: isA ? BCAST.aRow : BCAST.bRow, inner: sizeOf(full.slice(lead)), shape };
    }
    // Column: p equals full on a leading block and is 1 on the trailing block.
    let trail = r;
    while (trail > 0 && p[trail - 1] === 1) trail--;
    if (p.slice(0, trail).every((d, i) => d === full[i])) {
      return { mode: isA ? BCAST.aCol : BCAST.bCol, inner: sizeOf(full.slice(trail)), shape };
    }
    return undefined;
  };
  if (na === n) return rowOrCol(shape, sb, false);
  if (nb === n) return rowOrCol(shape, sa, true);
  return undefined;
}

function binary(addon: NativeAddon, name: keyof typeof BINARY): KernelFunc {
  const fallback = cpuKernel(name);
  const op = BINARY[name];
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const av = f32(backend, a);
    const bv = f32(backend, b);
    if (!av || !bv) return fallback(args);
    const bc = classifyBroadcast(a.shape, b.shape);
    if (!bc) return fallback(args);
    const y = backend.alloc(sizeOf(bc.shape));
    addon.binary(op, bc.mode, av, bv, y, bc.inner);
    return output(backend, bc.shape, y, 'float32');
  };
}

function compare(addon: NativeAddon, name: keyof typeof COMPARE): KernelFunc {
  const fallback = cpuKernel(name);
  const op = COMPARE[name];
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const av = f32(backend, a);
    const bv = f32(backend, b);
    if (!av || !bv) return fallback(args);
    const bc = classifyBroadcast(a.shape, b.shape);
    if (!bc) return fallback(args);
    const y = new Uint8Array(sizeOf(bc.shape));
    addon.compare(op, bc.mode, av, bv, y, bc.inner);
    return output(backend, bc.shape, y, 'bool');
  };
}

function select(addon: NativeAddon): KernelFunc {
  const fallback = cpuKernel('Select');
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { condition, t, e } = args.inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
    const cv = backend.data.get(condition.dataId)?.values;
    const tv = f32(backend, t);
    const ev = f32(backend, e);
    const n = sizeOf(t.shape);
    if (!(cv instanceof Uint8Array) || condition.dtype !== 'bool' || !tv || !ev || cv.length !== n || ev.length !== n) {
      return fallback(args);
    }
    const y = backend.alloc(n);
    addon.select(cv, tv, ev, y);
    return output(backend, t.shape.slice(), y, 'float32');
  };
}

// ------------------------------------------------------------------ reductions

function reduce(addon: NativeAddon, name: 'Sum' | 'Mean'): KernelFunc {
  const fallback = cpuKernel(name);
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const x = (args.inputs as { x: TensorInfo }).x;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const xv = f32(backend, x);
    if (!xv || xv.length === 0) return fallback(args);
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape as number[]))].sort((p, q) => p - q);
    if (axes.length === 0) return fallback(args);
    const leading = axes.every((d, i) => d === i);
    const trailing = axes.every((d, i) => d === rank - axes.length + i);
    if (!leading && !trailing) return fallback(args);
    const reduced = sizeOf(axes.map((d) => x.shape[d]));
    const kept = xv.length / reduced;
    const y = backend.alloc(kept);
    if (trailing) addon.sumRows(xv, y, kept, reduced);
    else addon.sumCols(xv, y, reduced, kept);
    if (name === 'Mean') addon.binary(BINARY.RealDiv, BCAST.bScalar, y, new Float32Array([reduced]), y, 1);
    const shape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    return output(backend, shape, y, 'float32');
  };
}

// ------------------------------------------------------------------ convolution

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The addon's conv dims for NHWC with dilation 1, or undefined (NCHW, dilation) for the CPU kernel. */
function convDims(xShape: number[], filterShape: number[], attrs: ConvAttrs): ConvDims | undefined {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || xShape.length !== 4 || filterShape.length !== 4) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number], attrs.strides,
    attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth,
    info.outChannels,
  ];
}

function conv2d(addon: NativeAddon, fused: boolean): KernelFunc {
  const fallback = cpuKernel(fused ? 'FusedConv2D' : 'Conv2D');
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs & { activation?: string; leakyreluAlpha?: number };
    const xv = f32(backend, x!);
    const wv = f32(backend, filter!);
    const act = ACT[(attrs.activation ?? 'linear') as keyof typeof ACT];
    const dims = xv && wv && act !== undefined && !preluActivationWeights ? convDims(x!.shape, filter!.shape, attrs) : undefined;
    if (!dims) return fallback(args);
    const [n, , , , , , , , , , oh, ow, cout] = dims;
    let bv: Float32Array | null = null;
    if (bias) {
      const b = f32(backend, bias);
      if (!b || b.length !== cout) return fallback(args);
      bv = b;
    }
    const y = backend.alloc(n * oh * ow * cout);
    addon.conv2d(xv!, wv!, y, ...dims, bv, act, attrs.leakyreluAlpha ?? 0.2);
    return output(backend, [n, oh, ow, cout], y, 'float32');
  };
}

function conv2dBackpropInput(addon: NativeAddon): KernelFunc {
  const fallback = cpuKernel('Conv2DBackpropInput');
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    const dyv = f32(backend, dy);
    const wv = f32(backend, filter);
    const dims = dyv && wv ? convDims(attrs.inputShape, filter.shape, attrs) : undefined;
    if (!dims) return fallback(args);
    const dx = backend.alloc(sizeOf(attrs.inputShape));
    addon.conv2dBackpropInput(dyv!, wv!, dx, ...dims);
    return output(backend, attrs.inputShape.slice(), dx, 'float32');
  };
}

function conv2dBackpropFilter(addon: NativeAddon): KernelFunc {
  const fallback = cpuKernel('Conv2DBackpropFilter');
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    const xv = f32(backend, x);
    const dyv = f32(backend, dy);
    const dims = xv && dyv ? convDims(x.shape, attrs.filterShape, attrs) : undefined;
    if (!dims) return fallback(args);
    const dw = backend.alloc(sizeOf(attrs.filterShape));
    addon.conv2dBackpropFilter(xv!, dyv!, dw, ...dims);
    return output(backend, attrs.filterShape.slice(), dw, 'float32');
  };
}

// ------------------------------------------------------------------ activation gradients

/** VaekitLeakyReluGrad: inputs {dy, x} of one shape, attr alpha; output dx = x > 0 ? dy : alpha dy. */
function leakyReluGrad(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { dy, x } = args.inputs as Record<string, TensorInfo>;
    const { alpha } = args.attrs as unknown as { alpha: number };
    const [dyv, xv] = [f32(backend, dy), f32(backend, x)];
    if (!dyv || !xv || dyv.length !== xv.length) throw new Error(`${FUSED_LEAKY_RELU_GRAD}: expected float32 dy and x of one shape`);
    const dx = backend.alloc(xv.length);
    addon.leakyReluGrad(dyv, xv, dx, alpha);
    return output(backend, x.shape.slice(), dx, 'float32');
  };
}

/** VaekitBiasAct: inputs {x [..., C], bias [C]}, attrs activation, leakySlope; output act(x + bias). */
function biasAct(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { x, bias } = args.inputs as Record<string, TensorInfo>;
    const { activation, leakySlope } = args.attrs as unknown as FusedActivationAttrs;
    const c = x.shape[x.shape.length - 1];
    const xv = f32(backend, x);
    const bv = channelVector(backend, bias, c);
    if (!xv || !bv || !xv.length) throw new Error(`${FUSED_BIAS_ACT.forward}: expected float32 x [..., C] and bias [C], got [${x.shape}] and [${bias.shape}]`);
    const y = backend.alloc(xv.length);
    addon.biasAct(xv, bv, y, xv.length / c, c, activation, leakySlope);
    return output(backend, x.shape.slice(), y, 'float32');
  };
}

/** VaekitBiasActGrad: inputs {dy, y} of one shape [..., C], the forward's attrs; outputs [dx, dbias]. */
function biasActGrad(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { dy, y } = args.inputs as Record<string, TensorInfo>;
    const { activation, leakySlope } = args.attrs as unknown as FusedActivationAttrs;
    const c = y.shape[y.shape.length - 1];
    const [dyv, yv] = [f32(backend, dy), f32(backend, y)];
    if (!dyv || !yv || dyv.length !== yv.length) throw new Error(`${FUSED_BIAS_ACT.grad}: expected float32 dy and y of one shape`);
    const dx = backend.alloc(yv.length);
    const db = backend.alloc(c);
    addon.biasActGrad(dyv, yv, dx, db, yv.length / c, c, activation, leakySlope);
    return [output(backend, y.shape.slice(), dx, 'float32'), output(backend, [c], db, 'float32')];
  };
}

// ------------------------------------------------------------------ beta-TCVAE's estimators

/** The float32 inputs of both TC kernels and the batch's shape; throws naming the kernel when one is off. */
function tcInputs(backend: NativeBackend, inputs: Record<string, TensorInfo>, name: string) {
  const { z, mean, logVar, logWeights } = inputs;
  const [b, l] = z.shape;
  const [zv, mv, lvv, wv] = [z, mean, logVar, logWeights].map((t) => f32(backend, t));
  const same = (t: TensorInfo) => t.shape.length === 2 && t.shape[0] === b && t.shape[1] === l;
  if (!zv || !mv || !lvv || !wv || !same(z) || !same(mean) || !same(logVar) || (wv.length !== 1 && wv.length !== b * b)) {
    throw new Error(`${name}: expected float32 z, mean, logVar [B, L] and logWeights [B, B] or [1], got [${z.shape}], [${mean.shape}], [${logVar.shape}], [${logWeights.shape}]`);
  }
  return { zv, mv, lvv, wv, b, l };
}

/** VaekitTcLogQ: inputs {z, mean, logVar [B, L], logWeights [B, B] or [1]}; outputs [logJoint [B], logMarg [B]]. */
function tcLogQ(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { zv, mv, lvv, wv, b, l } = tcInputs(backend, args.inputs as Record<string, TensorInfo>, FUSED_TC.forward);
    const [joint, marg] = [backend.alloc(b), backend.alloc(b)];
    addon.tcLogQ(zv, mv, lvv, wv, b, l, joint, marg);
    return [output(backend, [b], joint, 'float32'), output(backend, [b], marg, 'float32')];
  };
}

/** VaekitTcLogQGrad: the forward's inputs and {gJoint, gMarg [B]}; outputs [dz, dMean, dLogVar], each [B, L]. */
function tcLogQGrad(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const inputs = args.inputs as Record<string, TensorInfo>;
    const { zv, mv, lvv, wv, b, l } = tcInputs(backend, inputs, FUSED_TC.grad);
    const [gJ, gM] = [f32(backend, inputs.gJoint), f32(backend, inputs.gMarg)];
    if (!gJ || !gM || gJ.length !== b || gM.length !== b) throw new Error(`${FUSED_TC.grad}: expected float32 gJoint and gMarg [${b}]`);
    const [dz, dm, dlv] = [backend.alloc(b * l), backend.alloc(b * l), backend.alloc(b * l)];
    addon.tcLogQGrad(zv, mv, lvv, wv, b, l, gJ, gM, dz, dm, dlv);
    return [output(backend, [b, l], dz, 'float32'), output(backend, [b, l], dm, 'float32'), output(backend, [b, l], dlv, 'float32')];
  };
}

// ------------------------------------------------------------------ batch normalization

/** The per-column vector of a batch norm's [C] input, or undefined when it is absent or broadcast otherwise. */
function channelVector(backend: NativeBackend, t: TensorInfo | undefined, c: number): Float32Array | null | undefined {
  if (!t) return null;
  const v = f32(backend, t);
  return v && v.length === c && t.shape[t.shape.length - 1] === c ? v : undefined;
}

/**
 * FusedBatchNorm (tf.batchNorm, inference and the portable training path): native when mean, variance, offset and
 * scale are per-channel vectors over x's last axis; the CPU kernel for other broadcasts.
 */
function batchNormInference(addon: NativeAddon): KernelFunc {
  const fallback = cpuKernel('FusedBatchNorm');
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    const c = x!.shape[x!.shape.length - 1];
    const xv = f32(backend, x!);
    const [mv, vv, bv, gv] = [mean, variance, offset, scale].map((t) => channelVector(backend, t, c));
    if (!xv || !xv.length || !mv || !vv || bv === undefined || gv === undefined) return fallback(args);
    const y = backend.alloc(xv.length);
    addon.batchNormApply(xv, mv, vv, gv, bv, y, xv.length / c, c, varianceEpsilon, 0, 0);
    return output(backend, x!.shape.slice(), y, 'float32');
  };
}

/** VaekitBatchNormTrain: inputs {x [R, C], gamma [C], beta [C]}, attrs epsilon and the activation; outputs [y, mean, variance]. */
function batchNormTrain(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { x, gamma, beta } = args.inputs as Record<string, TensorInfo>;
    const { epsilon, activation, leakySlope } = args.attrs as unknown as { epsilon: number } & FusedActivationAttrs;
    const [r, c] = x.shape;
    const xv = f32(backend, x);
    const gv = channelVector(backend, gamma, c);
    const bv = channelVector(backend, beta, c);
    if (x.shape.length !== 2 || !xv || !gv || !bv || r === 0) {
      throw new Error(`${FUSED_BATCH_NORM.train}: expected float32 x [R, C] and gamma, beta [C], got [${x.shape}], [${gamma.shape}], [${beta.shape}]`);
    }
    const mean = backend.alloc(c);
    const variance = backend.alloc(c);
    const y = backend.alloc(xv.length);
    addon.batchNormStats(xv, mean, variance, r, c);
    addon.batchNormApply(xv, mean, variance, gv, bv, y, r, c, epsilon, activation, leakySlope);
    return [output(backend, [r, c], y, 'float32'), output(backend, [c], mean, 'float32'), output(backend, [c], variance, 'float32')];
  };
}

/** VaekitBatchNormTrainGrad: inputs {x, gamma, y, mean, variance, dy}, the forward's attrs; outputs [dx, dgamma, dbeta]. */
function batchNormTrainGrad(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { x, gamma, y, mean, variance, dy } = args.inputs as Record<string, TensorInfo>;
    const { epsilon, activation, leakySlope } = args.attrs as unknown as { epsilon: number } & FusedActivationAttrs;
    const [r, c] = x.shape;
    const [xv, dyv, yv] = [f32(backend, x), f32(backend, dy), f32(backend, y)];
    const [gv, mv, vv] = [gamma, mean, variance].map((t) => channelVector(backend, t, c));
    if (!xv || !dyv || !yv || dyv.length !== xv.length || !gv || !mv || !vv) throw new Error(`${FUSED_BATCH_NORM.grad}: expected float32 inputs`);
    const dx = backend.alloc(xv.length);
    const dgamma = backend.alloc(c);
    const dbeta = backend.alloc(c);
    addon.batchNormGrad(xv, dyv, mv, vv, gv, activation ? yv : null, dx, dgamma, dbeta, r, c, epsilon, activation, leakySlope);
    return [output(backend, [r, c], dx, 'float32'), output(backend, [c], dgamma, 'float32'), output(backend, [c], dbeta, 'float32')];
  };
}

// ------------------------------------------------------------------ objective terms

/** Forward: inputs {x, logits} or {mean, logVar} of one [B, D] shape, output [B]. */
function objective(addon: NativeAddon, term: 0 | 1): KernelFunc {
  const name = term === 0 ? FUSED.bernoulli : FUSED.kl;
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const [a, b] = term === 0 ? [args.inputs.x!, args.inputs.logits!] : [args.inputs.mean!, args.inputs.logVar!];
    const av = f32(backend, a);
    const bv = f32(backend, b);
    if (!av || !bv || a.shape.length !== 2 || a.shape.some((d, i) => d !== b.shape[i])) {
      throw new Error(`${name}: expected two float32 [B, D] tensors of one shape, got [${a.shape}] and [${b.shape}]`);
    }
    const y = backend.alloc(a.shape[0]);
    addon.objective(term, av, bv, y, a.shape[0], a.shape[1]);
    return output(backend, [a.shape[0]], y, 'float32');
  };
}

/** Backward: inputs {a, b, dy} (the forward's two inputs in order), attr `wrt` 0 or 1: the gradient for that input. */
function objectiveGrad(addon: NativeAddon, term: 0 | 1): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { a, b, dy } = args.inputs as { a: TensorInfo; b: TensorInfo; dy: TensorInfo };
    const { wrt } = args.attrs as unknown as { wrt: 0 | 1 };
    const [av, bv, dyv] = [f32(backend, a), f32(backend, b), f32(backend, dy)];
    if (!av || !bv || !dyv) throw new Error(`${term === 0 ? FUSED.bernoulliGrad : FUSED.klGrad}: expected float32 inputs`);
    const g = backend.alloc(av.length);
    // The addon's outputs are (d logits, d x) for the Bernoulli term and (d mean, d logVar) for KL.
    const first = term === 0 ? wrt === 1 : wrt === 0;
    addon.objectiveGrad(term, av, bv, dyv, first ? g : null, first ? null : g, a.shape[0], a.shape[1]);
    return output(backend, a.shape.slice(), g, 'float32');
  };
}

// ------------------------------------------------------------------ optimizer


/**
 * VaekitAdam: inputs {param, m, v, grad} (float32, same shape), outputs [param', m', v'], one pass instead of the
 * ~11 element-wise kernels (and 11 output arrays) of an Adam update written with tf ops. It computes exactly what
 * src/train/adam.ts computes (PyTorch's form, bias corrections from the step count), with the same float32 scalars.
 * The outputs reuse the inputs' arrays where nothing else can see them (NativeBackend.takeForReuse): in place,
 * the update touches 4 arrays instead of 7, about twice as fast; the optimizer reassigns its variables at once.
 *
 * @example
 * if (tf.getKernel(FUSED_ADAM, tf.getBackend())) {
 *   const [p2, m2, v2] = tf.engine().runKernel(FUSED_ADAM, { param, m, v, grad }, { lr, beta1, beta2, epsilon, step }) as tf.Tensor[];
 * }
 */
function fusedAdam(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const { param, m, v, grad } = args.inputs as Record<string, TensorInfo>;
    const { lr, beta1, beta2, epsilon, step } = args.attrs as unknown as FusedAdamAttrs;
    const arrays = [param, m, v, grad].map((t) => (t ? f32(backend, t) : undefined));
    const n = sizeOf(param.shape);
    if (arrays.some((a) => !a || a.length !== n)) {
      throw new Error(`${FUSED_ADAM}: param, m, v and grad must be float32 tensors of one shape (param is [${param.shape}])`);
    }
    const [w, mv, vv, g] = arrays as Float32Array[];
    const out = [param, m, v].map((t) => backend.takeForReuse(t.dataId) ?? backend.alloc(n));
    const bc1 = 1 - Math.pow(beta1, step);
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
    addon.adam(w, mv, vv, g, out[0], out[1], out[2], beta1, beta2, 1 - beta1, 1 - beta2, epsilon, sqrtBc2, lr / bc1);
    return out.map((values) => output(backend, param.shape.slice(), values, 'float32'));
  };
}

/**
 * VaekitElboStep: inputs p0..pN-1 (parameters), m0.., v0.. (Adam moments), x, input, eps, and optionally dz, dMean,
 * dLogVar (a penalty's gradients at the codes, [B, L]); outputs the batch means
 * [loss, reconstruction, KL], then, unless every parameter and moment was updated in place, the N new parameters, N
 * new m and N new v. The whole step runs in the addon (elbo_step.inc).
 */
function elboStep(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const inputs = args.inputs as Record<string, TensorInfo>;
    const { ints, beta, leakySlope, lr, beta1, beta2, epsilon, step, iwaeK, iwaeGroups, iwaeElboWeight, iwaeEncoderGroups } = args.attrs as unknown as FusedElboAttrs;
    const n = Object.keys(inputs).filter((k) => k.startsWith('p')).length;
    const lists = ['p', 'm', 'v'].map((prefix) => Array.from({ length: n }, (_, i) => inputs[`${prefix}${i}`]));
    const arrays = lists.map((ts) => ts.map((t) => f32(backend, t)));
    const [x, input, eps] = [inputs.x, inputs.input, inputs.eps].map((t) => f32(backend, t));
    if (arrays.some((list) => list.some((a) => !a)) || !x || !input || !eps) throw new Error(`${FUSED_ELBO_STEP}: expected float32 inputs`);
    // The optional gradients of a penalty at the codes, [B, L] each (null: none).
    const codeGrads = [inputs.dz, inputs.dMean, inputs.dLogVar].map((t) => (t ? f32(backend, t) : null));
    if (codeGrads.some((g) => g === undefined)) throw new Error(`${FUSED_ELBO_STEP}: expected float32 code gradients`);
    const [dz, dMean, dLogVar] = codeGrads as (Float32Array | null)[];
    const bc1 = 1 - Math.pow(beta1, step);
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
    const hyper = Float64Array.of(beta, leakySlope, beta1, beta2, 1 - beta1, 1 - beta2, epsilon, sqrtBc2, lr / bc1, iwaeK ?? 0, iwaeGroups ?? 1, iwaeElboWeight ?? 0, iwaeEncoderGroups ?? 0);
    const means = new Float64Array(3);
    const [p, m, v] = arrays as Float32Array[][];
    const meansOut = () => output(backend, [3], Float32Array.from(means), 'float32');
    // Usually every parameter and moment array is private to its variable: update them in place and return the means
    // alone (about a millisecond of tensor bookkeeping saved per step). Otherwise (a checkpoint has read them out, or
    // the first step) write new arrays and return them for the caller to assign.
    if (lists.every((ts) => ts.every((t) => backend.privateArray(t.dataId)))) {
      addon.elboStep(p, m, v, p, m, v, Int32Array.from(ints), hyper, x, input, eps, means, dz, dMean, dLogVar);
      return [meansOut()];
    }
    // Outputs are claimed after every input is read: an input taken for reuse is still read by the kernel (in place).
    const outs = lists.map((ts) => ts.map((t) => backend.takeForReuse(t.dataId) ?? backend.alloc(sizeOf(t.shape))));
    addon.elboStep(p, m, v, outs[0], outs[1], outs[2], Int32Array.from(ints), hyper, x, input, eps, means, dz, dMean, dLogVar);
    const results = lists.flatMap((ts, k) => ts.map((t, i) => output(backend, t.shape.slice(), outs[k][i], 'float32')));
    return [meansOut(), ...results];
  };
}

/**
 * VaekitVaeForward: inputs p0..pN-1 (parameters), input, optional eps and x; outputs, as the attributes ask, the
 * decoded means [B, D], the posterior mean and logVar [B, L], and the per-example loss, reconstruction and KL [B].
 * The whole pass runs in the addon (vaeForward in elbo_step.inc).
 */
function vaeForward(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const inputs = args.inputs as Record<string, TensorInfo>;
    const { ints, beta, leakySlope, recon, posterior, terms } = args.attrs as unknown as FusedVaeForwardAttrs;
    const n = Object.keys(inputs).filter((k) => k.startsWith('p')).length;
    const params = Array.from({ length: n }, (_, i) => f32(backend, inputs[`p${i}`]));
    const input = f32(backend, inputs.input);
    const eps = inputs.eps ? f32(backend, inputs.eps) : null;
    const x = inputs.x ? f32(backend, inputs.x) : null;
    if (params.some((p) => !p) || !input || eps === undefined || x === undefined) throw new Error(`${FUSED_VAE_FORWARD}: expected float32 inputs`);
    const [b, d, l] = ints;
    const shapes: number[][] = [...(recon ? [[b, d]] : []), ...(posterior ? [[b, l], [b, l]] : []), ...(terms ? [[b], [b], [b]] : [])];
    const outs = shapes.map((shape) => backend.alloc(sizeOf(shape)));
    let k = 0;
    const next = (wanted: boolean) => (wanted ? outs[k++] : null);
    const reconOut = next(recon);
    const [meanOut, logVarOut] = [next(posterior), next(posterior)];
    const [lossOut, recOut, klOut] = [next(terms), next(terms), next(terms)];
    addon.vaeForward(params as Float32Array[], Int32Array.from(ints), Float64Array.of(beta, leakySlope), input, x, eps, reconOut, meanOut, logVarOut, lossOut, recOut, klOut);
    return outs.map((values, i) => output(backend, shapes[i], values, 'float32'));
  };
}

/**
 * VaekitVaeLogWeights: inputs p0..pN-1, input, x [B, D], eps [k * B, L]; attrs ints, leakySlope, k; output [B], or
 * with attr `samples` three outputs: the log-weights and log p(x|z) [k, B] and the KL [B].
 */
function vaeLogWeights(addon: NativeAddon): KernelFunc {
  return (args: Args) => {
    const backend = args.backend as NativeBackend;
    const inputs = args.inputs as Record<string, TensorInfo>;
    const { ints, leakySlope, k, samples } = args.attrs as unknown as { ints: number[]; leakySlope: number; k: number; samples?: boolean };
    const n = Object.keys(inputs).filter((key) => key.startsWith('p')).length;
    const params = Array.from({ length: n }, (_, i) => f32(backend, inputs[`p${i}`]));
    const [input, x, eps] = [inputs.input, inputs.x, inputs.eps].map((t) => f32(backend, t));
    if (params.some((p) => !p) || !input || !x || !eps) throw new Error(`${FUSED_LOG_WEIGHTS}: expected float32 inputs`);
    const b = inputs.input.shape[0];
    if (samples) {
      const [logW, logPx, kl] = [backend.alloc(k * b), backend.alloc(k * b), backend.alloc(b)];
      addon.vaeLogWeights(params as Float32Array[], Int32Array.from(ints), Float64Array.of(leakySlope, k), input, x, eps, null, logW, logPx, kl);
      return [output(backend, [k, b], logW, 'float32'), output(backend, [k, b], logPx, 'float32'), output(backend, [b], kl, 'float32')];
    }
    const out = new Float64Array(b);
    addon.vaeLogWeights(params as Float32Array[], Int32Array.from(ints), Float64Array.of(leakySlope, k), input, x, eps, out);
    return output(backend, [b], Float32Array.from(out), 'float32');
  };
}

/**
 * Builds the table of native kernel functions for `addon`.
 *
 * @example
 * for (const [name, kernelFunc] of Object.entries(nativeKernels(addon))) tf.registerKernel({ kernelName: name, backendName: 'native', kernelFunc });
 */
export function nativeKernels(addon: NativeAddon): KernelTable {
  const table: KernelTable = {
    BatchMatMul: batchMatMul(addon),
    _FusedMatMul: fusedMatMul(addon),
    Select: select(addon),
    Sum: reduce(addon, 'Sum'),
    Mean: reduce(addon, 'Mean'),
    Conv2D: conv2d(addon, false),
    FusedConv2D: conv2d(addon, true),
    Conv2DBackpropInput: conv2dBackpropInput(addon),
    Conv2DBackpropFilter: conv2dBackpropFilter(addon),
    FusedBatchNorm: batchNormInference(addon),
    [FUSED_LEAKY_RELU_GRAD]: leakyReluGrad(addon),
    [FUSED_BIAS_ACT.forward]: biasAct(addon),
    [FUSED_BIAS_ACT.grad]: biasActGrad(addon),
    [FUSED_TC.forward]: tcLogQ(addon),
    [FUSED_TC.grad]: tcLogQGrad(addon),
    [FUSED_BATCH_NORM.train]: batchNormTrain(addon),
    [FUSED_BATCH_NORM.grad]: batchNormTrainGrad(addon),
    [FUSED_ADAM]: fusedAdam(addon),
    [FUSED_ELBO_STEP]: elboStep(addon),
    [FUSED_VAE_FORWARD]: vaeForward(addon),
    [FUSED_LOG_WEIGHTS]: vaeLogWeights(addon),
    [FUSED.bernoulli]: objective(addon, 0),
    [FUSED.bernoulliGrad]: objectiveGrad(addon, 0),
    [FUSED.kl]: objective(addon, 1),
    [FUSED.klGrad]: objectiveGrad(addon, 1),
  };
  for (const name of Object.keys(UNARY) as (keyof typeof UNARY)[]) table[name] = unary(addon, name);
  for (const name of Object.keys(BINARY) as (keyof typeof BINARY)[]) table[name] = binary(addon, name);
  for (const name of Object.keys(COMPARE) as (keyof typeof COMPARE)[]) table[name] = compare(addon, name);
  return table;
}
