/** The incremental trainer: a paused run equals an unpaused one, batches count within their epoch, the schedules and Adam come from the config, and nothing leaks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { configSchema, trainSchema, type RunConfigInput } from '../config/schema.js';
import { binarize, memoryBatches } from '../data/batch.js';
import { addNoise } from '../data/noise.js';
import { buildModel, type Model } from '../models/index.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';
import { Adam } from './adam.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { trainStep } from './step.js';
import { learningRate } from './schedule.js';
import { klWeight } from './beta-schedule.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const D = 10;
const N_TRAIN = 40;
const N_TEST = 12;
const BATCH = 16; // 40 examples: batches of 16, 16 and 8
const EPOCHS = 3;

const dataset = {
  kind: 'image' as const,
  preprocessing: { kind: 'scale' as const, scale: 1 },
  train: { x: new Rng(3).uniformArray(N_TRAIN * D), n: N_TRAIN },
  test: { x: new Rng(4).uniformArray(N_TEST * D), n: N_TEST },
};

/** A small VAE with a KL warm-up, Burda's lr schedule compressed, dynamic binarization and denoising: every per-epoch and per-batch draw. */
const input: RunConfigInput = {
  model: { kind: 'vae', latent: 2, encoder: { hidden: [6] }, decoder: { hidden: [6] }, likelihood: { kind: 'bernoulli' }, betaSchedule: { kind: 'linear', epochs: 2 } },
  data: { binarize: 'dynamic' },
  train: { epochs: EPOCHS, batchSize: BATCH, lr: 1e-2, lrSchedule: { kind: 'burda', scale: 0.4 }, denoise: { kind: 'mask', p: 0.2 } },
};
const config = configSchema.parse(input);

/** A fresh model and trainer, the model initialized from the run's stream as train() does. */
function setup(): { trainer: Trainer; model: Model; parameters: () => Float32Array[]; dispose: () => void } {
  const rng = new Rng(config.train.seed);
  const model = buildModel(config.model, D, rng);
  const trainer = new Trainer({ config, model, dataset, rng });
  const parameters = () => model.variables().map((v) => v.variable.dataSync().slice() as Float32Array);
  return { trainer, model, parameters, dispose: () => (trainer.dispose(), model.dispose()) };
}

