/**
 * beta-TCVAE's estimators as the native kernel (VaekitTcLogQ and its gradient, src/native/addon/tc.inc) against the
 * tf ops of src/objectives/tc.ts on tfjs's CPU backend: the same MI, TC and dimension-wise KL per example, and the
 * same gradients of a weighted sum of them at z, mean and logVar. Skipped when the addon is not built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../engine/tf.js';
import { initBackend } from '../engine/backend.js';
import { Rng } from '../engine/rng.js';
import { FUSED_TC } from '../engine/fused.js';
import { tcTerms, type TcEstimator } from '../objectives/tc.js';
import { addonLoads } from './addon.js';

const available = addonLoads();

interface Result {
  terms: number[][];
  grads: number[][];
  kernels: string[];
}

/** The three terms of seeded codes [b, l] and the gradients of mean(0.7 MI + 3 TC + 1.3 dimKl) on `backend`. */
async function evaluate(backend: 'cpu' | 'native', b: number, l: number, estimator: TcEstimator, datasetSize: number): Promise<Result> {
  await initBackend(backend);
  const rng = new Rng(b * 100 + l);
  const mean = tf.tensor2d(rng.normalArray(b * l), [b, l]);
  const logVar = tf.tensor2d(Float32Array.from(rng.uniformArray(b * l, -2, 1)), [b, l]);
  const z = tf.tensor2d(Float32Array.from(rng.normalArray(b * l), (e, i) => mean.dataSync()[i] + Math.exp(logVar.dataSync()[i] / 2) * e), [b, l]);
  const before = tf.memory().numTensors;
  let terms: number[][] = [];
  let grads: number[][] = [];
  const profile = await tf.profile(() => {
    const t = tcTerms({ z, mean, logVar, estimator, datasetSize });
    terms = [t.mi, t.tc, t.dimKl].map((x) => Array.from(x.dataSync()));
    tf.dispose([t.mi, t.tc, t.dimKl]);
    const g = tf.grads((zz: tf.Tensor, m: tf.Tensor, lv: tf.Tensor) => {
      const u = tcTerms({ z: zz as tf.Tensor2D, mean: m as tf.Tensor2D, logVar: lv as tf.Tensor2D, estimator, datasetSize });
      return tf.mean(tf.addN([tf.mul(u.mi, 0.7), tf.mul(u.tc, 3), tf.mul(u.dimKl, 1.3)]));
    })([z, mean, logVar]);
    grads = g.map((x) => Array.from(x.dataSync()));
    tf.dispose(g);
  });
  expect(tf.memory().numTensors, 'live tensors').toBe(before);
  tf.dispose([z, mean, logVar]);
  return { terms, grads, kernels: profile.kernels.map((k) => k.name) };
}

function expectClose(got: number[][], want: number[][], tolerance: number, what: string): void {
  got.forEach((row, r) => {
    const scale = Math.max(1, ...want[r].map(Math.abs));
    row.forEach((v, i) => expect(Math.abs(v - want[r][i]) / scale, `${what} ${r}[${i}]: ${v} vs ${want[r][i]}`).toBeLessThan(tolerance));
  });
}

describe.skipIf(!available)('the TC estimators as a native kernel', () => {
  let previous: string;
  beforeAll(() => {
    previous = tf.getBackend();
  });
  afterAll(async () => {
    await initBackend(previous as 'native');
  });

  // Batches below, at and above the 16-float vectors and the kernel's four parts; one example (no other point).
  const cases: [number, number, TcEstimator, number][] = [
    [9, 3, 'mws', 1000],
    [9, 3, 'mss', 1000],
    [37, 5, 'mss', 60000],
    [37, 5, 'mws', 60000],
    [2, 4, 'mss', 10],
    [1, 3, 'mss', 100],
  ];
  for (const [b, l, estimator, n] of cases) {
    it(`${estimator}, a batch of ${b} codes of ${l}, N ${n}: the tf ops' terms and gradients`, async () => {
      const cpu = await evaluate('cpu', b, l, estimator, n);
      const native = await evaluate('native', b, l, estimator, n);
      expect(native.kernels).toContain(FUSED_TC.forward);
      expect(native.kernels).toContain(FUSED_TC.grad);
      expect(cpu.kernels).not.toContain(FUSED_TC.forward);
      expectClose(native.terms, cpu.terms, 2e-5, 'term');
      expectClose(native.grads, cpu.grads, 2e-5, 'gradient');
    });
  }
});
