/** The incremental trainer: advances a model one batch per call with the config's Adam, learning-rate and KL-weight schedules (browser-safe). */
import { tf, Rng, type RngState } from '../engine/index.js';
import { memoryBatches, type Batch } from '../data/batch.js';
import { addNoise } from '../data/noise.js';
import type { Dataset } from '../data/types.js';
import type { RunConfig } from '../config/schema.js';
import type { Model } from '../models/index.js';
import type { KlWeight } from '../objectives/index.js';
import { UsageError } from '../errors.js';
import { Adam } from './adam.js';
import { auxiliaryStep, trainStep, type TermMeans } from './step.js';
import { learningRate } from './schedule.js';
import { klWeight } from './beta-schedule.js';
import { EVAL_BATCH, batchLabels, batchTensor, evaluateBatches } from './evaluate.js';
import type { Terms } from './metrics.js';

/** One epoch of a split's batches, shuffled by `rng` when one is given (in order otherwise), and how many there are. */
export type EpochBatches = (split: 'train' | 'test', batchSize: number, rng?: Rng) => { batches: Iterable<Batch>; count: number };

export interface TrainerOptions {
  /** A resolved config: `train` (Adam's lr, beta1, beta2, epsilon; the lr schedule, epochs, batch size, seed, denoising), `data.binarize` and the model's KL-weight schedule. */
  config: RunConfig;
  /** The model to train, built from `config.model`; the trainer never disposes it. */
  model: Model;
  /** The data: its in-memory splits (unless `batches` reads it otherwise), kind and preprocessing. */
  dataset: Pick<Dataset, 'train' | 'test' | 'kind' | 'preprocessing'>;
  /** The run's random stream (shuffles, binarization, denoising noise, z), usually the one that initialized the model. */
  rng: Rng;
  /** Where epochs of batches come from; default: the dataset's in-memory splits. train() passes one that also streams. */
  batches?: EpochBatches;
}

/** What one {@link Trainer.step} did. */
export interface StepResult {
  /** The 1-based epoch and batch within it, and the epoch's batch count. */
  epoch: number;
  batch: number;
  batches: number;
  /** Examples in the batch. */
  examples: number;
  /** The batch means of the terms, before the update. */
  terms: TermMeans;
  /** The running mean of the loss per example over the epoch so far. */
  epochLoss: number;
  /** True when this was the epoch's last batch: time for {@link Trainer.evaluate}. */
  epochDone: boolean;
}

/** The in-memory batches of a dataset's splits. */
function memoryEpochs(dataset: TrainerOptions['dataset'], d: number): EpochBatches {
  return (split, batchSize, rng) => ({ batches: memoryBatches(dataset[split], d, { batchSize, rng }), count: Math.ceil(dataset[split].n / batchSize) });
}

/**
 * Trains a model batch by batch. Each call to {@link step} trains one batch, starting the next epoch (its learning
 * rate and KL weight, and a fresh shuffle) when the last one is done; pausing is not calling it, so a paused and
 * resumed run takes the same random numbers and reaches the same parameters as one that never paused. It writes
 * nothing: train() adds metrics, checkpoints and the model folder, the lab a live view.
 *
 * @example
 * const trainer = new Trainer({ config, model, dataset, rng });
 * while (!trainer.done) {
 *   const { epoch, epochDone } = trainer.step();
 *   if (epochDone) console.log(epoch, trainer.evaluate().loss);
 * }
 * trainer.dispose();
 */
export class Trainer {
  readonly config: RunConfig;
  readonly model: Model;
  readonly adam: Adam;
  /** The Adam of the model's auxiliary network (FactorVAE's discriminator), with its own settings; absent without one. */
  readonly auxiliaryAdam?: Adam;
  /** The epoch in progress, or the last one finished (0 before the first step). */
  epoch = 0;
  /** Batches trained in the current epoch. */
  batch = 0;
  /** Batches in the current epoch (0 before the first step). */
  batches = 0;
  /** Examples trained in the current epoch. */
  seen = 0;
  private rng: Rng;
  private readonly d: number;
  private readonly epochBatches: EpochBatches;
  private readonly noiseClip: { clip?: [number, number] };
  private epochKlWeight: KlWeight;
  private current?: Iterator<Batch>;
  private sums = { loss: 0, reconstruction: 0, kl: 0 };

  constructor({ config, model, dataset, rng, batches }: TrainerOptions) {
    this.config = config;
    this.model = model;
    this.rng = rng;
    this.d = model.inputDim;
    this.epochBatches = batches ?? memoryEpochs(dataset, this.d);
    const { lr, beta1, beta2, epsilon } = config.train;
    // Adam's own copy of the settings: the schedule sets its `lr` each epoch, and the config must stay as resolved.
    this.adam = new Adam(model.variables().filter((v) => v.trainable), { lr, beta1, beta2, epsilon });
    // The auxiliary network keeps its own learning rate and betas: the lr schedule moves the model's alone.
    if (model.auxiliary) this.auxiliaryAdam = new Adam(model.auxiliary.variables().filter((v) => v.trainable), { ...model.auxiliary.optimizer, epsilon });
    // Noisy images stay in [0, 1], the range of the clean ones.
    this.noiseClip = dataset.kind === 'image' && dataset.preprocessing.kind !== 'standardize' ? { clip: [0, 1] } : {};
    this.epochKlWeight = klWeight(config.model, 1);
  }

  /** The KL weight of the current epoch (beta 0 for a model without a weighted term, the autoencoder). */
  get klWeight(): KlWeight {
    return this.epochKlWeight;
  }

