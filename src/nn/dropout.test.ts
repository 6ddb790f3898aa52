import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { Dropout } from './dropout.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const ROWS = 400;
const COLS = 50;

describe('Dropout', () => {
  it('is the identity in evaluation mode, and in training when the rate is 0', async () => {
    const x = new Rng(1).normalArray(ROWS * COLS);
    for (const [rate, training] of [
      [0.2, false],
      [0, true],
    ] as const) {
      const drop = new Dropout({ name: 'd', dim: COLS, rate });
      const rng = new Rng(2);
      const before = rng.state();
      const y = await expectNoLeak(() => tf.tidy(() => drop.apply(tf.tensor2d(x, [ROWS, COLS]), { training, rng }).dataSync().slice()));
      expect(y).toEqual(x);
      expect(rng.state()).toEqual(before); // no draws
    }
  });

  it('in training zeroes about `rate` of the units and scales the rest by 1 / (1 - rate)', async () => {
    for (const rate of [0.2, 0.5]) {
      const drop = new Dropout({ name: 'd', dim: COLS, rate });
      const y = await expectNoLeak(() => tf.tidy(() => Float32Array.from(drop.apply(tf.ones([ROWS, COLS]) as tf.Tensor2D, { training: true, rng: new Rng(3) }).dataSync())));
      const zeros = y.filter((v) => v === 0).length / y.length;
      // Each unit is dropped independently: the fraction has standard error sqrt(rate (1 - rate) / n) <= 0.0036.
      expect(Math.abs(zeros - rate)).toBeLessThan(4 * Math.sqrt((rate * (1 - rate)) / y.length));
      expect(new Set(y.filter((v) => v !== 0))).toEqual(new Set([Math.fround(1 / (1 - rate))]));
      // Inverted dropout keeps the expectation: the mean stays 1 within 4 standard errors.
      const mean = y.reduce((s, v) => s + v, 0) / y.length;
      expect(Math.abs(mean - 1)).toBeLessThan(4 * Math.sqrt(rate / (1 - rate) / y.length));
    }
  });

  it('draws its masks from the context RNG, so a seed replays them, and passes gradients through the mask', async () => {
    const drop = new Dropout({ name: 'd', dim: COLS, rate: 0.3 });
    const run = () => {
      const rng = new Rng(9);
      const [y, g] = tf.tidy(() => {
        const x = tf.fill([ROWS, COLS], 2) as tf.Tensor2D;
        const grad = tf.grad((t: tf.Tensor) => tf.sum(drop.apply(t as tf.Tensor2D, { training: true, rng: new Rng(9) })))(x);
        return [drop.apply(x, { training: true, rng }), grad].map((t) => Float32Array.from(t.dataSync()));
      });
      return { y, g, state: rng.state() };
    };
    const a = await expectNoLeak(run);
    const b = await expectNoLeak(run);
    expect(a.y).toEqual(b.y);
    // The gradient of sum(x * mask) is the mask itself: y / 2 with the same seed.
    expect(a.g).toEqual(a.y.map((v) => v / 2));
    // One uniform draw per unit.
    const reference = new Rng(9);
    reference.uniformArray(ROWS * COLS);
    expect(a.state).toEqual(reference.state());
  });
});
