import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { anchorTerm, PoorManVae, type PoorManVaeConfig } from './poor-man-vae.js';
import { klWeight } from '../train/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const B = 7;
const L = 4;
const Z = Array.from(new Rng(1).normalArray(B * L), (v, i) => v * (1 + (i % 3))); // [B, L]

/** Seed 000's anchor, z.pow(2).sum().sqrt(), in float64: one norm over every entry of the batch. */
const frobenius = Math.sqrt(Z.reduce((s, v) => s + v * v, 0));
const rowNorms = Array.from({ length: B }, (_, i) => Math.sqrt(Z.slice(i * L, (i + 1) * L).reduce((s, v) => s + v * v, 0)));

describe('anchorTerm', () => {
  it("batch: the entries sum to the seed's z.pow(2).sum().sqrt(), each holding ||z||_F / B", async () => {
    const a = await expectNoLeak(() => tf.tidy(() => Array.from(anchorTerm({ z: tf.tensor2d(Z, [B, L]), kind: 'batch' }).dataSync())));
    expect(a).toHaveLength(B);
    expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(frobenius, 4);
    a.forEach((v) => expect(v).toBeCloseTo(frobenius / B, 5));
  });

  it('per-example: the row norms ||z_i||', async () => {
    const a = await expectNoLeak(() => tf.tidy(() => Array.from(anchorTerm({ z: tf.tensor2d(Z, [B, L]), kind: 'per-example' }).dataSync())));
    a.forEach((v, i) => expect(v).toBeCloseTo(rowNorms[i], 5));
  });

  it("batch: the gradient of the batch loss is the seed's, z / ||z||_F", async () => {
    const g = await expectNoLeak(() =>
      tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => tf.sum(anchorTerm({ z: z as tf.Tensor2D, kind: 'batch' })))(tf.tensor2d(Z, [B, L])).dataSync())),
    );
    g.forEach((v, i) => expect(v).toBeCloseTo(Z[i] / frobenius, 5));
  });
});

describe('PoorManVae', () => {
  const config = (overrides: Record<string, unknown>) =>
    modelSchema.parse({
      kind: 'poor-man-vae',
      latent: L,
      encoder: { hidden: [5], activation: 'sigmoid' },
      decoder: { hidden: [5], activation: 'sigmoid' },
      likelihood: { kind: 'squared-error', meanActivation: 'sigmoid' },
      ...overrides,
    }) as PoorManVaeConfig;

  it('adds N(0, noise^2) to the code: z - code has the noise standard deviation', async () => {
    const model = new PoorManVae({ config: config({ noise: 0.5 }), inputDim: 3, rng: new Rng(2) });
    const n = 10_000;
    const diff = await expectNoLeak(() =>
      tf.tidy(() => {
        const mean = tf.randomUniform([n, L], -1, 1, 'float32', 3) as tf.Tensor2D;
        return Float32Array.from(tf.sub(model.reparameterize({ mean }, new Rng(4)), mean).dataSync());
      }),
    );
    const m = diff.reduce((s, v) => s + v, 0) / diff.length;
    const sd = Math.sqrt(diff.reduce((s, v) => s + (v - m) ** 2, 0) / (diff.length - 1));
    expect(Math.abs(m)).toBeLessThan(4 * 0.5 / Math.sqrt(diff.length));
    expect(Math.abs(sd - 0.5)).toBeLessThan(4 * 0.5 / Math.sqrt(2 * diff.length));
    model.dispose();
  });

  it('loss = summed squared error + beta * anchor of the noisy z the decoder sees', async () => {
    for (const anchor of ['batch', 'per-example'] as const) {
      const model = new PoorManVae({ config: config({ anchor, beta: 0.5 }), inputDim: 3, rng: new Rng(5) });
      const x = [0.1, 0.9, 0.4, 0.6, 0.2, 0.3, 1, 0, 0.5];
      const got = await expectNoLeak(() =>
        tf.tidy(() => {
          const xt = tf.tensor2d(x, [3, 3]);
          const t = model.loss(xt, { training: true, rng: new Rng(6), klWeight: klWeight(model.config, 'unscheduled') });
          // Replay the same draws: z = code + eps, decoded mean = sigmoid(decoder output).
          const z = model.reparameterize(model.encode(xt), new Rng(6));
          const se = tf.sum(tf.square(tf.sub(xt, model.decode(z))), 1);
          const an = anchorTerm({ z, kind: anchor });
          return [t.loss, t.reconstruction, t.kl, se, an].map((v) => Array.from(v.dataSync()));
        }),
      );
      const [loss, reconstruction, kl, se, an] = got;
      for (let i = 0; i < 3; i++) {
        expect(reconstruction[i]).toBeCloseTo(se[i], 5);
        expect(kl[i]).toBeCloseTo(an[i], 5);
        expect(loss[i]).toBeCloseTo(se[i] + 0.5 * an[i], 5);
      }
      model.dispose();
    }
  });
});
