/** Objectives: pure functions of named tensors returning per-example terms. */
export * from './likelihood.js';
export { klStandardNormal } from './kl.js';
export { elbo, klPenalty, type KlWeight, type LossTerms, type ReconstructionReduction } from './elbo.js';
export { iwaeBound, logImportanceWeights, logLikelihood, logNormalDiag, logStandardNormal } from './iwae.js';
