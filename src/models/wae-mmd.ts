/** The Wasserstein autoencoder with the MMD penalty (Tolstikhin et al. 2018): a deterministic code matched to the prior by MMD. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { mmd, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { waeMmdConfig } from './wae-mmd.config.js';
import { CodeModel, perExample } from './gaussian.js';
import { priorSample } from './parts.js';

export type WaeMmdConfig = Extract<ModelConfig, { kind: 'wae-mmd' }>;

/**
 * loss = reconstruction + lambda MMD(codes, prior draws), the batch's MMD given to each example; `kl` reports the MMD.
 * Samples decode draws from N(0, I), the prior the codes were matched to.
 *
 * @example
 * const m = new WaeMmd({ config, inputDim: 784, rng }); // lambda 10, IMQ kernel
 */
export class WaeMmd extends CodeModel<WaeMmdConfig> {
  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { z, reconstruction } = this.pass(x, ctx);
      const { lambda, kernel, bandwidth } = this.config;
      const d = z.shape[0] < 2 ? tf.scalar(0) : mmd({ a: z, b: priorSample(z.shape[0], this.latentDim, ctx.rng), kernel, bandwidth });
      const divergence = perExample(d, reconstruction);
      return { loss: tf.add(reconstruction, tf.mul(divergence, lambda)) as Tensor1D, reconstruction, kl: divergence };
    }) as LossTerms;
  }
}

/** The wae-mmd kind's registry entry: its config and facts (wae-mmd.config.ts) and its model. */
export const waeMmdKind: ModelKindEntry<WaeMmdConfig> = { ...waeMmdConfig, build: (args) => new WaeMmd(args) };
