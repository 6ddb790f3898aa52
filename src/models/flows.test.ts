import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema, type ModelConfig } from '../config/schema.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { logPxByQuadrature } from '../../test/latent-integral.js';
import { logNormalDiag, logStandardNormal, reconstructionLoss } from '../objectives/index.js';
import { estimateNll } from '../evaluate/index.js';
import { buildModel, lossNames } from './index.js';
import { IafStep, Made, PlanarStep, RadialStep, madeMasks, type FlowStep } from './flows.js';
import type { FlowVae } from './flow-vae.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

/** f applied to one point [L] in float32 through tensors, read back as numbers. */
function apply(step: FlowStep, z: number[], h?: number[]): { z: number[]; logDet: number } {
  return tf.tidy(() => {
    const out = step.forward(tf.tensor2d([z]), h && tf.tensor2d([h]));
    return { z: Array.from(out.z.dataSync()), logDet: out.logDet.dataSync()[0] };
  });
}

/** The Jacobian df_i/dz_j at z by central differences of step `eps`, [L][L]. */
function jacobian(f: (z: number[]) => number[], z: number[], eps = 1e-2): number[][] {
  const l = z.length;
  const cols = z.map((_, j) => {
    const plus = f(z.map((v, k) => (k === j ? v + eps : v)));
    const minus = f(z.map((v, k) => (k === j ? v - eps : v)));
    return plus.map((p, i) => (p - minus[i]) / (2 * eps));
  });
  return Array.from({ length: l }, (_, i) => Array.from({ length: l }, (_, j) => cols[j][i]));
}

/** log |det A| by Gaussian elimination with partial pivoting, float64. */
function logAbsDet(a: number[][]): number {
  const m = a.map((r) => [...r]);
  const n = m.length;
  let log = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    log += Math.log(Math.abs(m[c][c]));
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k < n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return log;
}

const set = (v: tf.Variable, values: number[]) => tf.tidy(() => v.assign(tf.tensor(values, v.shape)));

/**
 * The step's log-determinant against a finite-difference Jacobian at a few points: |det| itself within 2e-3 (near a
 * singular Jacobian the log magnifies the differences' float32 error) and its log within 2e-3 where |det| > 0.2.
 */
function checkLogDet(step: FlowStep, latent: number, h?: number[]): void {
  const rng = new Rng(11);
  for (let t = 0; t < 4; t++) {
    const z = Array.from(rng.normalArray(latent));
    const want = logAbsDet(jacobian((p) => apply(step, p, h).z, z));
    const got = apply(step, z, h).logDet;
    expect(Math.abs(Math.exp(got) - Math.exp(want))).toBeLessThan(2e-3 * Math.max(1, Math.exp(want)));
    if (Math.exp(want) > 0.2) expect(Math.abs(got - want)).toBeLessThan(2e-3);
  }
}

describe('flow steps: the log-determinant against a finite-difference Jacobian', () => {
  it('planar: matches, and u_hat keeps w.u_hat >= -1 even when w.u is far below (the step stays invertible)', () => {
    const step = new PlanarStep({ name: 'flow.0', latent: 3, rng: new Rng(1) });
    set(step.u, [1.2, -0.7, 0.4]);
    set(step.w, [0.9, 1.1, -0.5]);
    set(step.b, [0.3]);
    checkLogDet(step, 3);
    set(step.u, [-3, -2, 1]); // w.u = -5.4
    const wuHat = tf.tidy(() => tf.sum(tf.mul(step.w, step.uHat())).arraySync() as number);
    expect(wuHat).toBeGreaterThanOrEqual(-1);
    checkLogDet(step, 3);
    for (const v of step.variables()) v.variable.dispose();
  });

  it('radial: matches, with beta near its bound -alpha as well as positive', () => {
    const step = new RadialStep({ name: 'flow.0', latent: 3, rng: new Rng(2) });
    set(step.z0, [0.3, -0.2, 0.5]);
    set(step.a, [0.5]); // alpha = softplus(0.5) = 0.974
    set(step.b, [2]); // beta = softplus(2) - alpha = 1.15
    checkLogDet(step, 3);
    set(step.b, [-4]); // beta = 0.018 - alpha, near -alpha
    checkLogDet(step, 3);
    for (const v of step.variables()) v.variable.dispose();
  });

  it('IAF: matches in both autoregressive orders, with a context vector', () => {
    for (const reverse of [false, true]) {
      const step = new IafStep({ name: 'flow.0', latent: 4, hidden: 10, context: 3, reverse, rng: new Rng(3) });
      // Larger MADE weights than the initialization, so the Jacobian's lower triangle is far from 0.
      tf.tidy(() => {
        for (const v of step.variables()) v.variable.assign(tf.mul(v.variable, 3));
      });
      checkLogDet(step, 4, [0.5, -1, 0.2]);
      for (const v of step.variables()) v.variable.dispose();
      step.made.dispose();
    }
  });

  it('MADE is autoregressive: the Jacobian of its outputs w.r.t. its input is strictly lower triangular, checked numerically', () => {
    const latent = 5;
    const made = new Made({ name: 'flow.0', latent, hidden: 12, context: 2, rng: new Rng(4) });
    const h = tf.tensor2d([[0.3, -0.4]]);
    for (const out of ['m', 's'] as const) {
      const f = (z: number[]) => tf.tidy(() => Array.from(made.apply(tf.tensor2d([z]), h)[out].dataSync()));
      const j = jacobian(f, Array.from(new Rng(5).normalArray(latent)));
      for (let i = 0; i < latent; i++) {
        for (let k = i; k < latent; k++) expect(Math.abs(j[i][k])).toBeLessThan(1e-6);
        // Every output after the first depends on some earlier input: the masks cut no more than they should.
        if (i > 0) expect(Math.max(...j[i].slice(0, i).map(Math.abs))).toBeGreaterThan(1e-4);
      }
    }
    const { inputMask, outputMask } = madeMasks(latent, 12);
    expect(inputMask.length).toBe(latent * 12);
    expect(outputMask.length).toBe(12 * latent);
    h.dispose();
    for (const v of made.variables()) v.variable.dispose();
    made.dispose();
  });
});

