import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, makeVariable, tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { Adam } from './adam.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

describe('Adam', () => {
  it("follows PyTorch's update, computed here in float64, step by step", async () => {
    const opts = { lr: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-3 };
    const rng = new Rng(1);
    const p0 = Array.from(rng.normalArray(6));
    const grads = Array.from({ length: 5 }, () => Array.from(rng.normalArray(6)));
    const param = makeVariable(Float32Array.from(p0), [2, 3], true);
    const adam = new Adam([{ name: 'w', variable: param, trainable: true }], opts);
    await expectNoLeak(() => {
      for (const g of grads) {
        const gt = tf.tensor2d(g, [2, 3]);
        adam.apply({ [param.name]: gt });
        gt.dispose();
      }
    });
    // torch.optim.Adam: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps).
    const p = [...p0];
    const m = new Array(6).fill(0);
    const v = new Array(6).fill(0);
    grads.forEach((g, t) => {
      for (let i = 0; i < 6; i++) {
        m[i] = opts.beta1 * m[i] + (1 - opts.beta1) * g[i];
        v[i] = opts.beta2 * v[i] + (1 - opts.beta2) * g[i] ** 2;
        const mHat = m[i] / (1 - opts.beta1 ** (t + 1));
        const vHat = v[i] / (1 - opts.beta2 ** (t + 1));
        p[i] -= (opts.lr * mHat) / (Math.sqrt(vHat) + opts.epsilon);
      }
    });
    expect(adam.step).toBe(5);
    const got = param.dataSync();
    p.forEach((pi, i) => expect(got[i]).toBeCloseTo(pi, 6));
    // The parameters moved by several steps' worth, so the comparison is not trivially satisfied.
    expect(Math.max(...p.map((pi, i) => Math.abs(pi - p0[i])))).toBeGreaterThan(0.02);
    const [mv, vv] = adam.stateVariables();
    expect(mv.name).toBe('w.m');
    m.forEach((mi, i) => expect(mv.variable.dataSync()[i]).toBeCloseTo(mi, 6));
    v.forEach((vi, i) => expect(vv.variable.dataSync()[i]).toBeCloseTo(vi, 6));
    adam.dispose();
    param.dispose();
  });

  it('skips a parameter without a gradient', async () => {
    const a = makeVariable(Float32Array.of(1, 2), [2], true);
    const b = makeVariable(Float32Array.of(3, 4), [2], true);
    const adam = new Adam(
      [
        { name: 'a', variable: a, trainable: true },
        { name: 'b', variable: b, trainable: true },
      ],
      { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    );
    await expectNoLeak(() => {
      const g = tf.tensor1d([1, -1]);
      adam.apply({ [a.name]: g });
      g.dispose();
    });
    // First step of Adam moves each coordinate by lr * sign(g) (up to eps).
    expect(Array.from(a.dataSync())).toEqual([Math.fround(0.9), Math.fround(2.1)].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(b.dataSync())).toEqual([3, 4]);
    adam.dispose();
    tf.dispose([a, b]);
  });
});
