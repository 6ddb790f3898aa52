/** Models: one file each, all sharing the vocabulary of types.ts; `buildModel` maps a config to one. */
export type { Model, Encoded, LossContext, ModelGraph } from './types.js';
export { Autoencoder } from './autoencoder.js';
export { Vae } from './vae.js';
export { PoorManVae, anchorTerm } from './poor-man-vae.js';
export { Cvae, checkLabel, labelsFor } from './cvae.js';
export { buildModel } from './registry.js';
export { evalContext, usesConv } from './parts.js';
export { initDecoderBiasFromData, dataMeanBias } from './init.js';
