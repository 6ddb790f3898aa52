import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../engine/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { elbo, type ReconstructionReduction } from './elbo.js';
import type { Likelihood } from './likelihood.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

// A tiny case, B = 2 examples, D = 3 data dimensions, L = 2 latent dimensions.
const X = [
  [0, 1, 0.4],
  [0.8, 0.1, 1],
];
const LOGITS = [
  [-1.5, 2, 0.3],
  [0.7, -0.4, 1.1],
];
const MEAN = [
  [0.5, -1],
  [0.2, 0.9],
];
const LOG_VAR = [
  [-0.5, 0.3],
  [1, -1.2],
];
const LEARNED = [
  [0.1, 0.8, 0.5, -1, 0.4, 0.2], // [mean | logVar] of a learned-variance Gaussian decoder
  [0.6, 0.2, 0.9, 0.3, -0.6, -1.3],
];

const logSigmoid = (l: number): number => -Math.log1p(Math.exp(-l));

/** -log p(x|logits) for a Bernoulli decoder and KL(q || N(0, I)), per example, in float64. */
function reference(b: number): { reconstruction: number; kl: number } {
  const reconstruction = -X[b].reduce((s, x, j) => s + x * logSigmoid(LOGITS[b][j]) + (1 - x) * logSigmoid(-LOGITS[b][j]), 0);
  const kl = -0.5 * MEAN[b].reduce((s, m, j) => s + 1 + LOG_VAR[b][j] - m * m - Math.exp(LOG_VAR[b][j]), 0);
  return { reconstruction, kl };
}

function terms(beta: number, reconstructionReduction?: ReconstructionReduction) {
  return expectNoLeak(() =>
    tf.tidy(() => {
      const t = elbo({
        likelihood: { kind: 'bernoulli' },
        x: tf.tensor2d(X),
        output: tf.tensor2d(LOGITS),
        mean: tf.tensor2d(MEAN),
        logVar: tf.tensor2d(LOG_VAR),
        weight: { kind: 'beta', beta },
        reconstructionReduction,
      });
      return { loss: Array.from(t.loss.dataSync()), reconstruction: Array.from(t.reconstruction.dataSync()), kl: Array.from(t.kl.dataSync()) };
    }),
  );
}

describe('elbo', () => {
  it('returns per-example loss = reconstruction + beta * kl with the terms of the direct formulas', async () => {
    for (const beta of [1, 0.25, 4, 0]) {
      const t = await terms(beta);
      expect(t.loss).toHaveLength(2);
      for (const b of [0, 1]) {
        const ref = reference(b);
        expect(t.reconstruction[b]).toBeCloseTo(ref.reconstruction, 5);
        expect(t.kl[b]).toBeCloseTo(ref.kl, 5);
        expect(t.loss[b]).toBeCloseTo(ref.reconstruction + beta * ref.kl, 5);
      }
    }
  });

  it("with reconstructionReduction 'mean' divides the reconstruction term (only) by D", async () => {
    const sum = await terms(0.5, 'sum');
    const mean = await terms(0.5, 'mean');
    expect(await terms(0.5)).toEqual(sum); // 'sum' is the default
    for (const b of [0, 1]) {
      expect(mean.reconstruction[b]).toBeCloseTo(sum.reconstruction[b] / 3, 6);
      expect(mean.kl[b]).toBe(sum.kl[b]);
      expect(mean.loss[b]).toBeCloseTo(sum.reconstruction[b] / 3 + 0.5 * sum.kl[b], 6);
    }
  });
});

describe('elbo gradients against central finite differences', () => {
  /**
   * The objective f = sum_b loss_b as a function of the decoder output, mean and logVar.
   * Central differences with h = 1e-2 in float32: truncation error h^2/6 |f'''| < 3e-5 here (|f'''| <= e/2 from the
   * exp(logVar) terms), rounding error about ulp(f)/h < 1e-4 for |f| < 20. A tolerance of 1e-3 (+ 1e-3 relative)
   * sits above both, and far below the size of any real mistake (a dropped factor 1/2 or a sign is >= 0.05 here).
   */
  const H = 1e-2;
  const TOL = 1e-3;

  function objective(likelihood: Likelihood, output: number[][], beta: number, reduction: ReconstructionReduction) {
    return (out: number[][], mean: number[][], logVar: number[][]): number =>
      tf.tidy(() => {
        const t = elbo({ likelihood, x: tf.tensor2d(X), output: tf.tensor2d(out), mean: tf.tensor2d(mean), logVar: tf.tensor2d(logVar), weight: { kind: 'beta', beta }, reconstructionReduction: reduction });
        return tf.sum(t.loss).dataSync()[0];
      });
  }

  const cases: { name: string; likelihood: Likelihood; output: number[][]; beta: number; reduction: ReconstructionReduction }[] = [
    { name: 'bernoulli', likelihood: { kind: 'bernoulli' }, output: LOGITS, beta: 1, reduction: 'sum' },
    { name: 'bernoulli, beta 0.3, mean reduction', likelihood: { kind: 'bernoulli' }, output: LOGITS, beta: 0.3, reduction: 'mean' },
    { name: 'gaussian fixed variance', likelihood: { kind: 'gaussian', variance: 0.5, meanActivation: 'linear' }, output: LOGITS, beta: 1, reduction: 'sum' },
    { name: 'gaussian learned variance', likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'linear' }, output: LEARNED, beta: 2, reduction: 'sum' },
    { name: 'squared error through sigmoid', likelihood: { kind: 'squared-error', meanActivation: 'sigmoid' }, output: LOGITS, beta: 1, reduction: 'sum' },
  ];

  for (const { name, likelihood, output, beta, reduction } of cases) {
    it(`${name}: d loss / d (output, mean, logVar)`, async () => {
      const f = objective(likelihood, output, beta, reduction);
      const analytic = await expectNoLeak(() =>
        tf.tidy(() => {
          const x = tf.tensor2d(X);
          const g = tf.grads((out: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor) =>
            tf.sum(elbo({ likelihood, x, output: out as tf.Tensor2D, mean: mean as tf.Tensor2D, logVar: logVar as tf.Tensor2D, weight: { kind: 'beta', beta }, reconstructionReduction: reduction }).loss),
          )([tf.tensor2d(output), tf.tensor2d(MEAN), tf.tensor2d(LOG_VAR)]);
          return g.map((t) => t.arraySync() as number[][]);
        }),
      );
      const inputs = [output, MEAN, LOG_VAR];
      let worst = 0;
      await expectNoLeak(() => {
        inputs.forEach((arr, k) =>
          arr.forEach((row, b) =>
            row.forEach((_, j) => {
              const shifted = (delta: number) => {
                const args = inputs.map((a) => a.map((r) => [...r]));
                args[k][b][j] += delta;
                return f(args[0], args[1], args[2]);
              };
              const numeric = (shifted(H) - shifted(-H)) / (2 * H);
              const g = analytic[k][b][j];
              worst = Math.max(worst, Math.abs(g - numeric));
              expect(Math.abs(g - numeric), `input ${k} [${b}, ${j}]: autodiff ${g}, finite difference ${numeric}`).toBeLessThan(TOL * (1 + Math.abs(g)));
            }),
          ),
        );
      });
      // Every input moves the loss: no gradient is silently zero.
      for (const g of analytic) expect(g.flat().some((v) => Math.abs(v) > 1e-3)).toBe(true);
      expect(worst).toBeLessThan(TOL);
    });
  }
});
