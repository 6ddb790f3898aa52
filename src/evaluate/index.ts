/** Evaluation of trained models: test ELBO, reconstruction error, importance-sampled NLL, active units. */
export { evaluateModel, reconstructionError, checkShapes, testExamples, type Evaluation } from './evaluate.js';
export { estimateNll, MAX_NLL_SAMPLES, type NllOptions, type NllResult } from './nll.js';
export { countActiveUnits, ACTIVE_UNIT_THRESHOLD, type ActiveUnits } from './active-units.js';
export { posterior, disposePosterior, requirePosterior, type Posterior } from './posterior.js';
export { anomalyScores, quantile, rocCurve, ANOMALY_SCORES, type AnomalyScore, type AnomalyScoreOptions, type RocCurve } from './anomaly.js';
export { psnr, ssim, ssimPlane, gaussianWindow, type ImageBatch } from './image-quality.js';
export { syntheticExamples } from './synthetic.js';
export { ksStatistic, totalVariation, categoryFrequencies, pearsonCorrelation, fidelityColumns, fidelitySummary, fidelityData, MAX_FIDELITY_ROWS, MAX_CORRELATION_COLUMNS, type ColumnFidelity, type CorrelationFidelity, type FidelitySummary, type FidelityData, type Moments } from './fidelity.js';
