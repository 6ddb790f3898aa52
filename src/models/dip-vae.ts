/** DIP-VAE (Kumar et al. 2018): the VAE's loss plus a penalty pulling the codes' covariance towards the identity. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { dipPenalty, klPenalty, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { dipVaeConfig } from './dip-vae.config.js';
import { GaussianModel, perExample } from './gaussian.js';

export type DipVaeConfig = Extract<ModelConfig, { kind: 'dip-vae' }>;

/** The diagonal weight: as configured, or the paper's default (10 x the off-diagonal one for DIP-VAE-I, equal for II). */
export function dipLambdaDiag(config: DipVaeConfig): number {
  return config.lambdaDiag ?? (config.dip === 'i' ? 10 : 1) * config.lambdaOffDiag;
}

/**
 * loss = reconstruction + beta KL + the batch's DIP penalty (src/objectives/dip.ts), given to each example so that
 * the batch mean is the paper's loss; `kl` reports the KL.
 *
 * @example
 * const m = new DipVae({ config, inputDim: 784, rng }); // config.dip 'ii', lambdaOffDiag 10
 */
export class DipVae extends GaussianModel<DipVaeConfig> {
  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { mean, logVar, reconstruction, kl } = this.pass(x, ctx);
      const penalty = dipPenalty({ mean, logVar, type: this.config.dip, lambdaOffDiag: this.config.lambdaOffDiag, lambdaDiag: dipLambdaDiag(this.config) });
      const loss = tf.addN([reconstruction, klPenalty({ kl, weight: ctx.klWeight }), perExample(penalty, kl)]) as Tensor1D;
      return { loss, reconstruction, kl };
    }) as LossTerms;
  }
}

/** The dip-vae kind's registry entry: its config and facts (dip-vae.config.ts) and its model. */
export const dipVaeKind: ModelKindEntry<DipVaeConfig> = { ...dipVaeConfig, build: (args) => new DipVae(args) };
