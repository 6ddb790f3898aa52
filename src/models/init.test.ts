import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { buildModel } from './registry.js';
import { initDecoderBiasFromData } from './init.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

describe('initDecoderBiasFromData', () => {
  it('sets a Bernoulli decoder bias to the logit of the clipped data mean, so an all-zero hidden layer decodes to the mean', async () => {
    const config = modelSchema.parse({ kind: 'vae', latent: 2, encoder: {}, decoder: { hidden: [3] }, likelihood: { kind: 'bernoulli' } });
    const model = buildModel(config, 3, new Rng(1));
    // Columns with means 0.25, 0 (clipped to 1e-3) and 1 (clipped to 1 - 1e-3).
    const x = Float32Array.from([1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
    await expectNoLeak(() => initDecoderBiasFromData(model, x));
    const bias = model.variables().find((v) => v.name === 'decoder.out.bias')!.variable.dataSync();
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(bias[0]).toBeCloseTo(logit(0.25), 5);
    expect(bias[1]).toBeCloseTo(logit(1e-3), 4);
    expect(bias[2]).toBeCloseTo(logit(1 - 1e-3), 4);
    model.dispose();
  });

  it('uses the mean itself for a linear Gaussian decoder and keeps the learned log-variance half', async () => {
    const config = modelSchema.parse({ kind: 'vae', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'gaussian', variance: 'learned' } });
    const model = buildModel(config, 2, new Rng(1));
    const bias = model.variables().find((v) => v.name === 'decoder.out.bias')!.variable;
    const before = Array.from(bias.dataSync());
    initDecoderBiasFromData(model, Float32Array.from([2, -1, 4, 3]));
    const after = Array.from(bias.dataSync());
    expect(after[0]).toBeCloseTo(3, 6);
    expect(after[1]).toBeCloseTo(1, 6);
    expect(after.slice(2)).toEqual(before.slice(2));
    model.dispose();
  });
});
