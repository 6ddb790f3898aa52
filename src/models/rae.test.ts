import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { configSchema, modelSchema, type ModelConfig } from '../config/schema.js';
import { checkTensorCountPerTest } from '../../test/helpers.js';
import { reconstructionLoss } from '../objectives/index.js';
import { buildModel, lossNames } from './index.js';
import type { Rae } from './rae.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 6;
const L = 3;
const B = 4;
const gp = (activation: string) => ({ kind: 'rae', latent: L, decoderRegularizer: 'gradient-penalty', encoder: { hidden: [5], activation: 'tanh' }, decoder: { hidden: [5], activation }, likelihood: { kind: 'bernoulli' } });
const build = (config: Record<string, unknown>) => buildModel(modelSchema.parse(config) as ModelConfig, D, new Rng(1)) as Rae;
const X = Float32Array.from(new Rng(2).uniformArray(B * D), (u) => (u < 0.4 ? 1 : 0));

/** sum_j D(z)_j for one code, the decoded mean (sigmoid of the logits) summed. */
function decodedSum(model: Rae, z: number[]): number {
  return tf.tidy(() => tf.sum(model.decode(tf.tensor2d([z]))).arraySync() as number);
}

describe('RAE-GP (Ghosh et al. 2020): the decoder gradient penalty', () => {
  for (const activation of ['tanh', 'relu', 'elu']) {
    it(`${activation} decoder: the penalty is |d sum D(z) / dz|^2 per example, against central differences`, () => {
      const model = build(gp(activation));
      const zs = Array.from({ length: B }, (_, i) => Array.from(new Rng(10 + i).normalArray(L)));
      const got = tf.tidy(() => Array.from(model.gradientPenalty(tf.tensor2d(zs)).dataSync()));
      for (let i = 0; i < B; i++) {
        const h = 1e-2;
        const grad = zs[i].map((_, l) => (decodedSum(model, zs[i].map((v, k) => (k === l ? v + h : v))) - decodedSum(model, zs[i].map((v, k) => (k === l ? v - h : v)))) / (2 * h));
        const want = grad.reduce((s, g) => s + g * g, 0);
        expect(Math.abs(got[i] - want)).toBeLessThan(1e-3 * Math.max(1, want));
      }
      model.dispose();
    });

    it(`${activation} decoder: the penalty's gradient with respect to a decoder weight (a second derivative) matches central differences`, () => {
      const model = build(gp(activation));
      const z = tf.tensor2d(Array.from({ length: B }, (_, i) => Array.from(new Rng(20 + i).normalArray(L))));
      const meanPenalty = () => tf.tidy(() => tf.mean(model.gradientPenalty(z)).arraySync() as number);
      const kernel = model.variables().find((v) => v.name === 'decoder.dense0.kernel')!.variable;
      const { value, grads } = tf.variableGrads(() => tf.mean(model.gradientPenalty(z)) as tf.Scalar, [kernel]);
      const g = Array.from(grads[kernel.name].dataSync());
      tf.dispose([value, ...Object.values(grads)]);
      const base = Array.from(kernel.dataSync());
      for (const idx of [0, 4, 7, 11]) {
        const at = (delta: number) => {
          tf.tidy(() => kernel.assign(tf.tensor(base.map((v, j) => (j === idx ? v + delta : v)), kernel.shape)));
          return meanPenalty();
        };
        const h = 1e-2;
        const want = (at(h) - at(-h)) / (2 * h);
        expect(Math.abs(g[idx] - want)).toBeLessThan(2e-2 * Math.max(0.05, Math.abs(want)));
      }
      tf.tidy(() => kernel.assign(tf.tensor(base, kernel.shape)));
      z.dispose();
      model.dispose();
    });
  }

  it('loss = reconstruction + embeddingWeight |z|^2 / 2 + decoderWeight penalty', () => {
    const model = build({ ...gp('tanh'), embeddingWeight: 0.5, decoderWeight: 3 });
    const x = tf.tensor2d(X, [B, D]);
    const t = model.loss(x, { training: false, rng: new Rng(0), klWeight: { kind: 'beta', beta: 1 } });
    const [loss, rec, energy] = [t.loss, t.reconstruction, t.kl].map((v) => Array.from(v.dataSync()));
    tf.dispose([t.loss, t.reconstruction, t.kl]);
    const want = tf.tidy(() => {
      const z = model.encode(x).mean;
      return { rec: Array.from(reconstructionLoss({ likelihood: model.likelihood, x, output: model.decoderOutput(z) }).dataSync()), z: z.arraySync(), penalty: Array.from(model.gradientPenalty(z).dataSync()) };
    });
    for (let i = 0; i < B; i++) {
      const e = want.z[i].reduce((s, v) => s + v * v, 0) / 2;
      expect(energy[i]).toBeCloseTo(e, 5);
      expect(rec[i]).toBeCloseTo(want.rec[i], 4);
      expect(loss[i]).toBeCloseTo(want.rec[i] + 0.5 * e + 3 * want.penalty[i], 4);
    }
    x.dispose();
    model.dispose();
  });

  it('names its loss; the schema refuses a decoder that is not dense layers alone, naming the field', () => {
    expect(lossNames(modelSchema.parse(gp('relu')) as ModelConfig).loss).toBe('reconstruction + |z|²/2 + decoder gradient penalty');
    const refuse = /decoderRegularizer[\s\S]*the gradient penalty needs an MLP decoder of dense layers alone/;
    expect(() => configSchema.parse({ model: { ...gp('relu'), decoder: { kind: 'conv', filters: [4] } } })).toThrow(refuse);
    expect(() => configSchema.parse({ model: { ...gp('relu'), decoder: { hidden: [5], batchNorm: 'after' } } })).toThrow(refuse);
    expect(() => configSchema.parse({ model: gp('elu') })).not.toThrow();
  });
});
