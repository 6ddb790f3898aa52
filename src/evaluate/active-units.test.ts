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

  it('refuses an autoencoder', async () => {
    const config = modelSchema.parse({ kind: 'autoencoder', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'bernoulli' } });
    const m = buildModel(config, D, new Rng(1));
    const err = await rejection(() => countActiveUnits({ model: m, x }));
    m.dispose();
    expect(err).toBeInstanceOf(UsageError);
  });
});
