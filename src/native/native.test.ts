/** The native backend against tfjs's CPU backend, kernel by kernel and on a short training run; skipped when the addon is not built. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../engine/tf.js';
import { initBackend } from '../engine/backend.js';
import { loadAddon, type NativeAddon } from './addon.js';
import { FUSED_ADAM, fusedBernoulliLogLikelihood, fusedKlStandardNormal, registerNativeBackend } from './index.js';
import { fusedBatchNormTrain, fusedBiasAct, STEP_ACTIVATIONS } from '../engine/fused.js';
import { activate, LEAKY_RELU_SLOPE } from '../nn/activations.js';
import { classifyBroadcast } from './kernels.js';

function tryLoad(): NativeAddon | undefined {
  try {
    return loadAddon();
  } catch {
    return undefined;
  }
}
const addon = tryLoad();

/** mulberry32: a small seeded generator, so every failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Input {
  shape: number[];
  values: Float32Array | Uint8Array;
  dtype?: 'float32' | 'bool';
}

function uniform(r: () => number, shape: number[], lo = -1, hi = 1): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, values: Float32Array.from({ length: n }, () => lo + (hi - lo) * r()) };
}

type Op = (...xs: tf.Tensor[]) => tf.Tensor;

interface Result {
  shape: number[];
  dtype: string;
  values: Float32Array | Int32Array | Uint8Array;
}

/** Runs `op` on fresh tensors on `backend`, returns a copy of the output and disposes everything. */
async function runOn(backend: string, op: Op, inputs: Input[]): Promise<Result> {
  await tf.setBackend(backend);
  const xs = inputs.map((i) => tf.tensor(i.values.slice(), i.shape, i.dtype ?? 'float32'));
  const y = tf.tidy(() => op(...xs));
  const out = { shape: y.shape, dtype: y.dtype, values: (y.dataSync() as Float32Array).slice() };
  tf.dispose([...xs, y]);
  return out;
}

/** Element-wise: |native - cpu| <= rtol |cpu| + atol, NaN where the CPU has NaN, equal infinities. */
function expectClose(got: Result, want: Result, rtol = 1e-5, atol = 1e-6, label = ''): void {
  expect(got.shape, label).toEqual(want.shape);
  expect(got.dtype, label).toBe(want.dtype);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.values.length; i++) {
    const g = got.values[i];
    const w = want.values[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w) && !(Number.isNaN(g) && Number.isNaN(w))) {
        throw new Error(`${label}: element ${i} is ${g}, expected ${w}`);
      }
      continue;
    }
    const excess = Math.abs(g - w) - (rtol * Math.abs(w) + atol);
    if (!(excess <= worst)) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      at = i;
    }
  }
  if (at >= 0) throw new Error(`${label}: element ${at} is ${got.values[at]}, expected ${want.values[at]} (rtol ${rtol}, atol ${atol})`);
}

const ISAS = ['avx512', 'avx2', 'generic'];

/** Every instruction-set table this CPU runs (narrower ones are always available), and 1 or all threads. */
function configs(): { isa: string; threads: number }[] {
  const out: { isa: string; threads: number }[] = [];
  const pool = addon!.info().poolSize;
  for (const isa of ISAS) {
    if (addon!.setIsa(isa) !== isa) continue;
    out.push({ isa, threads: pool });
    if (isa === 'avx512' && pool > 1) out.push({ isa, threads: 1 });
  }
  addon!.setIsa('auto');
  return out;
}

/** Compares `op` on native (every ISA table) with the CPU backend. */
async function compareOp(
  op: Op,
  inputs: Input[],
  label: string,
  check: (got: Result, want: Result, label: string) => void = (g, w, l) => expectClose(g, w, 1e-5, 1e-6, l),
): Promise<void> {
  const want = await runOn('cpu', op, inputs);
  for (const { isa, threads } of configs()) {
    addon!.setIsa(isa);
    addon!.setThreads(threads);
    try {
      check(await runOn('native', op, inputs), want, `${label} [${isa}, ${threads} thread(s)]`);
    } finally {
      addon!.setIsa('auto');
      addon!.setThreads(addon!.info().poolSize);
    }
  }
}

/**
 * Matmul criterion: a length-K dot product in float32 has a forward error bound proportional to
 * sum_k |a_ik b_kj| (not to |c_ij|, which cancellation can make arbitrarily small), whatever the order of summation.
 * So each element's error is measured relative to that sum (computed on the CPU as |A| |B|) and must be <= 1e-5;
 * blocked summation keeps the actual error near sqrt(K) u |A||B|, ~2e-6 at K = 784.
 */
