/** The training loop: epochs of seeded shuffled batches, test evaluation, metrics.jsonl, checkpoints and the model folder. */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { tf, Rng, type Tensor2D } from '../engine/index.js';
import { addNoise, binarize, exampleSize, memoryBatches, streamBatches, type Batch, type Dataset, type DataSplit } from '../data/index.js';
import { buildModel, initDecoderBiasFromData, type Model } from '../models/index.js';
import type { RunConfig } from '../config/index.js';
import { UsageError, VaekitError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { saveModel } from '../io/model-files.js';
import { Adam } from './adam.js';
import { evalBatch, trainStep } from './step.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { learningRate } from './schedule.js';
import { klWeight as klWeightOf, klWeightRecord } from './beta-schedule.js';
import type { KlWeight } from '../objectives/index.js';
import { metricsLine, type EpochMetrics, type Terms } from './metrics.js';

/** Progress within an epoch, for a progress bar. */
export interface Progress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
}

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
}

export interface TrainResult {
  model: Model;
  history: EpochMetrics[];
  /** Epochs run by this call (0 when a resumed run was already complete). */
  epochsRun: number;
}

/** Batch size for evaluation: larger than training's since no gradients are kept. */
const EVAL_BATCH = 1000;

/** A batch's examples as a [B, D] tensor, dynamically binarized when the config asks for it. */
function batchTensor(batch: Batch, d: number, binarizeRng?: Rng): Tensor2D {
  return tf.tensor2d(binarizeRng ? binarize(batch.x, binarizeRng) : batch.x, [batch.indices.length, d]); // [B, D]
}

