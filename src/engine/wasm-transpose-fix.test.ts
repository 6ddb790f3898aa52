import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, setWasmTransposeFix, tf, Rng } from './index.js';
import { modelSchema } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import { checkTensorCountPerTest, expectNoLeak, maxRelDiff } from '../../test/helpers.js';
import { klWeight } from '../train/index.js';

// Both backends registered; each test picks one with tf.setBackend. The fix is on after initBackend('wasm').
beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

checkTensorCountPerTest();

afterAll(() => {
  tf.setBackend('wasm');
  setWasmTransposeFix(true);
});

/** Runs `fn` on a backend (and with the fix on or off for wasm), returning plain arrays. */
async function on<T>(backend: 'cpu' | 'wasm-stock' | 'wasm-fixed', fn: () => T): Promise<T> {
  await tf.setBackend(backend === 'cpu' ? 'cpu' : 'wasm');
  if (backend !== 'cpu') setWasmTransposeFix(backend === 'wasm-fixed');
  return expectNoLeak(fn);
}

const rng = new Rng(1);
const A = rng.normalArray(2 * 7 * 5);
const Bv = rng.normalArray(2 * 5 * 3);

/** Operands stored so that the requested transposes give [.., 7, 5] x [.., 5, 3]; rank 2 uses the first batch entry. */
function operands(rank: 2 | 3, transposeA: boolean, transposeB: boolean): [tf.Tensor, tf.Tensor] {
  const batch = rank === 3 ? [2] : [];
  const n = rank === 3 ? 2 : 1;
  const a = tf.tensor(A.subarray(0, n * 35), [...batch, 7, 5]);
  const b = tf.tensor(Bv.subarray(0, n * 15), [...batch, 5, 3]);
  const perm = rank === 3 ? [0, 2, 1] : [1, 0];
  return [transposeA ? tf.transpose(a, perm) : a, transposeB ? tf.transpose(b, perm) : b];
}

const COMBOS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

describe('wasm transpose fix', () => {
  it("gives the cpu backend's products for every transpose combination, rank 2 and batched rank 3", async () => {
    for (const rank of [2, 3] as const) {
      for (const [ta, tb] of COMBOS) {
        const product = () =>
          tf.tidy(() => {
            // Materialize the stored operands first so only the product runs with transpose attributes.
            const [a, b] = operands(rank, ta, tb).map((t) => tf.clone(t));
            const out = tf.matMul(a, b, ta, tb);
            return { shape: out.shape, values: Array.from(out.dataSync()) };
          });
        const cpu = await on('cpu', product);
        const fixed = await on('wasm-fixed', product);
        const stock = await on('wasm-stock', product);
        expect(cpu.shape).toEqual(rank === 3 ? [2, 7, 3] : [7, 3]);
        for (const got of [fixed, stock]) {
          expect(got.shape).toEqual(cpu.shape);
          expect(maxRelDiff(got.values, cpu.values), `rank ${rank}, transposeA ${ta}, transposeB ${tb}`).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('frees its transposed copies: no data buffer is left in the wasm backend', async () => {
    await on('wasm-fixed', () => {
      const [a, b] = tf.tidy(() => operands(2, true, true).map((t) => tf.clone(t)));
      const before = tf.memory().numDataBuffers;
      tf.matMul(a, b, true, true).dispose();
      expect(tf.memory().numDataBuffers).toBe(before);
      tf.dispose([a, b]);
    });
  });

  it('leaves the gradients of an MLP loss as the stock kernel computes them (and as cpu does)', async () => {
    const r = new Rng(2);
    const x = r.normalArray(32 * 20);
    const w1 = r.normalArray(20 * 16).map((v) => v * 0.3);
    const w2 = r.normalArray(16 * 10).map((v) => v * 0.3);
    const b1 = r.normalArray(16);
    // Backprop of x W1 and h W2 runs matMul(dy, W, false, true) and matMul(x, dy, true, false): both transposed paths.
    const grads = () =>
      tf.tidy(() => {
        const xs = tf.tensor2d(x, [32, 20]);
        const target = tf.sigmoid(tf.tensor2d(x.subarray(0, 320), [32, 10]));
        const f = (W1: tf.Tensor, B1: tf.Tensor, W2: tf.Tensor) =>
          tf.sum(tf.square(tf.sub(tf.sigmoid(tf.matMul(tf.relu(tf.add(tf.matMul(xs, W1), B1)), W2)), target)));
        return tf.grads(f)([tf.tensor2d(w1, [20, 16]), tf.tensor1d(b1), tf.tensor2d(w2, [16, 10])]).map((g) => Array.from(g.dataSync()));
      });
    const stock = await on('wasm-stock', grads);
    const fixed = await on('wasm-fixed', grads);
    const cpu = await on('cpu', grads);
    stock.forEach((g, i) => {
      expect(g.some((v) => Math.abs(v) > 1e-3)).toBe(true);
      expect(maxRelDiff(fixed[i], g), `gradient ${i}, fix vs stock`).toBeLessThan(1e-5);
      expect(maxRelDiff(cpu[i], g), `gradient ${i}, cpu vs stock wasm`).toBeLessThan(1e-5);
    });
  });

  it("leaves a VAE's parameter gradients as the stock kernel computes them", async () => {
    await tf.setBackend('wasm');
    const config = modelSchema.parse({
      kind: 'vae',
      latent: 4,
      encoder: { hidden: [32], activation: 'relu' },
      decoder: { hidden: [32], activation: 'relu' },
      likelihood: { kind: 'bernoulli' },
    });
    const model = buildModel(config, 64, new Rng(3));
    const x = new Rng(4).uniformArray(16 * 64);
    const trainable = model.variables().filter((v) => v.trainable);
    const grads = () =>
      tf.tidy(() => {
        const xs = tf.tensor2d(x, [16, 64]);
        const { grads: g } = tf.variableGrads(() => tf.mean(model.loss(xs, { training: true, rng: new Rng(5), klWeight: klWeight(model.config, 'unscheduled') }).loss) as tf.Scalar, trainable.map((v) => v.variable));
        return trainable.map((v) => Array.from(g[v.variable.name].dataSync()));
      });
    const stock = await on('wasm-stock', grads);
    const fixed = await on('wasm-fixed', grads);
    const cpu = await on('cpu', grads);
    stock.forEach((g, i) => {
      expect(maxRelDiff(fixed[i], g), `${trainable[i].name}, fix vs stock`).toBeLessThan(1e-5);
      expect(maxRelDiff(cpu[i], g), `${trainable[i].name}, cpu vs stock wasm`).toBeLessThan(1e-5);
    });
    model.dispose();
  });
});