describe('Trainer', () => {
  it('pausing between steps changes nothing: the same losses and parameters as an unpaused run, and as trainStep called by hand', async () => {
    const straight = setup();
    const straightLosses: number[] = [];
    while (!straight.trainer.done) straightLosses.push(straight.trainer.step().terms.loss);

    const paused = setup();
    const pausedLosses: number[] = [];
    for (const stop of [2, 5, 7]) {
      while (pausedLosses.length < stop) pausedLosses.push(paused.trainer.step().terms.loss);
      await new Promise((resolve) => setTimeout(resolve, 5)); // a pause: the page paints, the user clicks
    }
    while (!paused.trainer.done) pausedLosses.push(paused.trainer.step().terms.loss);
    expect(pausedLosses).toEqual(straightLosses);
    expect(paused.parameters()).toEqual(straight.parameters());

    // The independent answer: the loop the trainer replaces, written out with the same step function.
    const rng = new Rng(config.train.seed);
    const model = buildModel(config.model, D, rng);
    const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: config.train.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const handLosses: number[] = [];
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      adam.options.lr = learningRate(config.train, epoch);
      const weight = klWeight(config.model, epoch);
      for (const batch of memoryBatches(dataset.train, D, { batchSize: BATCH, rng })) {
        const xb = binarize(batch.x, rng);
        const noisy = addNoise(xb, { kind: 'mask', p: 0.2 }, rng, { clip: [0, 1] });
        const x = tf.tensor2d(xb, [batch.indices.length, D]); // [B, D]
        const input = tf.tensor2d(noisy, [batch.indices.length, D]); // [B, D]
        handLosses.push(trainStep({ model, adam, x, input, rng, klWeight: weight }).loss);
        tf.dispose([x, input]);
      }
    }
    expect(straightLosses).toEqual(handLosses);
    expect(straight.parameters()).toEqual(model.variables().map((v) => v.variable.dataSync().slice()));
    adam.dispose();
    model.dispose();
    straight.dispose();
    paused.dispose();
  });

  it('counts batches within their epoch and applies the epoch learning rate and KL weight', () => {
    const { trainer, dispose } = setup();
    const seen: string[] = [];
    while (!trainer.done) {
      const s = trainer.step();
      seen.push(`${s.epoch}.${s.batch}/${s.batches}${s.epochDone ? '!' : ''}`);
      expect(trainer.epochsDone).toBe(s.epochDone ? s.epoch : s.epoch - 1);
      expect(trainer.lr).toBe(learningRate(config.train, s.epoch));
      expect(trainer.klWeight).toEqual(klWeight(config.model, s.epoch));
      if (s.epochDone) expect(trainer.seen).toBe(N_TRAIN);
    }
    expect(seen).toEqual(['1.1/3', '1.2/3', '1.3/3!', '2.1/3', '2.2/3', '2.3/3!', '3.1/3', '3.2/3', '3.3/3!']);
    // The schedules really move: lr falls at Burda's second stage, beta warms up from 0.
    expect(learningRate(config.train, 2)).toBeLessThan(config.train.lr);
    expect(klWeight(config.model, 1)).toEqual({ kind: 'beta', beta: 0 });
    expect(() => trainer.step()).toThrow(/all 3 epochs are done/);
    dispose();
  });

  it('takes Adam settings from the config, whose defaults are the schema\'s', () => {
    const rng = new Rng(1);
    const plain = configSchema.parse({ model: { ...input.model, betaSchedule: undefined } });
    const model = buildModel(plain.model, D, rng);
    const trainer = new Trainer({ config: plain, model, dataset, rng });
    const { lr, beta1, beta2, epsilon } = trainSchema.parse({});
    expect(trainer.adam.options).toEqual({ lr, beta1, beta2, epsilon });
    expect({ lr, beta1, beta2, epsilon }).toEqual({ lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    trainer.dispose();
    model.dispose();
  });

  /** A checkpoint's history entry for `epoch` (the checkpoint loader checks the history has one per epoch). */
  const epochMetrics = (epoch: number) => {
    const terms = { loss: 1, reconstruction: 1, kl: 0 };
    return { epoch, train: terms, test: terms, samplesPerSecond: 1, epochSeconds: 1, elapsedSeconds: epoch, time: new Date(0).toISOString() };
  };

  it('restores only between epochs, and a trainer restored from a checkpoint continues like one that never stopped', () => {
    const { trainer, model, parameters, dispose } = setup();
    trainer.step();
    expect(() => trainer.restore({ epoch: 0, rng: new Rng(1).state() })).toThrow(/restore only between epochs/);
    while (trainer.epoch < 2 || !trainer.betweenEpochs) trainer.step();
    const runDir = mkdtempSync(path.join(tmpdir(), 'vaekit-trainer-'));
    saveCheckpoint(runDir, { model, adam: trainer.adam, state: { epoch: 2, adamStep: trainer.adam.step, rng: trainer.rngState(), history: [1, 2].map(epochMetrics) } });
    while (!trainer.done) trainer.step();

    const resumed = setup();
    const state = loadCheckpoint(runDir, { model: resumed.model, adam: resumed.trainer.adam });
    resumed.trainer.restore({ epoch: state.epoch, rng: state.rng });
    expect(resumed.trainer.step()).toMatchObject({ epoch: 3, batch: 1 });
    while (!resumed.trainer.done) resumed.trainer.step();
    expect(resumed.parameters()).toEqual(parameters());
    rmSync(runDir, { recursive: true, force: true });
    resumed.dispose();
    dispose();
  });

  it('evaluates the test split with the epoch KL weight from its own seeded stream, leaving training untouched', () => {
    const a = setup();
    const b = setup();
    a.trainer.step();
    b.trainer.step();
    const first = a.trainer.evaluate();
    expect(a.trainer.evaluate()).toEqual(first); // reproducible
    expect(Number.isFinite(first.loss)).toBe(true);
    expect(a.trainer.step().terms).toEqual(b.trainer.step().terms); // evaluating drew nothing from the run's stream
    a.dispose();
    b.dispose();
  });

  it('leaks no tensor: creating, stepping through epochs, evaluating and disposing', async () => {
    await expectNoLeak(() => {
      const { trainer, dispose } = setup();
      while (!trainer.done) if (trainer.step().epochDone) trainer.evaluate();
      dispose();
    });
  });
});
