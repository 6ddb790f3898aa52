/** InfoVAE with the MMD divergence (Zhao et al. 2019): the KL partly or wholly replaced by an MMD between q(z) and p(z). */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { mmd, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { infoVaeConfig } from './info-vae.config.js';
import { GaussianModel, perExample } from './gaussian.js';
import { priorSample } from './parts.js';

export type InfoVaeConfig = Extract<ModelConfig, { kind: 'info-vae' }>;

/**
 * loss = reconstruction + (1 - alpha) KL + (alpha + lambda - 1) MMD(z, prior draws), the MMD unbiased over the batch's
 * sampled codes and as many draws from N(0, I) (src/objectives/mmd.ts); `kl` reports the MMD (one value per batch,
 * given to each example). A batch of one has no MMD estimate: its MMD counts 0.
 *
 * @example
 * const m = new InfoVae({ config, inputDim: 784, rng }); // alpha 0, lambda 1000
 */
export class InfoVae extends GaussianModel<InfoVaeConfig> {
  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { z, reconstruction, kl } = this.pass(x, ctx);
      const { alpha, lambda, kernel, bandwidth } = this.config;
      const d = z.shape[0] < 2 ? tf.scalar(0) : mmd({ a: z, b: priorSample(z.shape[0], this.latentDim, ctx.rng), kernel, bandwidth });
      const divergence = perExample(d, kl);
      const loss = tf.addN([reconstruction, tf.mul(kl, 1 - alpha), tf.mul(divergence, alpha + lambda - 1)]) as Tensor1D;
      return { loss, reconstruction, kl: divergence };
    }) as LossTerms;
  }
}

/** The info-vae kind's registry entry: its config and facts (info-vae.config.ts) and its model. */
export const infoVaeKind: ModelKindEntry<InfoVaeConfig> = { ...infoVaeConfig, build: (args) => new InfoVae(args) };
