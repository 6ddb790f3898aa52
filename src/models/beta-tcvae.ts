/** beta-TCVAE (Chen et al. 2018): the KL split into mutual information, total correlation and dimension-wise KL, the TC weighted by beta. */
import { tf, type Tensor1D } from '../engine/index.js';
import { tcTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { CodeRegularizer, LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { betaTcvaeConfig } from './beta-tcvae.config.js';
import { CodePenaltyModel } from './gaussian.js';

export type BetaTcvaeConfig = Extract<ModelConfig, { kind: 'beta-tcvae' }>;

/**
 * loss = reconstruction + alpha MI + beta TC + gamma dim-wise KL, the three estimated from the batch's own codes
 * (src/objectives/tc.ts) and replacing the analytic KL; `kl` reports the TC. The epoch's weight (beta, or its linear or
 * cyclical schedule) is the TC's. With alpha = gamma = 1 and beta = 1 the loss estimates the negative ELBO.
 *
 * @example
 * const m = new BetaTcvae({ config, inputDim: 4096, rng }); // config.beta = 6, as Chen et al. on dSprites
 */
export class BetaTcvae extends CodePenaltyModel<BetaTcvaeConfig> {
  codeRegularizer(ctx: LossContext): CodeRegularizer {
    const { alpha, gamma, estimator, datasetSize } = this.config;
    const beta = ctx.klWeight.kind === 'beta' ? ctx.klWeight.beta : 1;
    return {
      kl: { kind: 'beta', beta: 0 },
      penalty: ({ z, mean, logVar }) =>
        tf.tidy(() => {
          const { mi, tc, dimKl } = tcTerms({ z, mean, logVar, estimator, datasetSize: datasetSize ?? z.shape[0] });
          return { penalty: tf.addN([tf.mul(mi, alpha), tf.mul(tc, beta), tf.mul(dimKl, gamma)]) as Tensor1D, reported: tc };
        }),
    };
  }
}

/** The beta-tcvae kind's registry entry: its config and facts (beta-tcvae.config.ts) and its model. */
export const betaTcvaeKind: ModelKindEntry<BetaTcvaeConfig> = { ...betaTcvaeConfig, build: (args) => new BetaTcvae(args) };
