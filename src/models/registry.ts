/** From a model config to a model: the one place that maps `kind` to a class. */
import type { Rng } from '../engine/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Model } from './types.js';
import { Autoencoder } from './autoencoder.js';
import { Vae } from './vae.js';
import { PoorManVae } from './poor-man-vae.js';

/**
 * Builds a freshly initialized model for inputs of `inputDim` values; initialization draws from `rng`.
 *
 * @example
 * const model = buildModel(config.model, 784, new Rng(config.train.seed));
 */
export function buildModel(config: ModelConfig, inputDim: number, rng: Rng): Model {
  switch (config.kind) {
    case 'autoencoder':
      return new Autoencoder({ config, inputDim, rng });
    case 'vae':
      return new Vae({ config, inputDim, rng });
    case 'poor-man-vae':
      return new PoorManVae({ config, inputDim, rng });
  }
}
