/** The training loop: epochs of seeded shuffled batches, test evaluation, metrics.jsonl, checkpoints and the model folder. */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../engine/index.js';
import { exampleSize, memoryBatches, streamBatches, type Batch, type Dataset } from '../data/index.js';
import { buildModel, initDecoderBiasFromData, type Model } from '../models/index.js';
import { fitKindToData, type RunConfig, type TrainConfig } from '../config/index.js';
import { UsageError, VaekitError } from '../errors.js';
import { appendFileWhole, writeFileAtomic } from '../io/atomic.js';
import { saveModel } from '../io/model-files.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { metricsLine, type EpochMetrics } from './metrics.js';
import { Trainer } from './trainer.js';
import { initFromRun } from './init-from.js';
import { klWeightRecord } from './beta-schedule.js';

/** Progress within an epoch, for a progress bar. */
export interface Progress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
}

/** The argument of {@link train}; the config's own `train` section is a {@link TrainConfig}. */
export interface TrainOptions {
  config: RunConfig;
  dataset: Dataset;
  /** The run folder; created if needed. */
  runDir: string;
  /** The active backend's name, recorded in the run. */
  backend: string;
  /** Continue from the run folder's latest checkpoint. */
  resume?: boolean;
  onProgress?: (p: Progress) => void;
  onEpoch?: (m: EpochMetrics) => void;
  /** Asked after each epoch (once its checkpoint is written): true ends training there, e.g. at a time budget. */
  shouldStop?: (m: EpochMetrics) => boolean;
  /** Gets a line to show the user, e.g. that a corrupt latest checkpoint was passed over on resume. */
  onNotice?: (line: string) => void;
}

export interface TrainResult {
  model: Model;
  history: EpochMetrics[];
  /** Epochs run by this call (0 when a resumed run was already complete). */
  epochsRun: number;
}

/**
 * The batches of one epoch of the training split (shuffled by `rng`) or, without an rng, of the test split in order:
 * from memory, or streamed from the file when the dataset streams. Both draw from the rng the same way the loop
 * always did for in-memory data (one permutation before the first batch), so in-memory results are unchanged.
 */
export function epochBatches(dataset: Dataset, split: 'train' | 'test', batchSize: number, rng?: Rng): { batches: Iterable<Batch>; count: number } {
  const stream = dataset.stream;
  if (stream) return { batches: streamBatches(stream, stream[split], { batchSize, rng }), count: Math.ceil(stream[split].n / batchSize) };
  const s = dataset[split];
  return { batches: memoryBatches(s, exampleSize(dataset), { batchSize, rng }), count: Math.ceil(s.n / batchSize) };
}

/**
 * The error that stops training at a non-finite value, saying which checkpoint survives: `lastGood` is the epoch of
 * the checkpoint written before the failing epoch (each is written only with finite weights after a finite test loss,
 * and a resumed one was checked when loaded), 0 when there is none.
 */
function numericStop(what: string, runDir: string, lastGood: number): VaekitError {
  const kept = lastGood > 0 ? `the last good checkpoint (epoch ${lastGood}, written before epoch ${lastGood + 1}) is kept in ${path.join(runDir, 'checkpoints')}` : 'no epoch had finished, so there is no checkpoint';
  return new VaekitError('numeric', `${what}; training stopped. ${kept}. Try a lower --lr or check the data for extreme values.`);
}

/** Stops training on a NaN or Inf loss. */
function checkFinite(value: number, where: string, runDir: string, lastGood: number): void {
  if (!Number.isFinite(value)) throw numericStop(`${where}: the loss is ${value}`, runDir, lastGood);
}

/** The epoch of the model in `runDir/model` (model.json's `extra.epoch`), or undefined when there is none to read. */
function modelEpoch(runDir: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(runDir, 'model', 'model.json'), 'utf8')) as { extra?: { epoch?: number } }).extra?.epoch;
  } catch {
    return undefined;
  }
}

/** The model for the data, with a config that does not fit the data named by its preset (`preset NAME: model.encoder: ...`). */
function buildForData(config: RunConfig, d: number, rng: Rng, dataset: Dataset) {
  try {
    return buildModel(config.model, d, rng, { inputShape: dataset.shape });
  } catch (err) {
    if (err instanceof UsageError && config.preset) throw new UsageError(`preset ${config.preset} on ${dataset.name}: ${err.message}`);
    throw err;
  }
}

