import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { configSchema, modelSchema } from '../config/schema.js';
import { checkTensorCountPerTest } from '../../test/helpers.js';
import { logImportanceWeights } from '../objectives/index.js';
import { lossNames } from './registry.js';
import { fusedElboSpec } from './fast-paths.js';
import { Vae, type VaeConfig } from './vae.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 6;
const B = 3;
const L = 2;
const config = (objective: Record<string, unknown>) =>
  modelSchema.parse({ kind: 'vae', latent: L, encoder: { hidden: [5], activation: 'tanh' }, decoder: { hidden: [5], activation: 'tanh' }, likelihood: { kind: 'bernoulli' }, objective }) as VaeConfig;
const X = Float32Array.from(new Rng(2).uniformArray(B * D), (u) => (u < 0.4 ? 1 : 0));

/** The model's log-weights [n, B] for n samples drawn from `seed`, as the loss draws them (row s * B + i). */
function logWeights(model: Vae, n: number, seed: number): number[][] {
  return tf.tidy(() => {
    const x = tf.tensor2d(X, [B, D]);
    const { mean, logVar } = model.encode(x);
    const meanK = tf.tile(mean, [n, 1]) as tf.Tensor2D;
    const logVarK = tf.tile(logVar, [n, 1]) as tf.Tensor2D;
    const z = model.reparameterize({ mean: meanK, logVar: logVarK }, new Rng(seed));
    const w = logImportanceWeights({ likelihood: model.likelihood, x: tf.tile(x, [n, 1]) as tf.Tensor2D, output: model.decoderOutput(z), z, mean: meanK, logVar: logVarK });
    return tf.reshape(w, [n, B]).arraySync() as number[][];
  });
}

const logMeanExp = (xs: number[]) => {
  const top = Math.max(...xs);
  return top + Math.log(xs.reduce((s, v) => s + Math.exp(v - top), 0) / xs.length);
};

function loss(model: Vae, seed: number): number[] {
  return tf.tidy(() => {
    const t = model.loss(tf.tensor2d(X, [B, D]), { training: false, rng: new Rng(seed), klWeight: { kind: 'beta', beta: 1 } });
    return Array.from(t.loss.dataSync());
  });
}

describe('MIWAE and CIWAE (Rainforth et al. 2018)', () => {
  it('MIWAE is the mean of m IWAE bounds over disjoint groups of k log-weights, computed here from the same draws', () => {
    const model = new Vae({ config: config({ kind: 'miwae', k: 3, m: 4 }), inputDim: D, rng: new Rng(1) });
    const w = logWeights(model, 12, 7);
    const got = loss(model, 7);
    for (let i = 0; i < B; i++) {
      let sum = 0;
      for (let g = 0; g < 4; g++) sum += logMeanExp([0, 1, 2].map((s) => w[g * 3 + s][i]));
      expect(got[i]).toBeCloseTo(-sum / 4, 4);
    }
    model.dispose();
  });

  it('CIWAE is beta (mean log-weight) + (1 - beta) IWAE over the same k; beta 0 is the IWAE, m 1 MIWAE too', () => {
    for (const beta of [0, 0.3, 1]) {
      const model = new Vae({ config: config({ kind: 'ciwae', k: 5, beta }), inputDim: D, rng: new Rng(1) });
      const w = logWeights(model, 5, 9);
      const got = loss(model, 9);
      for (let i = 0; i < B; i++) {
        const col = w.map((row) => row[i]);
        const elbo = col.reduce((s, v) => s + v, 0) / 5;
        expect(got[i]).toBeCloseTo(-(beta * elbo + (1 - beta) * logMeanExp(col)), 4);
      }
      model.dispose();
    }
    const iwae = new Vae({ config: config({ kind: 'iwae', k: 5 }), inputDim: D, rng: new Rng(1) });
    const miwae = new Vae({ config: config({ kind: 'miwae', k: 5, m: 1 }), inputDim: D, rng: new Rng(1) });
    expect(loss(miwae, 3)).toEqual(loss(iwae, 3));
    iwae.dispose();
    miwae.dispose();
  });

  it('offer the native whole-step kernel their sample count, groups and ELBO weight, are named in reports, and need beta 1 like the IWAE', () => {
    const miwae = new Vae({ config: config({ kind: 'miwae', k: 2, m: 3 }), inputDim: D, rng: new Rng(1) });
    expect(fusedElboSpec(miwae)).toMatchObject({ iwaeK: 6, iwaeGroups: 3 });
    miwae.dispose();
    const ciwae = new Vae({ config: config({ kind: 'ciwae', k: 5, beta: 0.25 }), inputDim: D, rng: new Rng(1) });
    expect(fusedElboSpec(ciwae)).toMatchObject({ iwaeK: 5, iwaeElboWeight: 0.25 });
    ciwae.dispose();
    expect(lossNames(config({ kind: 'miwae', k: 8, m: 4 })).loss).toBe('negative MIWAE bound (M = 4, k = 8)');
    expect(lossNames(config({ kind: 'ciwae', k: 64, beta: 0.5 })).loss).toBe('negative CIWAE bound (β = 0.5, k = 64)');
    const net = { encoder: { hidden: [3] }, decoder: { hidden: [3] }, likelihood: { kind: 'bernoulli' } };
    expect(() => configSchema.parse({ model: { kind: 'vae', latent: 2, ...net, beta: 2, objective: { kind: 'ciwae' } } })).toThrow(/defined for beta = 1/);
  });
});