/** The labels of a batch's rows, for a conditional model (undefined otherwise). */
function batchLabels(model: Model, batch: Batch): Int32Array | undefined {
  if (model.config.kind !== 'cvae') return undefined;
  if (!batch.labels) throw new UsageError('model.kind cvae: the conditional VAE trains on labelled data, and this dataset has no labels');
  return batch.labels;
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
 * Mean loss terms over a split in evaluation mode. z is sampled with an RNG seeded from `seed`, so the number is
 * reproducible and drawing it does not disturb the training stream.
 *
 * @example
 * const test = evaluateSplit({ model, split: dataset.test, d: 784, seed: 'eval', klWeight: klWeight(model.config, 'unscheduled') });
 */
export function evaluateSplit({
  model,
  split,
  d,
  seed,
  binarizeData,
  klWeight,
}: {
  model: Model;
  split: DataSplit;
  d: number;
  seed: string;
  binarizeData?: boolean;
  /** The KL weight the loss uses (src/train/beta-schedule.ts). */
  klWeight: KlWeight;
}): Terms {
  return evaluateBatches({ model, batches: memoryBatches(split, d, { batchSize: EVAL_BATCH }), d, seed, binarizeData, klWeight });
}

/** {@link evaluateSplit} over any batches (a streamed test split included). */
function evaluateBatches({ model, batches, d, seed, binarizeData, klWeight }: { model: Model; batches: Iterable<Batch>; d: number; seed: string; binarizeData?: boolean; klWeight: KlWeight }): Terms {
  const rng = new Rng(seed);
  const sums = { loss: 0, reconstruction: 0, kl: 0 };
  let n = 0;
  for (const batch of batches) {
    const x = batchTensor(batch, d, binarizeData ? rng : undefined);
    const s = evalBatch({ model, x, rng, klWeight, labels: batchLabels(model, batch) });
    x.dispose();
    sums.loss += s.loss;
    sums.reconstruction += s.reconstruction;
    sums.kl += s.kl;
    n += batch.indices.length;
  }
  return { loss: sums.loss / n, reconstruction: sums.reconstruction / n, kl: sums.kl / n };
}

/** Stops training on a NaN or Inf loss, saying which checkpoint survives. */
function checkFinite(value: number, where: string, runDir: string, lastGood: number): void {
  if (Number.isFinite(value)) return;
  const kept = lastGood > 0 ? `the last good checkpoint (epoch ${lastGood}) is kept in ${path.join(runDir, 'checkpoints')}` : 'no epoch had finished, so there is no checkpoint';
  throw new VaekitError('numeric', `${where}: the loss is ${value}; training stopped. ${kept}. Try a lower --lr or check the data for extreme values.`);
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
  const { config, dataset, runDir } = opts;
  const d = exampleSize(dataset);
  const { epochs, batchSize, seed } = config.train;
  let rng = new Rng(seed);
  const model = buildForData(config, d, rng, dataset);
  const { lr, beta1, beta2, epsilon } = config.train;
  // A copy: the schedule sets `lr` each epoch, and the config must stay as resolved.
  const adam = new Adam(model.variables().filter((v) => v.trainable), { lr, beta1, beta2, epsilon });
  let history: EpochMetrics[] = [];
  let start = 0;
  // From here on, a failure disposes the model too: the caller never receives it, so nothing else could.
  try {
    mkdirSync(runDir, { recursive: true });
    const metricsPath = path.join(runDir, 'metrics.jsonl');
    if (opts.resume) {
      const state = loadCheckpoint(runDir, { model, adam });
      rng = Rng.fromState(state.rng);
      history = state.history;
      start = state.epoch;
      // metrics.jsonl may hold an epoch that finished after its checkpoint was taken; the checkpoint is the truth.
      writeFileAtomic(metricsPath, history.map(metricsLine).join(''));
    } else {
      // Streamed data: the mean from the loader's one pass over the training records (one row whose mean is itself).
      if (config.model.decoderBiasInit === 'data-mean') initDecoderBiasFromData(model, dataset.stream ? dataset.stream.stats.mean : dataset.train.x);
      writeFileAtomic(path.join(runDir, 'config.json'), JSON.stringify({ ...config, backend: opts.backend }, null, 2) + '\n');
      writeFileAtomic(metricsPath, '');
    }
    const elapsedBefore = history.at(-1)?.elapsedSeconds ?? 0;
    const t0 = performance.now();
    const dynamic = config.data.binarize === 'dynamic';
    const denoise = config.train.denoise;
    // Noisy images stay in [0, 1], the range of the clean ones.
    const noiseClip = dataset.kind === 'image' && dataset.preprocessing.kind !== 'standardize' ? { clip: [0, 1] as [number, number] } : {};
    const modelMeta = { inputShape: dataset.shape, preprocessing: dataset.preprocessing, labelNames: dataset.labelNames, dataset: dataset.name };
    for (let epoch = start + 1; epoch <= epochs; epoch++) {
      const tEpoch = performance.now();
      adam.options.lr = learningRate(config.train, epoch);
      // The test loss uses the same weight, so train and test report the objective this epoch optimized.
      const klWeight = klWeightOf(config.model, epoch);
      const { batches, count } = epochBatches(dataset, 'train', batchSize, rng);
      const sums = { loss: 0, reconstruction: 0, kl: 0 };
      let seen = 0;
      let b = 0;
      for (const batch of batches) {
        const idx = batch.indices;
        const x = batchTensor(batch, d, dynamic ? rng : undefined);
        // Denoising: the encoder sees a corrupted copy drawn from the run's RNG (so --resume repeats it); the loss reconstructs x.
        const input = denoise && tf.tensor2d(addNoise(x.dataSync() as Float32Array, denoise, rng, noiseClip), x.shape); // [B, D]
        const terms = trainStep({ model, adam, x, rng, klWeight, ...(input && { input }), labels: batchLabels(model, batch) });
        x.dispose();
        input?.dispose();
        checkFinite(terms.loss, `epoch ${epoch}, batch ${b + 1}`, runDir, history.at(-1)?.epoch ?? 0);
        sums.loss += terms.loss * idx.length;
        sums.reconstruction += terms.reconstruction * idx.length;
        sums.kl += terms.kl * idx.length;
        seen += idx.length;
        b++;
        opts.onProgress?.({ epoch, epochs, batch: b, batches: count, loss: sums.loss / seen });
      }
      const trainSeconds = (performance.now() - tEpoch) / 1000;
      const test = evaluateBatches({ model, batches: epochBatches(dataset, 'test', EVAL_BATCH).batches, d, seed: `${seed}:eval:${epoch}`, binarizeData: dynamic, klWeight });
      checkFinite(test.loss, `epoch ${epoch}, test set`, runDir, history.at(-1)?.epoch ?? 0);
      const metrics: EpochMetrics = {
        epoch,
        train: { loss: sums.loss / seen, reconstruction: sums.reconstruction / seen, kl: sums.kl / seen },
        test,
        samplesPerSecond: seen / trainSeconds,
        epochSeconds: (performance.now() - tEpoch) / 1000,
        elapsedSeconds: elapsedBefore + (performance.now() - t0) / 1000,
        time: new Date().toISOString(),
        lr: adam.options.lr,
        ...klWeightRecord(config.model, klWeight),
      };
      history.push(metrics);
      appendFileSync(metricsPath, metricsLine(metrics));
      saveCheckpoint(runDir, { model, adam, state: { epoch, adamStep: adam.step, rng: rng.state(), history } });
      saveModel(path.join(runDir, 'model'), model, { ...modelMeta, extra: { epoch, test } });
      opts.onEpoch?.(metrics);
      if (opts.shouldStop?.(metrics)) break;
      // A turn of the event loop between epochs: Node runs the finalizers of native objects (resvg's, behind the
      // loss curve drawn each epoch) only there, so a run that never yields grows by their memory every epoch.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!existsSync(path.join(runDir, 'model', 'model.json'))) saveModel(path.join(runDir, 'model'), model, modelMeta);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    adam.dispose();
  }
  return { model, history, epochsRun: (history.at(-1)?.epoch ?? start) - start };
}
