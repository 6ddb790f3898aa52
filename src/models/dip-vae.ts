/** DIP-VAE (Kumar et al. 2018): the VAE's loss plus a penalty pulling the codes' covariance towards the identity. */
import { tf, type Tensor1D } from '../engine/index.js';
import { dipPenalty } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { CodeRegularizer, LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { dipVaeConfig } from './dip-vae.config.js';
import { CodePenaltyModel } from './gaussian.js';

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
export class DipVae extends CodePenaltyModel<DipVaeConfig> {
  codeRegularizer(ctx: LossContext): CodeRegularizer {
    const { dip: type, lambdaOffDiag } = this.config;
    const lambdaDiag = dipLambdaDiag(this.config);
    return {
      kl: ctx.klWeight,
      penalty: ({ mean, logVar }) =>
        tf.tidy(() => ({ penalty: tf.mul(tf.ones([mean.shape[0]]), dipPenalty({ mean, logVar, type, lambdaOffDiag, lambdaDiag })) as Tensor1D })), // [B]
    };
  }
}

/** The dip-vae kind's registry entry: its config and facts (dip-vae.config.ts) and its model. */
export const dipVaeKind: ModelKindEntry<DipVaeConfig> = { ...dipVaeConfig, build: (args) => new DipVae(args) };
