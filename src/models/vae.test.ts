import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { checkTensorCountPerTest, expectNoLeak, matMul64 } from '../../test/helpers.js';
import { Vae, type VaeConfig } from './vae.js';
import { klWeight } from '../train/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 6;

function vaeConfig(overrides: Record<string, unknown> = {}): VaeConfig {
  return modelSchema.parse({
    kind: 'vae',
    latent: 3,
    encoder: { hidden: [8], activation: 'tanh' },
    decoder: { hidden: [8], activation: 'tanh' },
    likelihood: { kind: 'bernoulli' },
    ...overrides,
  }) as VaeConfig;
}

function data(seed: number, n: number): tf.Tensor2D {
  return tf.tensor2d(new Rng(seed).uniformArray(n * D), [n, D]);
}

describe('Vae.reparameterize', () => {
  it('draws z with mean `mean` and variance exp(logVar)', async () => {
    const vae = new Vae({ config: vaeConfig(), inputDim: D, rng: new Rng(1) });
    const n = 20_000;
    const mu = [1, -2, 0.5];
    const logVar = [Math.log(4), Math.log(0.25), 0];
    const z = await expectNoLeak(() =>
      tf.tidy(() => {
        const mean = tf.tile(tf.tensor2d([mu]), [n, 1]) as tf.Tensor2D;
        const lv = tf.tile(tf.tensor2d([logVar]), [n, 1]) as tf.Tensor2D;
        return vae.reparameterize({ mean, logVar: lv }, new Rng(2)).dataSync().slice();
      }),
    );
    for (let j = 0; j < 3; j++) {
      const col = Array.from({ length: n }, (_, i) => z[3 * i + j]);
      const m = col.reduce((s, v) => s + v, 0) / n;
      const v = col.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1);
      const sigma2 = Math.exp(logVar[j]);
      // Standard errors: sigma / sqrt(n) for the mean, sigma^2 sqrt(2 / (n - 1)) for the variance of a normal sample.
      expect(Math.abs(m - mu[j])).toBeLessThan(4 * Math.sqrt(sigma2 / n));
      expect(Math.abs(v - sigma2)).toBeLessThan(4 * sigma2 * Math.sqrt(2 / (n - 1)));
    }
    vae.dispose();
  });

  it('has dz/dmean = 1 and dz/dlogVar = exp(logVar / 2) eps / 2, with eps the RNG draws', async () => {
    const vae = new Vae({ config: vaeConfig(), inputDim: D, rng: new Rng(1) });
    const mean = [
      [0.3, -0.1, 2],
      [1, 0, -1],
    ];
    const logVar = [
      [0, -1, 0.5],
      [1.2, 0.3, -2],
    ];
    const [gMean, gLogVar] = await expectNoLeak(() =>
      tf.tidy(() =>
        tf
          .grads((m: tf.Tensor, lv: tf.Tensor) => tf.sum(vae.reparameterize({ mean: m as tf.Tensor2D, logVar: lv as tf.Tensor2D }, new Rng(5))))([
            tf.tensor2d(mean),
            tf.tensor2d(logVar),
          ])
          .map((g) => g.arraySync() as number[][]),
      ),
    );
    const eps = new Rng(5).normalArray(6);
    gMean.flat().forEach((g) => expect(g).toBeCloseTo(1, 6));
    logVar.flat().forEach((lv, i) => expect(gLogVar.flat()[i]).toBeCloseTo(0.5 * Math.exp(lv / 2) * eps[i], 5));
    vae.dispose();
  });
});

