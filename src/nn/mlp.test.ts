import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest, expectNoLeak, matMul64, maxRelDiff } from '../../test/helpers.js';
import { activate, ACTIVATIONS, LEAKY_RELU_SLOPE } from './activations.js';
import { Dense } from './dense.js';
import { Mlp } from './mlp.js';
import type { Activation } from './types.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

/** Each activation in float64, as PyTorch defines it (LeakyReLU slope 0.01, ELU alpha 1). */
const REFERENCE: Record<Activation, (v: number) => number> = {
  linear: (v) => v,
  relu: (v) => Math.max(0, v),
  leakyRelu: (v) => (v >= 0 ? v : LEAKY_RELU_SLOPE * v),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  elu: (v) => (v >= 0 ? v : Math.expm1(v)),
  softplus: (v) => Math.log1p(Math.exp(v)),
};

describe('activations', () => {
  it('match their definitions', async () => {
    const x = [-5, -1.5, -0.2, 0, 0.3, 2, 7];
    expect(LEAKY_RELU_SLOPE).toBe(0.01);
    for (const fn of ACTIVATIONS) {
      const y = await expectNoLeak(() => tf.tidy(() => Array.from(activate(fn, tf.tensor2d([x])).dataSync())));
      x.forEach((v, i) => expect(y[i], `${fn}(${v})`).toBeCloseTo(REFERENCE[fn](v), 5));
    }
  });
});

describe('Dense', () => {
  it("initializes like nn.Linear: W and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))", () => {
    const fc = new Dense({ name: 'fc', inDim: 400, outDim: 300, rng: new Rng(1) });
    const w = Float32Array.from(fc.kernel.dataSync());
    const k = 1 / Math.sqrt(400);
    expect(fc.kernel.shape).toEqual([400, 300]);
    expect(w.every((v) => Math.abs(v) <= k)).toBe(true);
    expect(fc.bias.dataSync().every((v) => Math.abs(v) <= k)).toBe(true);
    // U(-k, k) has variance k^2 / 3; with 120000 draws the sample variance is within 1% of it.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(Math.abs(variance / (k * k / 3) - 1)).toBeLessThan(0.01);
    fc.variables().forEach((v) => v.variable.dispose());
  });

  it('computes act(x W + b) for every activation, fused or not', async () => {
    const rng = new Rng(2);
    const x = rng.normalArray(5 * 4);
    for (const activation of ACTIVATIONS) {
      const fc = new Dense({ name: 'fc', inDim: 4, outDim: 3, rng, activation });
      const xw = matMul64(x, fc.kernel.dataSync(), 5, 4, 3);
      const b = fc.bias.dataSync();
      const ref = Array.from(xw, (v, i) => REFERENCE[activation](v + b[i % 3]));
      const y = await expectNoLeak(() => tf.tidy(() => Array.from(fc.apply(tf.tensor2d(x, [5, 4])).dataSync())));
      expect(maxRelDiff(y, ref), activation).toBeLessThan(1e-5);
      fc.variables().forEach((v) => v.variable.dispose());
    }
  });
});

describe('Mlp', () => {
  const rng = new Rng(3);
  const layers = (mlp: Mlp) => mlp.summary().map((r) => r.type);

  it('stacks hidden layers with BatchNorm before or after the activation, and dropout after each', () => {
    const spec = { hidden: [8, 6], activation: 'relu' as const, dropout: 0.2 };
    const before = new Mlp({ name: 'e', inDim: 5, spec: { ...spec, batchNorm: 'before' }, rng });
    const after = new Mlp({ name: 'e', inDim: 5, spec: { ...spec, batchNorm: 'after' }, rng });
    const none = new Mlp({ name: 'e', inDim: 5, spec: { hidden: [8], activation: ['tanh'], batchNorm: 'none', dropout: 0 }, rng });
    expect(layers(before)).toEqual(['Dense', 'BatchNorm', 'relu', 'Dropout(0.2)', 'Dense', 'BatchNorm', 'relu', 'Dropout(0.2)']);
    expect(layers(after)).toEqual(['Dense', 'relu', 'BatchNorm', 'Dropout(0.2)', 'Dense', 'relu', 'BatchNorm', 'Dropout(0.2)']);
    expect(layers(none)).toEqual(['Dense', 'tanh']);
    expect(before.outDim).toBe(6);
    // Parameters: dense 5*8+8 and 8*6+6, BatchNorm 2*8 and 2*6.
    expect(before.summary().reduce((s, r) => s + r.params, 0)).toBe(48 + 54 + 16 + 12);
    for (const m of [before, after, none]) m.variables().forEach((v) => v.variable.dispose());
  });

  it('applies one activation per layer when given a list, and rejects a list of the wrong length', async () => {
    const mlp = new Mlp({ name: 'd', inDim: 2, spec: { hidden: [4, 4], activation: ['linear', 'leakyRelu'], batchNorm: 'none', dropout: 0 }, rng });
    expect(layers(mlp)).toEqual(['Dense', 'Dense', 'leakyRelu']);
    const x = [0.5, -1, 2, 0.3];
    const [d0, d1] = mlp.blocks as Dense[];
    const h = Array.from(matMul64(x, d0.kernel.dataSync(), 2, 2, 4), (v, i) => v + d0.bias.dataSync()[i % 4]);
    const ref = Array.from(matMul64(h, d1.kernel.dataSync(), 2, 4, 4), (v, i) => REFERENCE.leakyRelu(v + d1.bias.dataSync()[i % 4]));
    const y = await expectNoLeak(() => tf.tidy(() => Array.from(mlp.apply(tf.tensor2d(x, [2, 2]), { training: false, rng }).dataSync())));
    expect(maxRelDiff(y, ref)).toBeLessThan(1e-5);
    mlp.variables().forEach((v) => v.variable.dispose());
    expect(() => new Mlp({ name: 'd', inDim: 2, spec: { hidden: [4, 4], activation: ['relu'], batchNorm: 'none', dropout: 0 }, rng })).toThrow(
      /d: 2 hidden layers but 1 activations/,
    );
  });
});
