import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../engine/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import {
  bernoulliLogLikelihood,
  decoderOutputDim,
  gaussianLogLikelihood,
  likelihoodMean,
  reconstructionLoss,
  squaredError,
  type Likelihood,
} from './likelihood.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The direct formula x log p + (1 - x) log(1 - p), p = 1 / (1 + e^-l), in float64. 1 - p is taken as 1 / (1 + e^l),
 * the same number, because float64 rounds 1 - p to 0 for l >= 37; both stay positive for |l| up to ~700.
 */
function bernoulli64(x: number[], l: number[]): number {
  return x.reduce((s, xi, i) => {
    const p = 1 / (1 + Math.exp(-l[i]));
    const q = 1 / (1 + Math.exp(l[i])); // 1 - p
    return s + xi * Math.log(p) + (1 - xi) * Math.log(q);
  }, 0);
}

/** log N(x; m, v) summed over dimensions, in float64. */
function gaussian64(x: number[], m: number[], logVar: number[]): number {
  return x.reduce((s, xi, i) => s - 0.5 * (LOG_2PI + logVar[i] + (xi - m[i]) ** 2 / Math.exp(logVar[i])), 0);
}

/** Evaluates `fn` on the given rows inside tidy and returns a plain array; asserts nothing leaks. */
async function perExample(fn: () => tf.Tensor): Promise<number[]> {
  return expectNoLeak(() => tf.tidy(() => Array.from(fn().dataSync())));
}

// Rows mixing binary and grey-level targets with ordinary, large and extreme logits.
const X = [
  [0, 1, 0.3, 0.7, 1, 0],
  [1, 0, 0, 1, 0.5, 0.25],
  [0, 1, 1, 0, 0.9, 0.1],
];
const LOGITS = [
  [-2, 3, 0, 0.5, -0.7, 1.2],
  [50, -50, 50, -50, 50, -50], // every entry saturates sigmoid in float32
  [100, 100, -100, -100, 15, -15],
];

