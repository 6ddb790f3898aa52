/** Synthetic examples drawn from p(x|z): numeric noise of the likelihood's deviation, categories drawn from their softmax. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../engine/index.js';
import { Rng } from '../engine/rng.js';
import { modelSchema } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import { syntheticExamples } from './synthetic.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const N = 4000;
const D = 5; // numeric, a block of 3, numeric

describe('syntheticExamples', () => {
  it('numeric values: the decoded mean plus N(0, variance) noise; a categorical block: one-hot at a draw from its softmax', () => {
    const config = modelSchema.parse({ kind: 'vae', latent: 2, encoder: { hidden: [8] }, decoder: { hidden: [8] }, likelihood: { kind: 'gaussian', variance: 0.25, categorical: [{ start: 1, size: 3 }] } });
    const model = buildModel(config, D, new Rng(1));
    const before = tf.memory().numTensors;
    const means = syntheticExamples({ model, n: N, rng: new Rng(2), mean: true });
    const draws = syntheticExamples({ model, n: N, rng: new Rng(2) }); // the same z: the prior draws come first
    expect(tf.memory().numTensors).toBe(before);
    for (const j of [0, 4]) {
      let [s, ss] = [0, 0];
      for (let i = 0; i < N; i++) {
        const r = draws[i * D + j] - means[i * D + j];
        [s, ss] = [s + r, ss + r * r];
      }
      expect(Math.abs(s / N)).toBeLessThan(0.03); // sd 0.5 / sqrt(4000) = 0.008
      expect(Math.sqrt(ss / N)).toBeCloseTo(0.5, 1);
    }
    const [freq, prob] = [new Float64Array(3), new Float64Array(3)];
    for (let i = 0; i < N; i++) {
      const block = Array.from(draws.subarray(i * D + 1, i * D + 4));
      expect(block.filter((v) => v === 1).length).toBe(1);
      expect(block.reduce((a, b) => a + b, 0)).toBe(1);
      block.forEach((v, k) => (freq[k] += v / N));
      for (let k = 0; k < 3; k++) prob[k] += means[i * D + 1 + k] / N;
    }
    // Frequencies against the mean softmax probabilities: binomial sd <= 0.5 / sqrt(4000) = 0.008.
    freq.forEach((f, k) => expect(Math.abs(f - prob[k])).toBeLessThan(0.03));
    model.dispose();
  });
});
