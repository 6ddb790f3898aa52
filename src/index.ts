/** The vaekit public API: engine, data, models, objectives, training, evaluation, disentanglement metrics, config and the model format. */
export { initBackend, currentBackend, BACKENDS, Rng, tf, type BackendName, type RngState } from './engine/index.js';
export * from './data/index.js';
export * from './models/index.js';
export * from './objectives/index.js';
export * from './nn/index.js';
export {
  train,
  Trainer,
  trainStep,
  evalBatch,
  evaluateSplit,
  evaluateBatches,
  klWeight,
  Adam,
  saveCheckpoint,
  loadCheckpoint,
  latestCheckpointEpoch,
  learningRate,
  BURDA_EPOCHS,
  initFromRun,
  type TrainOptions,
  type TrainerOptions,
  type StepResult,
  type EpochBatches,
  type AdamOptions,
  type TermMeans,
  type EpochMetrics,
  type Terms,
  type TrainResult,
  type Progress,
} from './train/index.js';
export {
  evaluateModel,
  reconstructionError,
  checkShapes,
  testExamples,
  estimateNll,
  countActiveUnits,
  ACTIVE_UNIT_THRESHOLD,
  type Evaluation,
  type NllOptions,
  type NllResult,
  type ActiveUnits,
} from './evaluate/index.js';
export * from './config/index.js';
export { exportModel, importModel, validateMetadata, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMetadata } from './io/model-format.js';
export { saveModel, loadModel } from './io/model-files.js';
export { fetchModel } from './io/model-fetch.js';
export * from './export/index.js';
export { VaekitError, DataError, UsageError, ModelError, WriteFaultError, DiskFullError, type ErrorCode, type WriteFault } from './errors.js';
export { VERSION } from './version.js';
export * from './latent/index.js';
export * from './figures/index.js';
export * from './report/index.js';
export * from './disentangle/index.js';