describe('Vae gradients', () => {
  for (const variance of ['logVar', 'softplus'] as const) {
    it(`reach the mean and ${variance} heads through the reparameterization (beta 0, so not via the KL)`, async () => {
      const vae = new Vae({ config: vaeConfig({ variance, beta: 0 }), inputDim: D, rng: new Rng(3) });
      const trainable = vae.variables().filter((v) => v.trainable);
      const head = variance === 'softplus' ? 'encoder.variance' : 'encoder.logVar';
      const norms = await expectNoLeak(() =>
        tf.tidy(() => {
          const x = data(4, 16);
          const { grads } = tf.variableGrads(
            () => tf.mean(vae.loss(x, { training: true, rng: new Rng(6), klWeight: klWeight(vae.config, 'unscheduled') }).loss) as tf.Scalar,
            trainable.map((v) => v.variable),
          );
          return Object.fromEntries(trainable.map((v) => [v.name, tf.norm(grads[v.variable.name]).dataSync()[0]]));
        }),
      );
      expect(Object.keys(norms)).toEqual(expect.arrayContaining(['encoder.mean.kernel', 'encoder.mean.bias', `${head}.kernel`, `${head}.bias`]));
      for (const [name, norm] of Object.entries(norms)) expect(norm, name).toBeGreaterThan(1e-6);
      vae.dispose();
    });
  }
});

describe('Vae.encode', () => {
  it('reads the softplus head as a variance: logVar = log(softplus(h)), h = x W + b', async () => {
    const vae = new Vae({ config: vaeConfig({ variance: 'softplus', encoder: { hidden: [] } }), inputDim: D, rng: new Rng(7) });
    const vars = Object.fromEntries(vae.variables().map((v) => [v.name, v.variable.dataSync()]));
    const xs = new Rng(8).uniformArray(4 * D);
    const h = matMul64(xs, vars['encoder.variance.kernel'], 4, D, 3).map((v, i) => v + vars['encoder.variance.bias'][i % 3]);
    const m = matMul64(xs, vars['encoder.mean.kernel'], 4, D, 3).map((v, i) => v + vars['encoder.mean.bias'][i % 3]);
    const { mean, logVar } = await expectNoLeak(() =>
      tf.tidy(() => {
        const e = vae.encode(tf.tensor2d(xs, [4, D]));
        return { mean: e.mean.dataSync().slice(), logVar: e.logVar.dataSync().slice() };
      }),
    );
    h.forEach((hi, i) => expect(logVar[i]).toBeCloseTo(Math.log(Math.log1p(Math.exp(hi))), 5));
    m.forEach((mi, i) => expect(mean[i]).toBeCloseTo(mi, 5));
    // The exported graph says the same: the head, then softplus, then log.
    expect(vae.graph().heads.logVar?.map((op) => (op.op === 'activation' ? op.fn : op.op))).toEqual(['dense', 'softplus', 'log']);
    vae.dispose();
  });

  it('reads the logVar head as the log-variance itself', async () => {
    const vae = new Vae({ config: vaeConfig({ encoder: { hidden: [] } }), inputDim: D, rng: new Rng(7) });
    const vars = Object.fromEntries(vae.variables().map((v) => [v.name, v.variable.dataSync()]));
    const xs = new Rng(8).uniformArray(4 * D);
    const h = matMul64(xs, vars['encoder.logVar.kernel'], 4, D, 3).map((v, i) => v + vars['encoder.logVar.bias'][i % 3]);
    const logVar = await expectNoLeak(() => tf.tidy(() => vae.encode(tf.tensor2d(xs, [4, D])).logVar.dataSync().slice()));
    h.forEach((hi, i) => expect(logVar[i]).toBeCloseTo(hi, 5));
    vae.dispose();
  });
});

describe('Vae.decode', () => {
  it('is the sigmoid of the decoder output for a Bernoulli decoder (its sigmoid is fused into the last product)', async () => {
    await expectNoLeak(() => {
      const vae = new Vae({ config: vaeConfig(), inputDim: D, rng: new Rng(4) });
      const z = tf.tensor2d(new Rng(5).normalArray(10 * 3), [10, 3]);
      const decoded = vae.decode(z);
      const reference = tf.tidy(() => tf.sigmoid(vae.decoderOutput(z)));
      const [a, b] = [decoded.dataSync(), reference.dataSync()];
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-7);
      tf.dispose([z, decoded, reference]);
      vae.dispose();
    });
  });
});
