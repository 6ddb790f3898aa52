/** Building blocks: dense, activations, batch norm, dropout and the MLP that stacks them. */
export * from './types.js';
export { Dense } from './dense.js';
export { BatchNorm } from './batch-norm.js';
export { Dropout } from './dropout.js';
export { Mlp, type MlpSpec } from './mlp.js';
export { activate, ACTIVATIONS, LEAKY_RELU_SLOPE } from './activations.js';