function matmulCheck(scale: Result) {
  return (got: Result, want: Result, label: string) => {
    expect(got.shape, label).toEqual(want.shape);
    for (let i = 0; i < want.values.length; i++) {
      const err = Math.abs(got.values[i] - want.values[i]);
      if (!(err <= 1e-5 * scale.values[i] + 1e-30)) {
        throw new Error(`${label}: element ${i} is ${got.values[i]}, expected ${want.values[i]} (|A||B| = ${scale.values[i]})`);
      }
    }
  };
}

describe.skipIf(!addon)('native backend', () => {
  let tensorsBefore = 0;

  beforeAll(async () => {
    await import('../engine/cpu-backend.js'); // the cpu kernels the native backend inherits
    await registerNativeBackend();
    await tf.setBackend('native');
    tensorsBefore = tf.memory().numTensors;
  });

  afterAll(() => {
    addon!.setIsa('auto');
    addon!.setThreads(addon!.info().poolSize);
  });

  it('is what initBackend("auto") picks when the addon loads', async () => {
    const choice = await initBackend('auto');
    expect(choice.name).toBe('native');
    expect(choice.notices).toEqual([]);
  });

  it('registers every CPU kernel, and the fused Adam kernel', () => {
    const cpu = new Set(tf.getKernelsForBackend('cpu').map((k) => k.kernelName));
    const native = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    for (const name of cpu) expect(native.has(name), name).toBe(true);
    expect(native.has(FUSED_ADAM)).toBe(true);
  });

  it('BatchMatMul matches the CPU for every transpose, odd sizes and batches', async () => {
    const r = rng(1);
    const sizes: [number, number, number][] = [
      [1, 1, 1], [1, 7, 1], [5, 1, 9], [3, 5, 7], [8, 32, 16], [13, 33, 17], [9, 65, 300], [37, 100, 513],
      [128, 400, 784],
    ];
    for (const [m, n, k] of sizes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = uniform(r, ta ? [k, m] : [m, k]);
          const b = uniform(r, tb ? [n, k] : [k, n]);
          const abs = { shape: a.shape, values: a.values.map(Math.abs) };
          const absB = { shape: b.shape, values: b.values.map(Math.abs) };
          const scale = await runOn('cpu', (x, y) => tf.matMul(x, y, ta, tb), [abs, absB]);
          await compareOp((x, y) => tf.matMul(x, y, ta, tb), [a, b], `matMul ${m}x${n}x${k} ${ta}/${tb}`, matmulCheck(scale));
        }
      }
    }
  });

  it('BatchMatMul handles batch dims: equal, broadcast from 1, rank 4, and the mixed case via the CPU', async () => {
    const r = rng(2);
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 5, 7], [3, 7, 4], false, false],
      [[3, 7, 5], [1, 4, 7], true, true],
      [[5, 7], [2, 7, 6], false, false], // rank-2 a broadcast over b's batch
      [[2, 3, 4, 6], [2, 3, 6, 5], false, false],
      [[2, 1, 4, 6], [1, 3, 6, 5], false, false], // mixed broadcast: left to the CPU kernel
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const a = uniform(r, sa);
      const b = uniform(r, sb);
      const scale = await runOn('cpu', (x, y) => tf.matMul(tf.abs(x), tf.abs(y), ta, tb), [a, b]);
      await compareOp((x, y) => tf.matMul(x, y, ta, tb), [a, b], `batched ${sa} x ${sb}`, matmulCheck(scale));
    }
  });

  it('_FusedMatMul matches for each activation, with and without bias; unsupported cases fall back', async () => {
    const r = rng(3);
    const acts = ['linear', 'relu', 'sigmoid', 'relu6', 'leakyrelu', 'elu'] as const;
    for (const [m, n, k] of [[1, 1, 1], [13, 33, 17], [128, 40, 400]] as [number, number, number][]) {
      const a = uniform(r, [m, k]);
      const b = uniform(r, [k, n]);
      const bias = uniform(r, [n]);
      for (const activation of acts) {
        for (const withBias of [true, false]) {
          const op: Op = (x, y, z) =>
            tf.fused.matMul({ a: x, b: y, bias: withBias ? z : undefined, activation, leakyreluAlpha: 0.1 });
          // Activations are monotone and 1-Lipschitz (sigmoid 1/4), so the matmul criterion carries over.
          const scale = await runOn('cpu', (x, y, z) => tf.add(tf.matMul(tf.abs(x), tf.abs(y)), withBias ? tf.abs(z) : 0), [a, b, bias]);
          await compareOp(op, [a, b, bias], `fused ${m}x${n}x${k} ${activation} bias=${withBias}`, matmulCheck(scale));
        }
      }
      // prelu and a full-shape bias are left to the CPU kernel.
      const alpha = uniform(r, [n]);
      const full = uniform(r, [m, n]);
      await compareOp((x, y, z, w) => tf.fused.matMul({ a: x, b: y, bias: w, activation: 'prelu', preluActivationWeights: z }),
        [a, b, alpha, full], `fused prelu ${m}x${n}x${k}`, (g, w, l) => expectClose(g, w, 1e-4, 1e-5, l));
    }
  });

  it('unary ops match on odd sizes, including the threaded size', async () => {
    const r = rng(4);
    const ops: [string, Op, number, number][] = [
      ['neg', tf.neg, -3, 3], ['exp', tf.exp, -20, 20], ['exp (extremes)', tf.exp, -100, 100], ['log', tf.log, 1e-6, 50],
      ['log1p', tf.log1p, -0.999, 50], ['sqrt', tf.sqrt, 0, 50], ['rsqrt', tf.rsqrt, 1e-3, 50], ['square', tf.square, -3, 3],
      ['abs', tf.abs, -3, 3], ['relu', tf.relu, -3, 3], ['relu6', tf.relu6, -8, 8], ['sigmoid', tf.sigmoid, -30, 30],
      ['softplus', tf.softplus, -30, 30], ['step', (x) => tf.step(x, 0.3), -3, 3], ['reciprocal', tf.reciprocal, 0.1, 5],
      ['expm1', tf.expm1, -3, 3], ['tanh', tf.tanh, -12, 12], ['tanh (near 0)', tf.tanh, -0.7, 0.7],
      ['leakyRelu', (x) => tf.leakyRelu(x, 0.15), -3, 3],
    ];
    for (const n of [1, 15, 17, 1000, 100003]) {
      for (const [name, op, lo, hi] of ops) {
        await compareOp(op, [uniform(r, [n], lo, hi)], `${name} n=${n}`);
      }
    }
    // Special values: 0, -0, +-inf, NaN.
    const specials = { shape: [7], values: new Float32Array([0, -0, Infinity, -Infinity, NaN, 1e-30, -1e-30]) };
    for (const [name, op] of ops) await compareOp(op, [specials], `${name} specials`);
  });

  it('binary ops match for same shapes, scalars, rows, columns and the general broadcast via the CPU', async () => {
    const r = rng(5);
    const ops: [string, Op][] = [
      ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum],
      ['minimum', tf.minimum], ['squaredDifference', tf.squaredDifference],
    ];
    const shapes: [number[], number[]][] = [
      [[1], [1]], [[7, 13], [7, 13]], [[1], [7, 13]], [[7, 13], []], [[7, 13], [13]], [[13], [7, 13]],
      [[7, 13], [7, 1]], [[7, 1], [7, 13]], [[2, 3, 5], [3, 5]], [[2, 3, 5], [2, 1, 1]], [[2, 3, 5], [1, 1, 5]],
      [[2, 1, 5], [1, 3, 1]], [[300, 401], [401]], [[300, 401], [300, 1]], [[300, 401], [300, 401]],
    ];
    for (const [sa, sb] of shapes) {
      const a = uniform(r, sa, -2, 2);
      // Divisors kept away from 0 so that the quotients are well conditioned.
      const b = uniform(r, sb, 0.5, 2);
      for (const [name, op] of ops) await compareOp(op, [a, b], `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
    }
  });

  it('classifies broadcasts', () => {
    expect(classifyBroadcast([4, 5], [4, 5])?.mode).toBe(0);
    expect(classifyBroadcast([4, 5], [5])).toMatchObject({ mode: 4, inner: 5 });
    expect(classifyBroadcast([4, 5], [4, 1])).toMatchObject({ mode: 6, inner: 5 });
    expect(classifyBroadcast([2, 1, 5], [1, 3, 1])).toBeUndefined();
    expect(classifyBroadcast([4, 5], [3])).toBeUndefined();
  });

  it('comparisons and select match', async () => {
    const r = rng(6);
    const ops: [string, Op][] = [
      ['greater', tf.greater], ['greaterEqual', tf.greaterEqual], ['less', tf.less], ['lessEqual', tf.lessEqual],
      ['equal', tf.equal], ['notEqual', tf.notEqual],
    ];
    for (const [sa, sb] of [[[9, 33], [9, 33]], [[9, 33], [33]], [[9, 33], []], [[9, 33], [9, 1]]] as [number[], number[]][]) {
      // Rounded values so that ties (equal, >=) occur.
      const a = { shape: sa, values: uniform(r, sa, -3, 3).values.map(Math.round) };
      const b = { shape: sb, values: uniform(r, sb, -3, 3).values.map(Math.round) };
      for (const [name, op] of ops) await compareOp(op, [a, b], `${name} ${sa} ${sb}`);
    }
    for (const n of [5, 100003]) {
      const cond = { shape: [n], values: Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)), dtype: 'bool' as const };
      await compareOp((c, x, y) => tf.where(c, x, y), [cond, uniform(r, [n]), uniform(r, [n])], `select n=${n}`);
    }
  });

  it('Sum and Mean match over leading, trailing, all and (via the CPU) middle axes', async () => {
    const r = rng(7);
    const cases: [number[], number | number[] | undefined][] = [
      [[17], undefined], [[7, 13], 1], [[7, 13], 0], [[7, 13], -1], [[2, 3, 5], [1, 2]], [[2, 3, 5], [0, 1]],
      [[2, 3, 5], 1], [[128, 784], 1], [[128, 784], 0], [[300, 1000], undefined], [[1, 1], 0],
    ];
    for (const [shape, axis] of cases) {
      const x = uniform(r, shape);
      // Sums cancel too: measure the error against the sum of |x| over the same axes.
      const scale = await runOn('cpu', (t) => tf.sum(tf.abs(t), axis), [x]);
      const n = shape.reduce((a, b) => a * b, 1) / scale.values.length;
      for (const keepDims of [false, true]) {
        await compareOp((t) => tf.sum(t, axis, keepDims), [x], `sum ${shape} axis ${axis} keep ${keepDims}`, (g, w, l) => {
          expect(g.shape, l).toEqual(w.shape);
          w.values.forEach((v, i) => expect(Math.abs(g.values[i] - v), `${l} [${i}]`).toBeLessThanOrEqual(1e-6 * scale.values[i] + 1e-7));
        });
        await compareOp((t) => tf.mean(t, axis, keepDims), [x], `mean ${shape} axis ${axis} keep ${keepDims}`, (g, w, l) => {
          w.values.forEach((v, i) => expect(Math.abs(g.values[i] - v), `${l} [${i}]`).toBeLessThanOrEqual((1e-6 * scale.values[i]) / n + 1e-7));
        });
      }
    }
  });

  it('Conv2D, fused conv and both backprops match for strides, paddings and filter sizes (NHWC)', async () => {
    const r = rng(10);
    type Pad = 'same' | 'valid' | number;
    const cases: [number[], number[], number | [number, number], Pad][] = [
      [[1, 1, 1, 1], [1, 1, 1, 1], 1, 'valid'],
      [[2, 5, 5, 3], [3, 3, 3, 4], 1, 'same'],
      [[3, 7, 6, 2], [3, 3, 2, 5], 2, 'same'],
      [[2, 8, 8, 4], [5, 5, 4, 3], [2, 1], 'valid'],
      [[2, 9, 7, 3], [3, 2, 3, 6], 2, 1],
      [[4, 6, 6, 8], [1, 1, 8, 7], 1, 'valid'], // pointwise: no im2col
      [[2, 14, 14, 16], [4, 4, 16, 32], 2, 'same'],
      [[1, 13, 11, 3], [5, 5, 3, 7], 2, 'same'], // batch 1, odd sizes, 5x5
      [[1, 9, 9, 4], [1, 1, 4, 6], 2, 'valid'], // 1x1 with stride 2: im2col, not the pointwise GEMM
      [[9, 29, 31, 2], [3, 3, 2, 8], 2, 'same'], // many row blocks, some spanning two images
      [[5, 17, 15, 3], [5, 5, 3, 16], 1, 'valid'],
      [[3, 6, 7, 90], [3, 3, 90, 5], 1, 'same'], // a deep column (810): the whole-matrix plan
    ];
    for (const [xs, ws, strides, pad] of cases) {
      const x = uniform(r, xs);
      const w = uniform(r, ws);
      const bias = uniform(r, [ws[3]]);
      const probe = await runOn('cpu', (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), [x, w]);
      const rr = uniform(r, probe.shape);
      const label = `conv ${xs} * ${ws} stride ${strides} pad ${pad}`;
      const abs = (i: Input): Input => ({ shape: i.shape, values: i.values.map(Math.abs) });
      // As for matmul, errors are measured against the same sums over |terms|: conv(|x|, |w|) and its gradients.
      const forward: Op = (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad);
      await compareOp(forward, [x, w], label, matmulCheck(await runOn('cpu', forward, [abs(x), abs(w)])));
      const fused: Op = (a, b, c) => tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides, pad, bias: c, activation: 'relu' });
      const fusedScale: Op = (a, b, c) => tf.add(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), c);
      await compareOp(fused, [x, w, bias], `fused ${label}`, matmulCheck(await runOn('cpu', fusedScale, [abs(x), abs(w), abs(bias)])));
      for (const wrt of [0, 1]) {
        const grad: Op = (a, b, c) => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(forward(p, q), c)))([a, b])[wrt];
        await compareOp(grad, [x, w, rr], `${wrt ? 'dW' : 'dx'} ${label}`, matmulCheck(await runOn('cpu', grad, [abs(x), abs(w), abs(rr)])));
      }
    }
    // Dilation and NCHW are left to the CPU kernels.
    const x = uniform(r, [1, 7, 7, 2]);
    const w = uniform(r, [3, 3, 2, 2]);
    await compareOp((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NHWC', 2), [x, w], 'dilated conv', (g, want, l) => expectClose(g, want, 1e-4, 1e-5, l));
  });

  it('training-mode batch norm (one kernel and its gradient) equals the tf-ops path on the CPU, and so do relu and leaky ReLU gradients', async () => {
    const r = rng(12);
    // The op takes the native kernel where the backend has it and tf ops elsewhere, so the CPU run is the reference.
    const bn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const x2 = x as tf.Tensor2D;
      const fused = fusedBatchNormTrain({ x: x2, gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D, epsilon: 1e-5 });
      if (fused) return tf.concat([tf.reshape(fused.y, [-1]), fused.mean, fused.variance]);
      const { mean, variance } = tf.moments(x2, 0);
      return tf.concat([tf.reshape(tf.batchNorm(x2, mean, variance, b, g, 1e-5), [-1]), mean, variance]);
    };
    const y = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.reshape(tf.slice(bn(x, g, b), 0, x.size), x.shape);
    // [2, 1]: the smallest batch; [3136, 5]: NHWC maps [16, 14, 14, 5] viewed as rows; an offset of 40 tests precision.
    for (const [shape, offset] of [[[2, 1], 0], [[7, 3], 0], [[3136, 5], 0], [[64, 33], 40]] as [number[], number][]) {
      const x = uniform(r, shape, offset - 1, offset + 1);
      const g = uniform(r, [shape[1]], 0.5, 1.5);
      const b = uniform(r, [shape[1]]);
      const rr = uniform(r, shape);
      const label = `batch norm [${shape}] around ${offset}`;
      await compareOp(bn, [x, g, b], label, (got, want, l) => expectClose(got, want, 1e-4, 1e-5, l));
      for (const wrt of [0, 1, 2]) {
        const grad: Op = (a, c, d, e) => tf.grads((p: tf.Tensor, q: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(y(p, q, s), e)))([a, c, d])[wrt];
        await compareOp(grad, [x, g, b, rr], `${['dx', 'dgamma', 'dbeta'][wrt]} ${label}`, (got, want, l) => expectClose(got, want, 1e-4, 1e-5, l));
      }
    }
    // tf.batchNorm with per-channel vectors (evaluation mode) runs natively on any rank.
    const x4 = uniform(r, [3, 5, 4, 6]);
    const [m, v, g, b] = [uniform(r, [6]), uniform(r, [6], 0.1, 2), uniform(r, [6]), uniform(r, [6])];
    await compareOp((a, c, d, e, f) => tf.batchNorm(a as tf.Tensor4D, c, d, e, f, 1e-3), [x4, m, v, b, g], 'batch norm, running statistics');
    const xs = uniform(r, [9, 31]);
    xs.values[0] = 0; // the kink: both paths take the zero side's slope
    const dy = uniform(r, [9, 31]);
    for (const [name, f] of [['relu', (t: tf.Tensor) => tf.relu(t)], ['leakyRelu', (t: tf.Tensor) => tf.leakyRelu(t, 0.2)]] as const) {
      await compareOp((a, c) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), c)))(a), [xs, dy], `${name} gradient`, (got, want, l) => expectClose(got, want, 0, 0, l));
    }
  });

  it('bias + activation and batch norm + activation, fused, equal the tf ops on the CPU for every activation, with their gradients', async () => {
    const r = rng(13);
    const x = uniform(r, [2, 7, 5, 6], -3, 3); // NHWC maps: the bias and batch norm run over the last axis
    x.values[0] = 0; // relu's kink: both paths take the zero side's slope
    const bias = uniform(r, [6]);
    const gamma = uniform(r, [6], 0.5, 1.5);
    const dy = uniform(r, [2, 7, 5, 6]);
    for (const fn of STEP_ACTIVATIONS) {
      // Each op takes the fused kernel where the backend has it and tf ops elsewhere, so the CPU run is the reference.
      const biasAct: Op = (a, b) => fusedBiasAct({ x: a, bias: b as tf.Tensor1D, activation: fn, leakySlope: LEAKY_RELU_SLOPE }) ?? activate(fn, tf.add(a, b) as tf.Tensor2D);
      const bn: Op = (a, g, b) => {
        const rows = tf.reshape(a, [-1, 6]) as tf.Tensor2D;
        const fused = fusedBatchNormTrain({ x: rows, gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D, epsilon: 1e-5, activation: fn, leakySlope: LEAKY_RELU_SLOPE });
        if (fused) return tf.reshape(fused.y, a.shape);
        const { mean, variance } = tf.moments(rows, 0);
        return tf.reshape(activate(fn, tf.batchNorm(rows, mean, variance, b, g, 1e-5) as tf.Tensor2D), a.shape);
      };
      const close = (got: Result, want: Result, l: string) => expectClose(got, want, 1e-4, 1e-5, l);
      await compareOp(biasAct, [x, bias], `${fn}(x + bias)`, close);
      await compareOp(bn, [x, gamma, bias], `${fn}(batchNorm(x))`, close);
      for (const wrt of [0, 1]) {
        const grad: Op = (a, b, c) => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(biasAct(p, q), c)))([a, b])[wrt];
        await compareOp(grad, [x, bias, dy], `${fn}(x + bias): d${wrt ? 'bias' : 'x'}`, close);
      }
      for (const wrt of [0, 1, 2]) {
        const grad: Op = (a, g, b, c) => tf.grads((p: tf.Tensor, q: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(bn(p, q, s), c)))([a, g, b])[wrt];
        await compareOp(grad, [x, gamma, bias, dy], `${fn}(batchNorm(x)): ${['dx', 'dgamma', 'dbeta'][wrt]}`, close);
      }
    }
  });

  it('the fused ELBO terms and their gradients equal the tf-ops formulas on the CPU', async () => {
    const r = rng(11);
    const bernoulli = (x: tf.Tensor, l: tf.Tensor) =>
      tf.sum(tf.sub(tf.sub(tf.mul(x, l), tf.relu(l)), tf.log1p(tf.exp(tf.neg(tf.abs(l))))), 1);
    const kl = (m: tf.Tensor, lv: tf.Tensor) => tf.mul(tf.sum(tf.sub(tf.sub(tf.add(lv, 1), tf.square(m)), tf.exp(lv)), 1), -0.5);
    const fusedB = (x: tf.Tensor, l: tf.Tensor) => fusedBernoulliLogLikelihood({ x: x as tf.Tensor2D, logits: l as tf.Tensor2D }) ?? bernoulli(x, l);
    const fusedK = (m: tf.Tensor, lv: tf.Tensor) => fusedKlStandardNormal({ mean: m as tf.Tensor2D, logVar: lv as tf.Tensor2D }) ?? kl(m, lv);
    await tf.setBackend('cpu');
    expect(tf.tidy(() => fusedBernoulliLogLikelihood({ x: tf.zeros([1, 1]), logits: tf.zeros([1, 1]) }))).toBeUndefined();
    for (const [b, d] of [[1, 1], [3, 17], [128, 784], [128, 20]]) {
      const x = uniform(r, [b, d], 0, 1);
      const l = uniform(r, [b, d], -30, 30);
      const w = uniform(r, [b], -2, 2); // a random upstream gradient per example
      for (const [name, composite, fused] of [['bernoulli', bernoulli, fusedB], ['kl', kl, fusedK]] as const) {
        const args = name === 'kl' ? [uniform(r, [b, d], -3, 3), uniform(r, [b, d], -5, 5)] : [x, l];
        // Sums of d terms: errors against the sum of the terms' magnitudes, as for Sum.
        const absTerms = await runOn('cpu', (p, q) => tf.sum(tf.abs(name === 'kl'
          ? tf.sub(tf.sub(tf.add(q, 1), tf.square(p)), tf.exp(q))
          : tf.sub(tf.sub(tf.mul(p, q), tf.relu(q)), tf.log1p(tf.exp(tf.neg(tf.abs(q)))))), 1), args);
        const want = await runOn('cpu', composite, args);
        const got = await runOn('native', fused, args);
        want.values.forEach((v, i) => expect(Math.abs(got.values[i] - v), `${name} ${b}x${d} [${i}]`).toBeLessThanOrEqual(2e-6 * absTerms.values[i] + 1e-6));
        for (const wrt of [0, 1]) {
          const g = (f: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor) => (p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) =>
            tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(f(u, v), c)))([p, q])[wrt];
          expectClose(await runOn('native', g(fused), [...args, w]), await runOn('cpu', g(composite), [...args, w]), 1e-5, 1e-6, `d${name}/d${wrt} ${b}x${d}`);
        }
      }
    }
  });

  it('VaekitAdam equals an Adam step written with tf ops on the CPU (PyTorch form, as src/train/adam.ts)', async () => {
    const r = rng(8);
    const shape = [37, 129];
    const init = [uniform(r, shape), uniform(r, shape, 0, 0), uniform(r, shape, 0, 0)];
    const grads = Array.from({ length: 5 }, () => uniform(r, shape, -0.1, 0.1));
    const o = { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    const run = async (backend: string): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      let [p, m, v] = init.map((i) => tf.tensor(i.values, i.shape));
      grads.forEach((gi, t) => {
        const g = tf.tensor(gi.values, gi.shape);
        const step = t + 1;
        let next: tf.Tensor[];
        if (backend === 'native') {
          next = tf.engine().runKernel(FUSED_ADAM, { param: p, m, v, grad: g }, { ...o, step }) as tf.Tensor[];
        } else {
          next = tf.tidy(() => {
            const bc1 = 1 - Math.pow(o.beta1, step);
            const sqrtBc2 = Math.sqrt(1 - Math.pow(o.beta2, step));
            const m2 = tf.add(tf.mul(m, o.beta1), tf.mul(g, 1 - o.beta1));
            const v2 = tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
            const denom = tf.add(tf.div(tf.sqrt(v2), sqrtBc2), o.epsilon);
            return [tf.sub(p, tf.mul(tf.div(m2, denom), o.lr / bc1)), m2, v2];
          });
        }
        tf.dispose([p, m, v, g]);
        [p, m, v] = next;
      });
      const out = [p, m, v].map((t) => (t.dataSync() as Float32Array).slice());
      tf.dispose([p, m, v]);
      return out;
    };
    const want = await run('cpu');
    const got = await run('native');
    want.forEach((w, i) => expectClose({ shape, dtype: 'float32', values: got[i] }, { shape, dtype: 'float32', values: w }, 1e-5, 1e-9, ['param', 'm', 'v'][i]));
  });

  it('trains a small VAE-like MLP to the same loss curve as the CPU backend', async () => {
    // 64-32-(8, 8)-32-64 with ReLU, Bernoulli likelihood from logits (summed), analytic KL, batch mean; Adam with
    // tf ops on the CPU, the fused kernel on native (and a second native run with the fused ELBO terms). Float32 rounding differs (FMA, blocked sums) by ~1e-7 per
    // op and training carries it forward, so losses must agree to 1e-4 relative at each of 30 steps.
    const r = rng(9);
    const dims = [[64, 32], [32, 8], [32, 8], [8, 32], [32, 64]];
    const weights = dims.flatMap(([i, o]) => [uniform(r, [i, o], -1 / Math.sqrt(i), 1 / Math.sqrt(i)), uniform(r, [o], -0.1, 0.1)]);
    // Four noisy prototypes, so that there is something to learn in 30 steps.
    const prototypes = Array.from({ length: 4 }, () => Array.from({ length: 64 }, () => (r() < 0.5 ? 0.05 : 0.95)));
    const xs = { shape: [32, 64], values: Float32Array.from({ length: 32 * 64 }, (_, i) => Math.min(1, Math.max(0, prototypes[Math.floor(i / 64) % 4][i % 64] + 0.1 * (r() - 0.5)))) };
    const eps = Array.from({ length: 30 }, () => uniform(r, [32, 8], -1.7, 1.7));
    const train = async (backend: string, fusedTerms = false): Promise<number[]> => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const vars = weights.map((w, i) => tf.tidy(() => tf.variable(tf.tensor(w.values, w.shape), true, `${backend}-w${i}`)));
      const slots: tf.Tensor[][] = vars.map((v) => [tf.zerosLike(v), tf.zerosLike(v)]);
      const x = tf.tensor2d(xs.values, xs.shape as [number, number]);
      const losses: number[] = [];
      for (let step = 1; step <= eps.length; step++) {
        const e = tf.tensor2d(eps[step - 1].values, [32, 8]);
        const { value, grads } = tf.variableGrads(() => {
          const [w1, b1, wm, bm, wl, bl, w3, b3, w4, b4] = vars;
          const h = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' });
          const mean = tf.add(tf.matMul(h, wm), bm);
          const logVar = tf.add(tf.matMul(h, wl), bl);
          const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), e));
          const h3 = tf.relu(tf.add(tf.matMul(z, w3), b3));
          const logits = tf.fused.matMul({ a: h3, b: w4, bias: b4 });
          const logLik = (fusedTerms && fusedBernoulliLogLikelihood({ x, logits: logits as tf.Tensor2D })) ||
            tf.sum(tf.sub(tf.sub(tf.mul(x, logits), tf.relu(logits)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), 1);
          const kl = (fusedTerms && fusedKlStandardNormal({ mean: mean as tf.Tensor2D, logVar: logVar as tf.Tensor2D })) ||
            tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mean)), tf.exp(logVar)), 1), -0.5);
          return tf.mean(tf.sub(kl, logLik)) as tf.Scalar;
        }, vars);
        losses.push(value.dataSync()[0]);
        const o = { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
        vars.forEach((p, i) => {
          const g = grads[p.name];
          const [m, v] = slots[i];
          const next =
            backend === 'native'
              ? (tf.engine().runKernel(FUSED_ADAM, { param: p, m, v, grad: g }, { ...o, step }) as tf.Tensor[])
              : tf.tidy(() => {
                  const bc1 = 1 - Math.pow(o.beta1, step);
                  const sqrtBc2 = Math.sqrt(1 - Math.pow(o.beta2, step));
                  const m2 = tf.add(tf.mul(m, o.beta1), tf.mul(g, 1 - o.beta1));
                  const v2 = tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
                  const denom = tf.add(tf.div(tf.sqrt(v2), sqrtBc2), o.epsilon);
                  return [tf.sub(p, tf.mul(tf.div(m2, denom), o.lr / bc1)), m2, v2];
                });
          p.assign(next[0]);
          tf.dispose([m, v, next[0]]);
          slots[i] = [next[1], next[2]];
        });
        tf.dispose([value, e, ...Object.values(grads)]);
      }
      tf.dispose([x, ...vars, ...slots.flat()]);
      expect(tf.memory().numTensors, `tensors left by training on ${backend}`).toBe(before);
      return losses;
    };
    const cpu = await train('cpu');
    const native = await train('native');
    const fused = await train('native', true);
    expect(cpu[cpu.length - 1]).toBeLessThan(cpu[0] * 0.9); // it does learn
    cpu.forEach((l, i) => expect(Math.abs(native[i] - l), `step ${i + 1}`).toBeLessThanOrEqual(1e-4 * Math.abs(l)));
    cpu.forEach((l, i) => expect(Math.abs(fused[i] - l), `fused terms, step ${i + 1}`).toBeLessThanOrEqual(1e-4 * Math.abs(l)));
  });

  it('leaks no tensors', async () => {
    await tf.setBackend('native');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('never recycles an array that was read out or aliased', async () => {
    await tf.setBackend('native');
    const a = tf.fill([64, 64], 2);
    const y = tf.mul(a, 3); // a pooled output
    const read = y.dataSync();
    y.dispose();
    const z = tf.mul(a, 5); // same size: must not reuse y's array, which the caller still holds
    expect(read[0]).toBe(6);
    const zs = tf.tidy(() => tf.reshape(tf.slice(z, [0, 0], [32, 64]), [2048])); // the CPU slice is a view on z's array
    z.dispose();
    const w = tf.mul(a, 7);
    expect(zs.dataSync()[0]).toBe(10);
    tf.dispose([a, zs, w]);
  });

  it('VaekitAdam writes in place only into arrays nobody else can see', async () => {
    await tf.setBackend('native');
    const attrs = { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 1 };
    const step = (param: tf.Tensor, m: tf.Tensor, v: tf.Tensor) =>
      tf.engine().runKernel(FUSED_ADAM, { param, m, v, grad: tf.onesLike(param) }, attrs) as tf.Tensor[];
    const fresh = () => tf.mul(tf.ones([64, 64]), 1); // pool-allocated outputs
    // Read out (dataSync hands over the backend's array): must not change under the reader.
    const [p1, m1, v1] = [fresh(), fresh(), fresh()];
    const seen = p1.dataSync();
    const out1 = step(p1, m1, v1);
    expect(seen[0]).toBe(1);
    expect(out1[0].dataSync()[0]).toBeCloseTo(1 - Math.sqrt(0.001), 6); // m = v = 1: step lr / (1 - b1) * sqrt(1 - b2)
    // Shared by a clone: must not change for the clone.
    const [p2, m2, v2] = [fresh(), fresh(), fresh()];
    const clone = p2.clone();
    const out2 = step(p2, m2, v2);
    expect(clone.dataSync()[0]).toBe(1);
    expect(out2[0].dataSync()[0]).toBeCloseTo(1 - Math.sqrt(0.001), 6);
    tf.dispose([p1, m1, v1, p2, m2, v2, clone, ...out1, ...out2]);
  });
});