/**
 * Trains a model as the config says, writing metrics, checkpoints and the model into `runDir`.
 *
 * @example
 * const { model, history } = await train({ config, dataset, runDir: 'runs/demo', backend: 'wasm' });
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { dataset, runDir } = opts;
  // The kind's data-given fields (beta-TCVAE's N) even when the caller resolved the config without its dataset.
  const config = fitKindToData(opts.config, dataset);
  const d = exampleSize(dataset);
  const rng = new Rng(config.train.seed);
  const model = buildForData(config, d, rng, dataset);
  const trainer = new Trainer({ config, model, dataset, rng, batches: (split, batchSize, r) => epochBatches(dataset, split, batchSize, r) });
  let history: EpochMetrics[] = [];
  let start = 0;
  // From here on, a failure disposes the model too: the caller never receives it, so nothing else could.
  try {
    mkdirSync(runDir, { recursive: true });
    const metricsPath = path.join(runDir, 'metrics.jsonl');
    if (opts.resume) {
      const state = loadCheckpoint(runDir, { model, adam: trainer.adam, auxiliaryAdam: trainer.auxiliaryAdam, onNotice: opts.onNotice });
      trainer.restore({ epoch: state.epoch, rng: state.rng });
      history = state.history;
      start = state.epoch;
      // metrics.jsonl may hold an epoch that finished after its checkpoint was taken; the checkpoint is the truth.
      writeFileAtomic(metricsPath, history.map(metricsLine).join(''));
    } else {
      // Streamed data: the mean from the loader's one pass over the training records (one row whose mean is itself).
      if (config.model.decoderBiasInit === 'data-mean') initDecoderBiasFromData(model, dataset.stream ? dataset.stream.stats.mean : dataset.train.x);
      model.initFromData?.(dataset.stream ? undefined : dataset.train.x, new Rng(`${config.train.seed}:init`));
      if (config.train.initFrom !== undefined) initFromRun(model, config.train.initFrom);
      writeFileAtomic(path.join(runDir, 'config.json'), JSON.stringify({ ...config, backend: opts.backend }, null, 2) + '\n');
      writeFileAtomic(metricsPath, '');
    }
    const elapsedBefore = history.at(-1)?.elapsedSeconds ?? 0;
    const t0 = performance.now();
    const modelMeta = { inputShape: dataset.shape, preprocessing: dataset.preprocessing, labelNames: dataset.labelNames, dataset: dataset.name, columns: dataset.columns };
    const { epochs } = config.train;
    while (!trainer.done) {
      const tEpoch = performance.now();
      const lastGood = history.at(-1)?.epoch ?? 0;
      let step;
      do {
        step = trainer.step();
        checkFinite(step.terms.loss, `epoch ${step.epoch}, batch ${step.batch}`, runDir, lastGood);
        opts.onProgress?.({ epoch: step.epoch, epochs, batch: step.batch, batches: step.batches, loss: step.epochLoss });
      } while (!step.epochDone);
      const { epoch, klWeight } = trainer;
      const trainSeconds = (performance.now() - tEpoch) / 1000;
      const test = trainer.evaluate();
      checkFinite(test.loss, `epoch ${epoch}, test set`, runDir, lastGood);
      const metrics: EpochMetrics = {
        epoch,
        train: trainer.epochTerms(),
        test,
        samplesPerSecond: trainer.seen / trainSeconds,
        epochSeconds: (performance.now() - tEpoch) / 1000,
        elapsedSeconds: elapsedBefore + (performance.now() - t0) / 1000,
        time: new Date().toISOString(),
        lr: trainer.lr,
        ...klWeightRecord(config.model, klWeight),
      };
      history.push(metrics);
      try {
        const auxiliary = trainer.auxiliaryAdam && { auxiliaryAdam: trainer.auxiliaryAdam };
        saveCheckpoint(runDir, { model, adam: trainer.adam, ...auxiliary, state: { epoch, adamStep: trainer.adam.step, ...(auxiliary && { auxiliaryAdamStep: auxiliary.auxiliaryAdam.step }), rng: trainer.rngState(), history } });
      } catch (err) {
        // A non-finite weight or Adam moment that the finite test loss did not show: no checkpoint, the previous one
        // stands, and the epoch is not recorded.
        if (err instanceof VaekitError && err.code === 'numeric') throw numericStop(err.message, runDir, lastGood);
        throw err;
      }
      // After the checkpoint, which holds the same line: a line is recorded only for an epoch that has one (a resume
      // rewrites the file from the checkpoint's history, so a line lost to a full disk comes back).
      appendFileWhole(metricsPath, metricsLine(metrics));
      saveModel(path.join(runDir, 'model'), model, { ...modelMeta, extra: { epoch, test } });
      opts.onEpoch?.(metrics);
      if (opts.shouldStop?.(metrics)) break;
      // A turn of the event loop between epochs: Node runs the finalizers of native objects (resvg's, behind the
      // loss curve drawn each epoch) only there, so a run that never yields grows by their memory every epoch.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The model folder holds the last epoch's model, also when the run stopped between its checkpoint and its model
    // (a full disk) and was resumed with nothing left to train.
    const last = history.at(-1)?.epoch;
    if (modelEpoch(runDir) !== last) saveModel(path.join(runDir, 'model'), model, last === undefined ? modelMeta : { ...modelMeta, extra: { epoch: last, test: history.at(-1)!.test } });
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    trainer.dispose();
  }
  return { model, history, epochsRun: (history.at(-1)?.epoch ?? start) - start };
}
