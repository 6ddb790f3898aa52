/** Training: Adam, the step, the incremental trainer, the loop, evaluation, checkpoints and metrics. */
export { Adam, type AdamOptions } from './adam.js';
export { trainStep, evalBatch, auxiliaryStep, type TermMeans } from './step.js';
export { Trainer, type TrainerOptions, type StepResult, type EpochBatches } from './trainer.js';
export { evaluateSplit, evaluateBatches } from './evaluate.js';
export { train, epochBatches, type TrainOptions, type TrainResult, type Progress } from './loop.js';
export { saveCheckpoint, loadCheckpoint, latestCheckpointEpoch, checkpointDirs, type CheckpointState } from './checkpoint.js';
export type { EpochMetrics, Terms } from './metrics.js';
export { learningRate, burdaEpochs, BURDA_EPOCHS } from './schedule.js';
export { initFromRun } from './init-from.js';
export { klWeight, klWeightRecord, isWeighted, type WeightedTerm } from './beta-schedule.js';
