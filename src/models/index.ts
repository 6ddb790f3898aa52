/** Models: one file each, all extending base.ts and sharing the vocabulary of types.ts; the registry maps a config to one. */
export type { Model, Encoded, Heads, LossContext, ModelGraph, ModelParts } from './types.js';
export { EncoderDecoder } from './base.js';
export { Autoencoder } from './autoencoder.js';
export { Vae } from './vae.js';
export { PoorManVae, anchorTerm } from './poor-man-vae.js';
export { Cvae } from './cvae.js';
export { GaussianModel, CodeModel } from './gaussian.js';
export { BetaTcvae, type BetaTcvaeConfig } from './beta-tcvae.js';
export { DipVae, dipLambdaDiag, type DipVaeConfig } from './dip-vae.js';
export { InfoVae, type InfoVaeConfig } from './info-vae.js';
export { WaeMmd, type WaeMmdConfig } from './wae-mmd.js';
export { Rae, type RaeConfig } from './rae.js';
export { checkLabel, labelsFor, oneHotLabels } from './cvae-labels.js';
export { buildModel, lossNames, modelKind, registerModelKind, type LossModel, type LossNames, type ModelKindEntry } from './registry.js';
export { forward, fusedElboSpec } from './fast-paths.js';
export { evalContext, usesConv } from './parts.js';
export { CodeHead, PosteriorHeads } from './heads.js';
export { initDecoderBiasFromData, dataMeanBias } from './init.js';
