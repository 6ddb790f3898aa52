/** The Gaussian VAE's config and facts: the variance head, the KL weight and schedule, the ELBO or an importance-weighted objective. */
import { z } from 'zod';
import { objectiveSchema, weightedTerm } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const vaeConfig = defineModelKind({
  kind: 'vae',
  fields: {
    /** How the encoder outputs the variance: a log-variance head (seeds 002, 003) or softplus variance (seed 004). */
    variance: z.enum(['logVar', 'softplus']).default('logVar'),
    ...weightedTerm,
    /** `mean` reproduces seed 002's mean-BCE weighting; the ELBO is `sum`. */
    reconstructionReduction: z.enum(['sum', 'mean']).default('sum'),
    objective: objectiveSchema.default({ kind: 'elbo' }),
  },
  regularizer: 'KL',
  posterior: 'gaussian',
  /** The IWAE bound is defined for beta = 1 with no KL schedule and the summed reconstruction. */
  rules: (m, issue) => {
    if (m.objective.kind === 'elbo') return;
    const elbo = 'drop it or train with objective elbo';
    if (m.beta !== 1) issue(['beta'], `the IWAE objective is defined for beta = 1; ${elbo}`);
    if (m.betaSchedule.kind !== 'constant') issue(['betaSchedule'], `the IWAE objective is defined for beta = 1 with no KL schedule; ${elbo}`);
    if (m.reconstructionReduction !== 'sum') issue(['reconstructionReduction'], `the IWAE objective is defined for the summed reconstruction; ${elbo}`);
  },
});
