import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../engine/index.js';
import { buildModel } from '../models/index.js';
import { modelSchema } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { checkTensorCountPerTest, expectNoLeak, rejection } from '../../test/helpers.js';
import { setVariable } from '../../test/ppca.js';
import { countActiveUnits } from './active-units.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 4;
const L = 6;
const N = 2000;

/** x with independent standard-normal columns. */
const x = new Rng(5).normalArray(N * D);

/**
 * A linear encoder whose unit j has mean c_j x_{j mod D} + 3, so Var_x(mean_j) = c_j^2 Var(x): units 0, 2 and 5 are
 * dead (weights zeroed), unit 1 sits just under the 0.01 threshold, units 3 and 4 above it.
 */
const SCALE = [0, Math.sqrt(0.005), 0, Math.sqrt(0.02), 1, 0];

function model(kind: 'vae' | 'poor-man-vae') {
  const config = modelSchema.parse({ kind, latent: L, encoder: { hidden: [] }, decoder: { hidden: [3], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } });
  const m = buildModel(config, D, new Rng(1));
  const head = kind === 'vae' ? 'encoder.mean' : 'encoder.code';
  const kernel = new Float64Array(D * L); // [D, L]
  SCALE.forEach((c, j) => (kernel[(j % D) * L + j] = c));
  setVariable(m, `${head}.kernel`, kernel);
  setVariable(m, `${head}.bias`, new Float64Array(L).fill(3));
  return m;
}

describe('countActiveUnits', () => {
  for (const kind of ['vae', 'poor-man-vae'] as const) {
    it(`${kind}: counts the units whose posterior mean varies over x by more than 0.01, dead units excluded`, async () => {
      const m = model(kind);
      const r = await expectNoLeak(() => countActiveUnits({ model: m, x, batchSize: 300 }));
      m.dispose();
      expect(r.activeUnits).toBe(2);
      expect(r.threshold).toBe(0.01);
      // The variances against the float64 sample variance of c_j x_j computed directly from the data.
      SCALE.forEach((c, j) => {
        let mean = 0;
        for (let i = 0; i < N; i++) mean += x[i * D + (j % D)] / N;
        let ss = 0;
        for (let i = 0; i < N; i++) ss += (x[i * D + (j % D)] - mean) ** 2;
        expect(r.variances[j]).toBeCloseTo((c * c * ss) / (N - 1), 5);
      });
      expect(r.variances[0]).toBe(0);
    });
  }

  it("hierarchical-vae: counts z2's units from E_q[z2|z1] of z1 drawn from q(z1|x), beside z1's", async () => {
    // z1's mean is c x, its log-variance -30 (a draw is the mean to 3e-7) but for unit 2: mean 0, variance 0.25. z2's
    // mean = s z1 per unit. z1's mean variances are c^2 Var(x_j): units 0 and 1 active, 2 dead, 3 under 0.01. z2's
    // are s^2 c^2 Var(x_j): unit 0 active, unit 1 under 0.01 (0.1^2 0.5^2 Var); unit 2 reads z1's dead unit, whose
    // draws still vary (0.25): active, as only a draw of z1 (not its mean) shows.
    const c = [1, 0.5, 0, 0.05];
    const s = [2, 0.1, 1];
    const config = modelSchema.parse({ kind: 'hierarchical-vae', latent: 4, latent2: 3, encoder: { hidden: [] }, decoder: { hidden: [3], activation: 'tanh' }, upper: { hidden: [] }, likelihood: { kind: 'bernoulli' } });
    const m = buildModel(config, D, new Rng(1));
    const diag = (rows: number, cols: number, values: number[]) => {
      const k = new Float64Array(rows * cols); // [rows, cols]
      values.forEach((v, j) => (k[j * cols + j] = v));
      return k;
    };
    setVariable(m, 'encoder.mean.kernel', diag(D, 4, c));
    setVariable(m, 'encoder.logVar.kernel', new Float64Array(D * 4));
    setVariable(m, 'encoder.logVar.bias', [-30, -30, Math.log(0.25), -30]);
    setVariable(m, 'upper.q.mean.kernel', diag(4, 3, s));
    setVariable(m, 'upper.q.mean.bias', new Float64Array(3).fill(1));
    const r = await expectNoLeak(() => countActiveUnits({ model: m, x, batchSize: 300, rng: new Rng(2) }));
    m.dispose();
    const variance = (j: number) => {
      let mean = 0;
      for (let i = 0; i < N; i++) mean += x[i * D + j] / N;
      let ss = 0;
      for (let i = 0; i < N; i++) ss += (x[i * D + j] - mean) ** 2;
      return ss / (N - 1);
    };
    expect(r.activeUnits).toBe(2);
    expect(r.upper?.activeUnits).toBe(2);
    c.forEach((cj, j) => expect(r.variances[j]).toBeCloseTo(cj * cj * variance(j), 4));
    [0, 1].forEach((j) => expect(r.upper!.variances[j]).toBeCloseTo(s[j] * s[j] * c[j] * c[j] * variance(j), 4));
    expect(Math.abs(r.upper!.variances[2] - 0.25)).toBeLessThan(0.03); // a sample variance of 2,000 draws: standard error 0.008
  });

  it('refuses an autoencoder', async () => {
    const config = modelSchema.parse({ kind: 'autoencoder', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'bernoulli' } });
    const m = buildModel(config, D, new Rng(1));
    const err = await rejection(() => countActiveUnits({ model: m, x }));
    m.dispose();
    expect(err).toBeInstanceOf(UsageError);
  });
});
