/** The tensor engine: the only module tree that imports @tensorflow/*; backend choice, tidy helpers and the seeded RNG. */
export { tf, makeVariable } from './tf.js';
export type { Scalar, Tensor, Tensor1D, Tensor2D, Variable, Rank, NamedTensorMap } from './tf.js';
export { initBackend, currentBackend, nativeConvGradients, BACKENDS, BACKEND_CANDIDATES, PAGE_BACKENDS } from './backend.js';
export type { BackendName, BackendChoice, BackendEnvironment, BackendOptions, PageAssets, PageBackendName } from './backend.js';
export { setWasmTransposeFix } from './wasm-transpose-fix.js';
export { Rng, setBulkDraws } from './rng.js';
export { NoiseBuffer } from './noise.js';
export type { RngState, BulkDraws } from './rng.js';
export {
  fusedAdamStep,
  fusedBatchNormTrain,
  fusedBiasAct,
  fusedBernoulliLogLikelihood,
  fusedElboStep,
  fusedElboStepAvailable,
  fusedKlStandardNormal,
  fusedVaeForward,
  fusedLogWeights,
  fusedLogWeightSamples,
  fusedLogWeightsAvailable,
  fusedVaeForwardAvailable,
  noiseColumns,
  stepParameters,
  FUSED,
  FUSED_ADAM,
  FUSED_BATCH_NORM,
  FUSED_BIAS_ACT,
  FUSED_ELBO_STEP,
  FUSED_VAE_FORWARD,
  FUSED_LOG_WEIGHTS,
  STEP_ACTIVATIONS,
  type CodeGradients,
  type FusedActivation,
  type FusedAdamAttrs,
  type FusedElboAttrs,
  type FusedElboSpec,
  type FusedVaeForward,
  type FusedVaeForwardAttrs,
  type GaussianBlockSpec,
  type StepLayer,
} from './fused.js';