  /** The learning rate of the current epoch. */
  get lr(): number {
    return this.adam.options.lr;
  }

  /** True once every epoch of the config is done. */
  get done(): boolean {
    return !this.current && this.epoch >= this.config.train.epochs;
  }

  /** Epochs finished (the current one once its last batch is trained). */
  get epochsDone(): number {
    return this.current ? this.epoch - 1 : this.epoch;
  }

  /** True between epochs (before the first step, or after an epoch's last batch). */
  get betweenEpochs(): boolean {
    return !this.current;
  }

  /**
   * Continues a run after `epoch` finished epochs with the random stream where it was then (a checkpoint's); load the
   * model's and Adam's state into {@link model} and {@link adam} too. Only between epochs.
   *
   * @example
   * const state = loadCheckpoint(runDir, { model: trainer.model, adam: trainer.adam, auxiliaryAdam: trainer.auxiliaryAdam });
   * trainer.restore({ epoch: state.epoch, rng: state.rng });
   */
  restore({ epoch, rng }: { epoch: number; rng: RngState }): void {
    if (this.current) throw new UsageError(`Trainer.restore: epoch ${this.epoch} is in progress (batch ${this.batch}); restore only between epochs`);
    this.rng = Rng.fromState(rng);
    this.epoch = epoch;
    this.batch = 0;
    this.seen = 0;
    this.epochKlWeight = klWeight(this.config.model, Math.max(1, epoch));
  }

  /** The run's random stream as it stands, for a checkpoint. */
  rngState(): RngState {
    return this.rng.state();
  }

  /** Trains the next batch, first starting the next epoch when none is in progress. */
  step(): StepResult {
    if (this.done) throw new UsageError(`Trainer.step: all ${this.config.train.epochs} epochs are done`);
    const batches = this.current ?? this.startEpoch();
    const next = batches.next();
    if (next.done) throw new UsageError(`epoch ${this.epoch}: the training split has no examples`);
    const terms = this.train(next.value);
    const n = next.value.indices.length;
    this.sums.loss += terms.loss * n;
    this.sums.reconstruction += terms.reconstruction * n;
    this.sums.kl += terms.kl * n;
    this.seen += n;
    this.batch++;
    const epochDone = this.batch === this.batches;
    if (epochDone) {
      // Run the epoch's generator to its end, as a for-of loop does, so a streamed file is closed.
      if (!batches.next().done) throw new Error(`epoch ${this.epoch}: more batches than the ${this.batches} counted`);
      this.current = undefined;
    }
    return { epoch: this.epoch, batch: this.batch, batches: this.batches, examples: n, terms, epochLoss: this.sums.loss / this.seen, epochDone };
  }

  /** Mean terms per example over the current epoch's batches so far (training mode), as pytorch/examples reports them. */
  epochTerms(): Terms {
    const { loss, reconstruction, kl } = this.sums;
    return { loss: loss / this.seen, reconstruction: reconstruction / this.seen, kl: kl / this.seen };
  }

  /**
   * Mean terms over the test split in evaluation mode with the current epoch's KL weight, so train and test report
   * the objective the epoch optimized; z is drawn from an RNG seeded by the run's seed and the epoch, not the run's stream.
   */
  evaluate(): Terms {
    const dynamic = this.config.data.binarize === 'dynamic';
    const { batches } = this.epochBatches('test', EVAL_BATCH);
    return evaluateBatches({ model: this.model, batches, d: this.d, seed: `${this.config.train.seed}:eval:${this.epoch}`, binarizeData: dynamic, klWeight: this.epochKlWeight });
  }

  /** Frees Adam's moments; the model stays the caller's. */
  dispose(): void {
    this.current = undefined;
    this.adam.dispose();
    this.auxiliaryAdam?.dispose();
  }

  private startEpoch(): Iterator<Batch> {
    this.epoch++;
    this.adam.options.lr = learningRate(this.config.train, this.epoch);
    this.epochKlWeight = klWeight(this.config.model, this.epoch);
    const { batches, count } = this.epochBatches('train', this.config.train.batchSize, this.rng);
    this.current = batches[Symbol.iterator]();
    this.batches = count;
    this.batch = 0;
    this.seen = 0;
    this.sums = { loss: 0, reconstruction: 0, kl: 0 };
    return this.current;
  }

  /** One training step on a batch: dynamic binarization and denoising noise drawn from the run's stream, in that order. */
  private train(batch: Batch): TermMeans {
    const { model, adam, rng } = this;
    const x = batchTensor(batch, this.d, this.config.data.binarize === 'dynamic' ? rng : undefined);
    const denoise = this.config.train.denoise;
    // Denoising: the encoder sees a corrupted copy drawn from the run's RNG (so a resumed run repeats it); the loss reconstructs x.
    const input = denoise && tf.tensor2d(addNoise(x.dataSync() as Float32Array, denoise, rng, this.noiseClip), x.shape); // [B, D]
    try {
      const terms = trainStep({ model, adam, x, rng, klWeight: this.epochKlWeight, ...(input && { input }), labels: batchLabels(model, batch) });
      // The auxiliary network (FactorVAE's discriminator) then trains on the same batch, against the updated model.
      if (this.auxiliaryAdam) auxiliaryStep({ model, adam: this.auxiliaryAdam, x, rng, klWeight: this.epochKlWeight, ...(input && { input }) });
      return terms;
    } finally {
      x.dispose();
      input?.dispose();
    }
  }
}
