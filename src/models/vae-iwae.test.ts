import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { configSchema, modelSchema } from '../config/schema.js';
import { Adam, klWeight, trainStep } from '../train/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { ppcaCase, ppcaModel } from '../../test/ppca.js';
import { buildModel } from './registry.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

describe('the IWAE objective on probabilistic PCA (exact log p(x) known)', () => {
  const B = 20;
  const R = 200; // independent draws of each bound per example
  const c = ppcaCase(B, 8);
  const exact = c.logPx.reduce((s, v) => s + v, 0) / B;

  /**
   * The mean over R draws and B examples of the bound (-loss) and of -(rec + kl). The standard error is that of the
   * draws given the examples, sqrt(sum_i var_i / R) / B: the examples are fixed, only z is random.
   */
  function averageBound(objective: { kind: 'elbo' } | { kind: 'iwae'; k: number }, seed: number) {
    const model = ppcaModel(c, { objective });
    const out = tf.tidy(() => {
      const x = tf.tile(tf.tensor2d(c.x, [B, 5]), [R, 1]) as tf.Tensor2D; // [R*B, D], row r * B + i is example i
      const t = model.loss(x, { training: false, rng: new Rng(seed), klWeight: klWeight(model.config, 'unscheduled') });
      return { bound: tf.neg(t.loss).dataSync(), elbo: tf.neg(tf.add(t.reconstruction, t.kl)).dataSync() };
    });
    model.dispose();
    let mean = 0;
    let varSum = 0;
    for (let i = 0; i < B; i++) {
      let m = 0;
      for (let r = 0; r < R; r++) m += out.bound[r * B + i] / R;
      let ss = 0;
      for (let r = 0; r < R; r++) ss += (out.bound[r * B + i] - m) ** 2;
      mean += m / B;
      varSum += ss / (R - 1);
    }
    return { mean, se: Math.sqrt(varSum / R) / B, elbo: Array.from(out.elbo).reduce((s, v) => s + v, 0) / out.elbo.length };
  }

  it('rises with k in expectation and stays below log p(x): ELBO <= L_1 <= L_5 <= L_50 <= log p(x)', async () => {
    const [elbo, l1, l5, l50] = await expectNoLeak(() =>
      [averageBound({ kind: 'elbo' }, 1), averageBound({ kind: 'iwae', k: 1 }, 2), averageBound({ kind: 'iwae', k: 5 }, 3), averageBound({ kind: 'iwae', k: 50 }, 4)],
    );
    // Measured (nats per example, mean +- se over the draws): ELBO -6.429 +- 0.042, L_1 -6.408 +- 0.028,
    // L_5 -5.753 +- 0.007, L_50 -5.688 +- 0.002, exact log p(x) -5.679.
    // L_1 is the ELBO with a sampled KL: the same expectation as the analytic-KL ELBO.
    expect(Math.abs(l1.mean - elbo.mean)).toBeLessThan(4 * Math.hypot(l1.se, elbo.se));
    expect(l5.mean - l1.mean).toBeGreaterThan(4 * Math.hypot(l1.se, l5.se));
    expect(l50.mean - l5.mean).toBeGreaterThan(4 * Math.hypot(l5.se, l50.se));
    expect(l50.mean).toBeLessThan(exact + 3 * l50.se);
    expect(elbo.mean).toBeLessThan(l50.mean);
    // With the iwae objective, reconstruction + kl is the negative ELBO from the same samples: below the bound.
    expect(l50.elbo).toBeLessThan(l50.mean);
    expect(Math.abs(l50.elbo - elbo.mean)).toBeLessThan(0.1);
  });
});

describe('Vae with the iwae objective', () => {
  it('trains (one Adam step lowers the loss on the batch) and leaks nothing', async () => {
    const config = modelSchema.parse({
      kind: 'vae',
      latent: 2,
      encoder: { hidden: [8], activation: 'tanh' },
      decoder: { hidden: [8], activation: 'tanh' },
      likelihood: { kind: 'bernoulli' },
      objective: { kind: 'iwae', k: 4 },
    });
    const model = buildModel(config, 6, new Rng(1));
    const adam = new Adam(model.variables(), { lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const x = tf.tensor2d(Float32Array.from(new Rng(2).uniformArray(16 * 6), (v) => (v < 0.5 ? 0 : 1)), [16, 6]);
    const losses = await expectNoLeak(() => Array.from({ length: 20 }, (_, i) => trainStep({ model, adam, x, rng: new Rng(i), klWeight: klWeight(model.config, 'unscheduled') }).loss));
    expect(losses.at(-1)).toBeLessThan(losses[0]);
    tf.dispose(x);
    adam.dispose();
    model.dispose();
  });

  it('is refused by the config schema with beta != 1, naming model.beta', () => {
    const r = configSchema.safeParse({ model: { kind: 'vae', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'bernoulli' }, beta: 0.5, objective: { kind: 'iwae', k: 5 } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['model', 'beta']);
    expect(r.error?.issues[0].message).toMatch(/IWAE objective is defined for beta = 1/);
    const ok = modelSchema.parse({ kind: 'vae', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'bernoulli' }, objective: { kind: 'iwae' } });
    expect(ok.kind === 'vae' && ok.objective).toEqual({ kind: 'iwae', k: 50 });
  });
});
