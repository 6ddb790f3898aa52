import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import type { StatUpdate } from '../nn/index.js';
import { checkTensorCountPerTest, expectNoLeak, matMul64 } from '../../test/helpers.js';
import { Adam } from './adam.js';
import { evalBatch, trainStep } from './step.js';
import { klWeight } from './beta-schedule.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 10;
const B = 16;
const H = 6;
// Seed 002's shape in miniature: ReLU then BatchNorm in the encoder, dropout in the decoder.
const config = modelSchema.parse({
  kind: 'vae',
  latent: 2,
  encoder: { hidden: [H], activation: 'relu', batchNorm: 'after' },
  decoder: { hidden: [H], activation: 'relu', dropout: 0.2 },
  likelihood: { kind: 'bernoulli' },
});
const adamOptions = { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const xs = new Rng(3).uniformArray(B * D);

function setup() {
  const model = buildModel(config, D, new Rng(1));
  const adam = new Adam(model.variables().filter((v) => v.trainable), adamOptions);
  const byName = () => Object.fromEntries(model.variables().map((v) => [v.name, v.variable.dataSync().slice()]));
  return { model, adam, byName, dispose: () => (adam.dispose(), model.dispose()) };
}

describe('trainStep', () => {
  it('leaks no tensor, step after step', async () => {
    const { model, adam, dispose } = setup();
    const rng = new Rng(2);
    const x = tf.tensor2d(xs, [B, D]);
    await expectNoLeak(() => {
      for (let i = 0; i < 3; i++) trainStep({ model, adam, x, rng, klWeight: klWeight(model.config, 'unscheduled') });
      evalBatch({ model, x, rng, klWeight: klWeight(model.config, 'unscheduled') });
    });
    x.dispose();
    dispose();
  });

  it('returns the batch means of the terms before the update, from the same draws', async () => {
    const { model, adam, dispose } = setup();
    const rng = new Rng(2);
    const x = tf.tensor2d(xs, [B, D]);
    const expected = await expectNoLeak(() =>
      tf.tidy(() => {
        const updates: StatUpdate[] = [];
        const t = model.loss(x, { training: true, rng: Rng.fromState(rng.state()), updates, klWeight: klWeight(model.config, 'unscheduled') });
        tf.dispose(updates.map((u) => u.value));
        return { loss: tf.mean(t.loss).dataSync()[0], reconstruction: tf.mean(t.reconstruction).dataSync()[0], kl: tf.mean(t.kl).dataSync()[0] };
      }),
    );
    expect(trainStep({ model, adam, x, rng, klWeight: klWeight(model.config, 'unscheduled') })).toEqual(expected);
    expect(expected.loss).toBeCloseTo(expected.reconstruction + expected.kl, 4);
    x.dispose();
    dispose();
  });

  it('updates every trainable variable with Adam and the BatchNorm running stats from the pre-update batch', async () => {
    const { model, adam, byName, dispose } = setup();
    const before = byName();
    const x = tf.tensor2d(xs, [B, D]);
    trainStep({ model, adam, x, rng: new Rng(2), klWeight: klWeight(model.config, 'unscheduled') });
    x.dispose();
    const after = byName();
    for (const v of model.variables()) {
      if (v.trainable) expect(after[v.name], v.name).not.toEqual(before[v.name]);
    }
    // The batch statistics BatchNorm saw: h = relu(x W + b) with the weights before the step.
    const h = Array.from(matMul64(xs, before['encoder.dense0.kernel'], B, D, H), (v, i) => Math.max(0, v + before['encoder.dense0.bias'][i % H]));
    for (let j = 0; j < H; j++) {
      const col = Array.from({ length: B }, (_, i) => h[i * H + j]);
      const mean = col.reduce((s, v) => s + v, 0) / B;
      const unbiased = col.reduce((s, v) => s + (v - mean) ** 2, 0) / (B - 1);
      expect(after['encoder.bn0.runningMean'][j]).toBeCloseTo(0.9 * 0 + 0.1 * mean, 5);
      expect(after['encoder.bn0.runningVar'][j]).toBeCloseTo(0.9 * 1 + 0.1 * unbiased, 5);
    }
    dispose();
  });
});
