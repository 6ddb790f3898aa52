/** Building blocks: dense, activations, batch norm, dropout, the MLP that stacks them, and the conv encoder and decoder. */
export * from './types.js';
export { Dense } from './dense.js';
export { BatchNorm } from './batch-norm.js';
export { Dropout } from './dropout.js';
export { Mlp, type MlpSpec } from './mlp.js';
export { Conv2D, Conv2DTranspose, ConvEncoder, ConvDecoder, type ConvSpec } from './conv.js';
export { activate, ACTIVATIONS, LEAKY_RELU_SLOPE } from './activations.js';
