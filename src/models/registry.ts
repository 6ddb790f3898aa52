/** From a model config to a model: the one place that maps `kind` to a class. */
import type { Rng } from '../engine/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Model } from './types.js';
import { UsageError } from '../errors.js';
import { Autoencoder } from './autoencoder.js';
import { Vae } from './vae.js';
import { PoorManVae } from './poor-man-vae.js';
import { Cvae } from './cvae.js';

/**
 * Builds a freshly initialized model for inputs of `inputDim` values; initialization draws from `rng`. A conv encoder
 * or decoder needs the per-example `inputShape` [H, W, C] (the data's own; its product must be `inputDim`).
 *
 * @example
 * const model = buildModel(config.model, 784, new Rng(config.train.seed), { inputShape: [28, 28, 1] });
 */
export function buildModel(config: ModelConfig, inputDim: number, rng: Rng, opts: { inputShape?: readonly number[] } = {}): Model {
  const inputShape = opts.inputShape ?? [inputDim];
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (size !== inputDim) throw new UsageError(`buildModel: inputShape [${inputShape.join(', ')}] holds ${size} values, but inputDim is ${inputDim}`);
  switch (config.kind) {
    case 'autoencoder':
      return new Autoencoder({ config, inputDim, inputShape, rng });
    case 'vae':
      return new Vae({ config, inputDim, inputShape, rng });
    case 'poor-man-vae':
      return new PoorManVae({ config, inputDim, inputShape, rng });
    case 'cvae':
      return new Cvae({ config, inputDim, inputShape, rng });
  }
}
