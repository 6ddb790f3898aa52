/** DIP-VAE's config and facts (Kumar et al. 2018): which covariance is pushed to I, and the weights of the penalty. */
import { z } from 'zod';
import { gaussianEncoder, weightedTerm } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const dipVaeConfig = defineModelKind({
  kind: 'dip-vae',
  fields: {
    ...gaussianEncoder,
    /** `beta` weighs the KL, as in a beta-VAE. */
    ...weightedTerm,
    /** `i`: match the covariance of the posterior means to I; `ii`: the covariance of q(z) (Kumar et al. 2018). */
    dip: z.enum(['i', 'ii']).default('ii'),
    /** Weight on the squared off-diagonal covariances. */
    lambdaOffDiag: z.number().min(0).default(10),
    /** Weight on the squared deviations of the variances from 1; default 10 x lambdaOffDiag for DIP-VAE-I, lambdaOffDiag for II (the paper's choices). */
    lambdaDiag: z.number().min(0).optional(),
  },
  regularizer: 'KL',
  posterior: 'gaussian',
  lossName: (c) => `reconstruction + ${c.beta === 1 && c.betaSchedule.kind === 'constant' ? '' : 'β × '}KL + DIP-${c.dip.toUpperCase()} penalty`,
});
