import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../engine/index.js';
import { loadDataset, type Dataset } from '../data/index.js';
import { resolveConfig } from '../config/index.js';
import { ModelError, VaekitError } from '../errors.js';
import { checkTensorCountPerTest, expectNoLeak, rejection, tempDir } from '../../test/helpers.js';
import { latestCheckpointEpoch } from './checkpoint.js';
import { train } from './loop.js';
import type { EpochMetrics } from './metrics.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('loop');
afterAll(tmp.remove);

const mnist = (): Dataset => loadDataset({ name: 'mnist', limit: 256, seed: 1, testFraction: 0.2 });
// mnist-vae-bn is the smallest MNIST preset (784-20-10); batch 64 gives four batches per epoch of the 256-example slice.
const config = (train: Record<string, number>) => resolveConfig({ preset: 'mnist-vae-bn', overrides: { train: { batchSize: 64, ...train } } });

describe('train', () => {
  it('leaves only the returned model alive after an epoch, and writes config, metrics, checkpoint and model', { timeout: 30_000 }, async () => {
    const dir = path.join(tmp.dir, 'epoch');
    const before = tf.memory().numTensors;
    const seen: EpochMetrics[] = [];
    const { model, history, epochsRun } = await train({ config: config({ epochs: 1 }), dataset: mnist(), runDir: dir, backend: 'cpu', onEpoch: (m) => seen.push(m) });
    // Nothing but the model's own variables (weights and BatchNorm statistics) is left: no tensor leaked in the epoch.
    expect(tf.memory().numTensors - before).toBe(model.variables().length);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    expect(epochsRun).toBe(1);
    expect(seen).toEqual(history);
    const [m] = history;
    expect(m.epoch).toBe(1);
    for (const t of [m.train, m.test]) {
      expect(t.loss).toBeCloseTo(t.reconstruction + t.kl, 3); // beta 1
      expect(t.kl).toBeGreaterThan(0);
    }
    expect(m.samplesPerSecond).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8'))).toEqual(m);
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toMatchObject({ preset: 'mnist-vae-bn', backend: 'cpu', train: { batchSize: 64 } });
    expect(latestCheckpointEpoch(dir)).toBe(1);
    expect(existsSync(path.join(dir, 'model', 'model.json'))).toBe(true);
  });

  it('gives the event loop a turn after every epoch (native finalizers, such as resvg\'s, run only there)', { timeout: 30_000 }, async () => {
    const turns: number[] = [];
    let epochsSeen = 0;
    const tick = () => {
      turns.push(epochsSeen);
      timer = setImmediate(tick);
    };
    let timer = setImmediate(tick);
    const { model } = await train({ config: config({ epochs: 3 }), dataset: mnist(), runDir: path.join(tmp.dir, 'turns'), backend: 'cpu', onEpoch: () => epochsSeen++ });
    clearImmediate(timer);
    model.dispose();
    // A turn came after epoch 1 ended and before epoch 2 ended, and likewise after epoch 2.
    expect(turns).toContain(1);
    expect(turns).toContain(2);
  });

  it('stops on a NaN loss with a numeric error, keeping the last good checkpoint, which still resumes', { timeout: 30_000 }, async () => {
    const dir = path.join(tmp.dir, 'nan-data');
    const dataset = mnist();
    const err = await expectNoLeak(() =>
      rejection(() =>
        train({
          config: config({ epochs: 3 }),
          dataset,
          runDir: dir,
          backend: 'cpu',
          // After epoch 1 is checkpointed, one training image turns into NaNs: epoch 2 meets it in some batch.
          onEpoch: (m) => m.epoch === 1 && dataset.train.x.fill(NaN, 0, 784),
        }),
      ),
    );
    expect(err).toBeInstanceOf(VaekitError);
    expect((err as VaekitError).code).toBe('numeric');
    expect(err.message).toMatch(/^epoch 2, batch \d: the loss is NaN; training stopped\. the last good checkpoint \(epoch 1, written before epoch 2\) is kept in /);
    expect(err.message).toContain(path.join(dir, 'checkpoints'));
    expect(latestCheckpointEpoch(dir)).toBe(1);
    // metrics.jsonl holds epoch 1 only, and the checkpoint resumes once the data is fixed.
    expect(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    await expectNoLeak(async () => {
      const { model, history } = await train({ config: config({ epochs: 2 }), dataset: mnist(), runDir: dir, backend: 'cpu', resume: true });
      model.dispose();
      expect(history.map((h) => h.epoch)).toEqual([1, 2]);
      expect(Number.isFinite(history[1].train.loss)).toBe(true);
    });
  });

  it('stops when a huge learning rate makes the loss blow up', { timeout: 30_000 }, async () => {
    const dir = path.join(tmp.dir, 'nan-lr');
    await expectNoLeak(async () => {
      const { model } = await train({ config: config({ epochs: 1 }), dataset: mnist(), runDir: dir, backend: 'cpu' });
      model.dispose();
    });
    // Resume the good run with lr 1e6: the first update throws the weights to ~1e6 and the loss overflows.
    const err = await expectNoLeak(() => rejection(() => train({ config: config({ epochs: 3, lr: 1e6 }), dataset: mnist(), runDir: dir, backend: 'cpu', resume: true })));
    expect((err as VaekitError).code).toBe('numeric');
    expect(err.message).toMatch(/^epoch 2, (batch \d|test set): the loss is (NaN|Infinity|-Infinity); training stopped\. the last good checkpoint \(epoch 1, written before epoch 2\)/);
    expect(latestCheckpointEpoch(dir)).toBe(1);
  });

  it('says when no epoch finished, so that there is no checkpoint', { timeout: 30_000 }, async () => {
    const dir = path.join(tmp.dir, 'nan-first');
    const dataset = mnist();
    dataset.train.x.fill(Infinity, 0, 784);
    const err = await expectNoLeak(() => rejection(() => train({ config: config({ epochs: 1 }), dataset, runDir: dir, backend: 'cpu' })));
    expect((err as VaekitError).code).toBe('numeric');
    expect(err.message).toMatch(/^epoch 1, batch \d: the loss is (NaN|Infinity); training stopped\. no epoch had finished, so there is no checkpoint/);
    expect(latestCheckpointEpoch(dir)).toBeUndefined();
  });

  it('refuses to resume a folder without a checkpoint, with a model error naming it', async () => {
    const dir = path.join(tmp.dir, 'empty');
    const err = await expectNoLeak(() => rejection(() => train({ config: config({ epochs: 1 }), dataset: mnist(), runDir: dir, backend: 'cpu', resume: true })));
    expect(err).toBeInstanceOf(ModelError);
    expect(err.message).toBe(`${dir}: no checkpoint to resume from (expected ${path.join(dir, 'checkpoints', 'latest.json')})`);
  });

  it('fills a kind\'s data-given fields (beta-TCVAE\'s N) when the config was resolved without its dataset', { timeout: 30_000 }, async () => {
    // xy-squares: 400 training examples, batch 64, so N = 400 and the batch size differ and the estimator tells them apart.
    const dataset = loadDataset({ name: 'xy-squares', n: 500, seed: 1, testFraction: 0.2 });
    const tcvae = (datasetSize?: number) =>
      resolveConfig({
        preset: 'dsprites-beta-tcvae',
        overrides: { data: { name: 'xy-squares' }, model: { latent: 2, encoder: { hidden: [16] }, decoder: { hidden: [16] }, ...(datasetSize && { datasetSize }) }, train: { epochs: 1, batchSize: 64 } },
      });
    expect(tcvae().model).not.toHaveProperty('datasetSize');
    const run = async (name: string, datasetSize?: number) => {
      const dir = path.join(tmp.dir, name);
      const { model, history } = await train({ config: tcvae(datasetSize), dataset, runDir: dir, backend: 'cpu' });
      const saved = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).model.datasetSize;
      model.dispose();
      return { loss: history[0].train.loss, saved };
    };
    const unset = await run('tc-unset');
    const given = await run('tc-given', dataset.train.n);
    const batch = await run('tc-batch', 64);
    expect(dataset.train.n).toBe(400);
    expect(unset.saved).toBe(400);
    // The same run, to the last digit, as with N given explicitly, and not the run whose N is the batch size (the old
    // fallback). In a first epoch the posteriors are wide and N moves the loss only in its sixth digit; with trained,
    // narrow posteriors the sample's own term dominates log q(z) and N shifts it by log(N / B).
    expect(unset.loss).toBe(given.loss);
    expect(batch.loss).not.toBe(unset.loss);
  });
});
