import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { initBackend, Rng, tf } from '../engine/index.js';
import { buildModel, type Model } from '../models/index.js';
import { modelSchema } from '../config/schema.js';
import { saveModel } from '../io/model-files.js';
import { UsageError } from '../errors.js';
import { checkTensorCountPerTest, expectNoLeak, rejection, tempDir } from '../../test/helpers.js';
import { initFromRun } from './init-from.js';

beforeAll(async () => {
  await initBackend('cpu');
});
checkTensorCountPerTest();
const tmp = tempDir('init-from');
afterAll(tmp.remove);

const D = 6;
/** A VAE with a BatchNorm layer (non-trainable running statistics) and `latent` units; `seed` sets its weights. */
function vae(seed: number, latent = 3, hidden = [5]): Model {
  const config = modelSchema.parse({ kind: 'vae', latent, encoder: { hidden, activation: 'tanh', batchNorm: 'before' }, decoder: { hidden: [4], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } });
  return buildModel(config, D, new Rng(seed));
}

/** Every variable's values by name. */
const values = (m: Model) => new Map(m.variables().map((v) => [v.name, Array.from(v.variable.dataSync())]));

/** The values each saved run's model was saved with, by run folder. */
const savedValues = new Map<string, Map<string, number[]>>();

/** Saves a model, every variable moved by 0.25 (so none keeps a value a fresh model has: BatchNorm's 0 and 1), as the model folder of run `name`. */
function savedRun(name: string, make: () => Model): string {
  const m = make();
  for (const v of m.variables()) tf.tidy(() => v.variable.assign(v.variable.add(0.25)));
  const run = path.join(tmp.dir, name);
  saveModel(path.join(run, 'model'), m, { inputShape: [D], preprocessing: { kind: 'none' } });
  savedValues.set(run, values(m));
  m.dispose();
  return run;
}

describe('initFromRun', () => {
  it("copies every variable of the run's model, BatchNorm statistics included, and leaks nothing", async () => {
    const run = savedRun('a', () => vae(1));
    const m = vae(2);
    const before = values(m);
    await expectNoLeak(() => initFromRun(m, run));
    const after = values(m);
    m.dispose();
    const saved = savedValues.get(run)!;
    expect([...after.keys()].sort()).toEqual([...saved.keys()].sort());
    expect([...after.keys()].some((n) => n.includes('runningVar'))).toBe(true);
    for (const [name, v] of after) {
      expect(v, name).toEqual(saved.get(name)!.map((x) => Math.fround(x)));
      expect(v, `${name} changed`).not.toEqual(before.get(name));
    }
  });

  it('refuses a model of another shape, naming the variable and both shapes, and assigns nothing', async () => {
    const run = savedRun('latent2', () => vae(1, 2));
    const m = vae(2, 3);
    const before = values(m);
    const err = await rejection(() => expectNoLeak(() => initFromRun(m, run)));
    const after = values(m);
    m.dispose();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(new RegExp(`^train\\.initFrom \\(--init-from\\) ${run}: its model does not match this vae model: 'encoder\\.(mean|logVar)\\.(kernel|bias)' is \\[(5, )?2\\] there, \\[(5, )?3\\] here`));
    expect(after).toEqual(before);
  });

  it('refuses a model with fewer or more variables, naming one', async () => {
    const deeper = savedRun('deeper', () => vae(1, 3, [5, 5]));
    const m = vae(2);
    const err = await rejection(() => expectNoLeak(() => initFromRun(m, deeper)));
    expect((err as Error).message).toMatch(/it has variables this model lacks: 'encoder\.[\w.]+'/);
    const shallow = path.join(tmp.dir, 'deeper');
    const m2 = vae(3, 3, [5, 5, 5]);
    const err2 = await rejection(() => expectNoLeak(() => initFromRun(m2, shallow)));
    m.dispose();
    m2.dispose();
    expect((err2 as Error).message).toMatch(/it has no variable 'encoder\.[\w.]+' \(\[5(, 5)?\] here\)/);
  });

  it('names the folder when it holds no model', async () => {
    const m = vae(2);
    const err = await rejection(() => initFromRun(m, path.join(tmp.dir, 'nothing')));
    m.dispose();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^train\.initFrom \(--init-from\) \S*nothing: no model found \(expected /);
  });
});