const D = 5;
const net = { encoder: { hidden: [6], activation: 'tanh' }, decoder: { hidden: [6], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } };
const build = (flow: Record<string, unknown>, latent: number, seed = 1) =>
  buildModel(modelSchema.parse({ kind: 'flow-vae', latent, flow, ...net }) as ModelConfig, D, new Rng(seed)) as FlowVae;
const binary = (n: number, seed: number) => Float32Array.from(new Rng(seed).uniformArray(n * D), (u) => (u < 0.4 ? 1 : 0));
const FLOWS = [
  { kind: 'planar', steps: 3 },
  { kind: 'radial', steps: 3 },
  { kind: 'iaf', steps: 2, hidden: 8, context: 3 },
];

/** Makes every flow step far from the identity and the decoder sensitive to z. */
function sharpen(model: FlowVae): void {
  tf.tidy(() => {
    for (const v of model.variables()) {
      if (v.name.startsWith('decoder') && v.name.endsWith('kernel')) v.variable.assign(tf.mul(v.variable, 4));
      if (v.name.startsWith('flow.') && !v.name.endsWith('.bs')) v.variable.assign(tf.add(tf.mul(v.variable, 3), 0.5));
    }
  });
}

describe('the flow VAE (flow-vae)', () => {
  for (const flow of FLOWS) {
    it(`${flow.kind}: loss = reconstruction from z_K + beta (log q(z_0|x) - sum log|det| - log p(z_K)), recomputed from the same draw`, () => {
      const [b, l] = [4, 3];
      const model = build(flow, l);
      sharpen(model);
      const x = tf.tensor2d(binary(b, 2), [b, D]);
      const t = model.loss(x, { training: false, rng: new Rng(5), klWeight: { kind: 'beta', beta: 2 } });
      const [loss, rec, kl] = [t.loss, t.reconstruction, t.kl].map((v) => Array.from(v.dataSync()));
      tf.dispose([t.loss, t.reconstruction, t.kl]);
      const want = tf.tidy(() => {
        const features = model.parts.encoder.apply(x, { training: false, rng: new Rng(0) });
        const { mean, logVar } = model.parts.heads.apply(features) as { mean: tf.Tensor2D; logVar: tf.Tensor2D };
        const z0 = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.tensor2d(new Rng(5).normalArray(b * l), [b, l]))) as tf.Tensor2D;
        let z = z0;
        let logDet = tf.zeros([b]);
        const h = model.context?.apply(features);
        for (const step of model.flow.steps) {
          const next = step.forward(z, h);
          z = next.z;
          logDet = tf.add(logDet, next.logDet);
        }
        const klT = tf.sub(tf.sub(logNormalDiag({ z: z0, mean, logVar }), logDet), logStandardNormal({ z }));
        return { rec: Array.from(reconstructionLoss({ likelihood: model.likelihood, x, output: model.decoderOutput(z) }).dataSync()), kl: Array.from(klT.dataSync()), logDet: Array.from(logDet.dataSync()) };
      });
      for (let i = 0; i < b; i++) {
        expect(rec[i]).toBeCloseTo(want.rec[i], 4);
        expect(kl[i]).toBeCloseTo(want.kl[i], 4);
        expect(loss[i]).toBeCloseTo(want.rec[i] + 2 * want.kl[i], 3);
        expect(Math.abs(want.logDet[i])).toBeGreaterThan(0.05); // the flow is far from volume-preserving here
      }
      x.dispose();
      model.dispose();
    });

    // Measured: at most 0.009 (planar), 0.027 (radial) and 0.027 (IAF) nats from the quadrature.
    it(`${flow.kind}: eval --nll uses the flow's log-determinant: with a 1-D latent, k = 20,000 lands within 0.05 nats of log p(x) integrated numerically`, async () => {
      const model = build(flow, 1);
      sharpen(model);
      const x = binary(3, 4);
      const exact = logPxByQuadrature({ model, x, logPrior: (z) => -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) });
      const { logPx } = await expectNoLeak(() => estimateNll({ model, x, k: 20_000, rng: new Rng(6), maxRows: 6000 }));
      for (let i = 0; i < 3; i++) expect(Math.abs(logPx[i] - exact[i])).toBeLessThan(0.05);
      model.dispose();
    });
  }

  it('reconstructs from the flowed posterior mean, and names its loss by the flow', async () => {
    const model = build({ kind: 'planar', steps: 2 }, 2);
    sharpen(model);
    const x = tf.tensor2d(binary(3, 7), [3, D]);
    const got = await expectNoLeak(() => tf.tidy(() => model.reconstruct(x).arraySync()));
    const want = tf.tidy(() => model.decode(model.flow.forward(model.encode(x).mean).z).arraySync());
    const unflowed = tf.tidy(() => model.decode(model.encode(x).mean).arraySync());
    expect(got).toEqual(want);
    expect(got).not.toEqual(unflowed);
    x.dispose();
    model.dispose();
    const name = (flow: Record<string, unknown>) => lossNames(modelSchema.parse({ kind: 'flow-vae', latent: 2, flow, ...net }) as ModelConfig).loss;
    expect(name({ kind: 'iaf' })).toBe('reconstruction + KL of the 2-step IAF flow posterior (sampled)');
    expect(name({ kind: 'radial', steps: 8 })).toBe('reconstruction + KL of the 8-step radial flow posterior (sampled)');
  });
});
