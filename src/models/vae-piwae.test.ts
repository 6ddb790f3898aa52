import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { Adam, klWeight, trainStep, evalBatch } from '../train/index.js';
import { lossNames } from './registry.js';
import { fusedElboSpec } from './fast-paths.js';
import { Vae, type VaeConfig } from './vae.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 6;
const B = 3;
const config = (objective: Record<string, unknown>) =>
  modelSchema.parse({ kind: 'vae', latent: 2, encoder: { hidden: [5], activation: 'tanh' }, decoder: { hidden: [5], activation: 'tanh' }, likelihood: { kind: 'bernoulli' }, objective }) as VaeConfig;
const X = Float32Array.from(new Rng(2).uniformArray(B * D), (u) => (u < 0.4 ? 1 : 0));

/** The gradient of the batch-mean loss for each variable, by name, and the loss per example; the same weights (seed 1) and draws (seed 7) every time. */
function gradients(objective: Record<string, unknown>): { grads: Map<string, Float32Array>; loss: number[] } {
  const model = new Vae({ config: config(objective), inputDim: D, rng: new Rng(1) });
  const vars = model.variables();
  const x = tf.tensor2d(X, [B, D]);
  let loss: number[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const t = model.loss(x, { training: true, rng: new Rng(7), klWeight: { kind: 'beta', beta: 1 } });
    loss = Array.from(t.loss.dataSync());
    return tf.mean(t.loss) as tf.Scalar;
  }, vars.map((v) => v.variable));
  const byName = new Map(vars.map((v) => [v.name, Float32Array.from(grads[v.variable.name].dataSync())]));
  tf.dispose([value, x, ...Object.values(grads)]);
  model.dispose();
  return { grads: byName, loss };
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('PIWAE (Rainforth et al. 2018)', () => {
  for (const { k, m, encoderBound } of [
    { k: 1, m: 4, encoderBound: 'the ELBO (MIWAE with k = 1)' },
    { k: 2, m: 3, encoderBound: 'MIWAE (M = 3, k = 2)' },
  ]) {
    it(`k ${k}, m ${m}: the encoder's gradient is ${encoderBound}'s, the decoder's the IWAE bound's of all ${m * k} samples, from the same draws`, async () => {
      const piwae = await expectNoLeak(() => gradients({ kind: 'piwae', k, m }));
      const iwae = gradients({ kind: 'iwae', k: m * k });
      const miwae = gradients({ kind: 'miwae', k, m });
      let encoderDiffers = 0;
      for (const [name, g] of piwae.grads) {
        const encoder = name.startsWith('encoder');
        const want = (encoder ? miwae : iwae).grads.get(name)!;
        expect(maxDiff(g, want), name).toBeLessThan(1e-5);
        // The two bounds' encoder gradients differ: the test can tell which one PIWAE took.
        if (encoder) encoderDiffers = Math.max(encoderDiffers, maxDiff(iwae.grads.get(name)!, miwae.grads.get(name)!));
      }
      expect(encoderDiffers).toBeGreaterThan(1e-3);
      for (let i = 0; i < B; i++) expect(piwae.loss[i]).toBeCloseTo(iwae.loss[i], 5); // its value is the IWAE bound
    });
  }

  it('trains: the negative IWAE bound falls over 60 Adam steps on 48 examples, without leaking tensors', async () => {
    const model = new Vae({ config: config({ kind: 'piwae', k: 2, m: 3 }), inputDim: D, rng: new Rng(1) });
    const data = Float32Array.from({ length: 48 * D }, (_, i) => ((i % D) % 2 === Math.floor(i / D) % 2 ? 1 : 0)); // two patterns
    const x = tf.tensor2d(data, [48, D]);
    const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const weight = klWeight(model.config, 1);
    const first = evalBatch({ model, x, rng: new Rng(4), klWeight: weight }).loss / 48;
    const rng = new Rng(3);
    await expectNoLeak(() => {
      for (let i = 0; i < 60; i++) trainStep({ model, adam, x, rng, klWeight: weight });
    });
    const last = evalBatch({ model, x, rng: new Rng(4), klWeight: weight }).loss / 48;
    tf.dispose([x]);
    adam.dispose();
    model.dispose();
    expect(last).toBeLessThan(first - 1);
  });

  it('offers the native whole-step kernel its samples and the encoder\'s groups, is named in reports and is a choice of --objective', () => {
    const model = new Vae({ config: config({ kind: 'piwae', k: 2, m: 3 }), inputDim: D, rng: new Rng(1) });
    expect(fusedElboSpec(model)).toMatchObject({ iwaeK: 6, iwaeEncoderGroups: 3 });
    model.dispose();
    expect(lossNames(config({ kind: 'piwae' })).loss).toBe('negative IWAE bound (PIWAE: decoder on k = 64, encoder on MIWAE M = 8, k = 8)');
  });
});
