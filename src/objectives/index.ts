/** Objectives: pure functions of named tensors returning per-example terms. */
export * from './likelihood.js';
export { klStandardNormal } from './kl.js';
export { elbo, klPenalty, type KlWeight, type LossTerms, type ReconstructionReduction } from './elbo.js';
export { importanceWeightedBound, iwaeBound, nllDensity, logImportanceWeights, logLikelihood, logNormalDiag, logStandardNormal, miwaeBound, piwaeBound, type ImportanceObjective } from './iwae.js';
export { stopGradient } from './stop-gradient.js';
export { tcTerms, stratifiedLogWeights, type TcEstimator, type TcTerms } from './tc.js';
export { mmd, IMQ_SCALES, type MmdKernel } from './mmd.js';
export { dipPenalty, type DipType } from './dip.js';
export { densityRatioTc, discriminatorLoss, permuteDims } from './factor.js';
export { codebookUsage, commitmentLoss, emaUpdate, nearestCode, quantize, type CodebookEma } from './vq.js';
export { logMixtureNormal } from './mixture.js';