describe('bernoulliLogLikelihood', () => {
  it('matches x log p + (1 - x) log(1 - p) in float64, extreme logits included, and stays finite', async () => {
    const ll = await perExample(() => bernoulliLogLikelihood({ x: tf.tensor2d(X), logits: tf.tensor2d(LOGITS) }));
    X.forEach((x, b) => {
      const ref = bernoulli64(x, LOGITS[b]);
      expect(Number.isFinite(ll[b])).toBe(true);
      // float32 carries ~7 significant digits; the sums are at most a few hundred nats.
      expect(Math.abs(ll[b] - ref), `row ${b}: ${ll[b]} vs ${ref}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref)));
    });
    // Sanity of the reference itself on the saturated row: wrong-side logits cost |l| nats each.
    expect(bernoulli64(X[1], LOGITS[1])).toBeCloseTo(-(0 + 0 + 50 + 50 + 0.5 * 50 + 0.25 * 50), 6);
  });

  it('has the gradient x - sigmoid(l) wrt the logits, finite at +-100', async () => {
    const grad = await expectNoLeak(() =>
      tf.tidy(() => {
        const x = tf.tensor2d(X);
        const g = tf.grad((l: tf.Tensor) => tf.sum(bernoulliLogLikelihood({ x, logits: l as tf.Tensor2D })))(tf.tensor2d(LOGITS));
        return g.arraySync() as number[][];
      }),
    );
    X.forEach((x, b) =>
      x.forEach((xi, j) => {
        expect(Number.isFinite(grad[b][j])).toBe(true);
        expect(grad[b][j]).toBeCloseTo(xi - 1 / (1 + Math.exp(-LOGITS[b][j])), 5);
      }),
    );
  });
});

describe('gaussianLogLikelihood', () => {
  const x = [
    [0.1, -2, 3.5],
    [0, 0, 0],
  ];
  const mean = [
    [0.3, -1, 3],
    [1, -1, 0.5],
  ];

  it('with a fixed variance matches the sum of log N(x; mean, v) in float64', async () => {
    for (const v of [1, 0.01, 4]) {
      const ll = await perExample(() => gaussianLogLikelihood({ x: tf.tensor2d(x), mean: tf.tensor2d(mean), logVar: Math.log(v) }));
      x.forEach((xb, b) => expect(ll[b]).toBeCloseTo(gaussian64(xb, mean[b], [Math.log(v), Math.log(v), Math.log(v)]), 3));
    }
  });

  it('with a learned [B, D] log-variance matches the sum of log N(x; mean, exp(logVar)) in float64', async () => {
    const logVar = [
      [-3, 0, 1.5],
      [0.2, -0.5, -6],
    ];
    const ll = await perExample(() => gaussianLogLikelihood({ x: tf.tensor2d(x), mean: tf.tensor2d(mean), logVar: tf.tensor2d(logVar) }));
    x.forEach((xb, b) => expect(ll[b]).toBeCloseTo(gaussian64(xb, mean[b], logVar[b]), 3));
  });

  it('squaredError is the summed squared error', async () => {
    const se = await perExample(() => squaredError({ x: tf.tensor2d(x), mean: tf.tensor2d(mean) }));
    x.forEach((xb, b) => expect(se[b]).toBeCloseTo(xb.reduce((s, xi, i) => s + (xi - mean[b][i]) ** 2, 0), 5));
  });
});

describe('reconstructionLoss and likelihoodMean', () => {
  const x = [
    [0.2, 0.9],
    [1, 0],
  ];
  const out = [
    [0.5, -1, -0.3, 2], // learned Gaussian: [mean | logVar]
    [3, -2, 0.1, -1],
  ];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));

  it('reads each likelihood kind from the decoder output', async () => {
    const cases: { likelihood: Likelihood; output: number[][]; ref: (b: number) => number }[] = [
      { likelihood: { kind: 'bernoulli' }, output: out.map((r) => r.slice(0, 2)), ref: (b) => -bernoulli64(x[b], out[b].slice(0, 2)) },
      {
        likelihood: { kind: 'gaussian', variance: 0.25, meanActivation: 'linear' },
        output: out.map((r) => r.slice(0, 2)),
        ref: (b) => -gaussian64(x[b], out[b].slice(0, 2), [Math.log(0.25), Math.log(0.25)]),
      },
      {
        likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'sigmoid' },
        output: out,
        ref: (b) => -gaussian64(x[b], out[b].slice(0, 2).map(sig), out[b].slice(2)),
      },
      {
        likelihood: { kind: 'squared-error', meanActivation: 'sigmoid' },
        output: out.map((r) => r.slice(0, 2)),
        ref: (b) => x[b].reduce((s, xi, i) => s + (xi - sig(out[b][i])) ** 2, 0),
      },
    ];
    for (const { likelihood, output, ref } of cases) {
      const rec = await perExample(() => reconstructionLoss({ likelihood, x: tf.tensor2d(x), output: tf.tensor2d(output) }));
      rec.forEach((r, b) => expect(r, `${JSON.stringify(likelihood)} row ${b}`).toBeCloseTo(ref(b), 4));
    }
  });

  it('gives the decoded mean in data space and the output width', async () => {
    const bern = await expectNoLeak(() => tf.tidy(() => likelihoodMean({ kind: 'bernoulli' }, tf.tensor2d(out)).arraySync() as number[][]));
    out.forEach((r, b) => r.forEach((v, j) => expect(bern[b][j]).toBeCloseTo(sig(v), 6)));
    const learned: Likelihood = { kind: 'gaussian', variance: 'learned', meanActivation: 'linear' };
    const m = await expectNoLeak(() => tf.tidy(() => likelihoodMean(learned, tf.tensor2d(out)).arraySync() as number[][]));
    expect(m).toEqual(out.map((r) => r.slice(0, 2).map(Math.fround)));
    expect(decoderOutputDim(learned, 784)).toBe(1568);
    expect(decoderOutputDim({ kind: 'bernoulli' }, 784)).toBe(784);
    expect(decoderOutputDim({ kind: 'gaussian', variance: 1, meanActivation: 'linear' }, 2)).toBe(2);
  });
});
