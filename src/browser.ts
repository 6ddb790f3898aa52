/**
 * The browser entry (`import ... from 'vaekit'` in a bundler, or 'vaekit/browser'): what runs in a page. Models,
 * objectives, training steps and the incremental trainer, latent tools, the model format and its fetch loader; no fs, no node:*, no native addon
 * (the consumer test bundles it with Vite to hold it to that). tfjs picks webgl or cpu by itself; `tf.setBackend`
 * chooses.
 */
export { tf, Rng, type RngState, type Tensor, type Tensor2D } from './engine/index.js';
export * from './models/index.js';
export * from './objectives/index.js';
export * from './nn/index.js';
export { trainStep, evalBatch, type TermMeans } from './train/step.js';
export { klWeight } from './train/beta-schedule.js';
export { Adam, type AdamOptions } from './train/adam.js';
export { Trainer, type TrainerOptions, type StepResult, type EpochBatches } from './train/trainer.js';
export { evaluateSplit, evaluateBatches } from './train/evaluate.js';
export { learningRate } from './train/schedule.js';
export type { EpochMetrics, Terms } from './train/metrics.js';
export { batchIndices, binarize, exampleSize, gather, memoryBatches, type Batch } from './data/batch.js';
export { swissRoll, SWISS_ROLL_N, SWISS_ROLL_NOISE, type SwissRollOptions } from './data/swiss-roll.js';
export type { DataKind, DataOptions, DataSplit, Dataset, Preprocessing } from './data/types.js';
export * from './config/schema.js';
export { PRESETS, DEFAULT_PRESET, findPreset, type Preset } from './config/presets.js';
export { exportModel, importModel, validateMetadata, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMetadata } from './io/model-format.js';
export { estimateNll, type NllOptions, type NllResult } from './evaluate/nll.js';
export { countActiveUnits, ACTIVE_UNIT_THRESHOLD, type ActiveUnits } from './evaluate/active-units.js';
export { anomalyScores, quantile, rocCurve, ANOMALY_SCORES, type AnomalyScore, type AnomalyScoreOptions, type RocCurve } from './evaluate/anomaly.js';
export { psnr, ssim, type ImageBatch } from './evaluate/image-quality.js';
export { fetchModel } from './io/model-fetch.js';
export { VaekitError, DataError, UsageError, ModelError, type ErrorCode } from './errors.js';
export { VERSION } from './version.js';
export * from './latent/index.js';
