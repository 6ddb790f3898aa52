/** The poor man's VAE's config and facts (seed 000): a code plus fixed noise, pulled to the origin by an anchor term. */
import { z } from 'zod';
import { weightedTerm } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const poorManVaeConfig = defineModelKind({
  kind: 'poor-man-vae',
  fields: {
    /** `beta` weighs the anchor term. */
    ...weightedTerm,
    /** `batch`: seed 000's z.pow(2).sum().sqrt() over the whole batch; `per-example`: ||z_i|| for each example. */
    anchor: z.enum(['batch', 'per-example']).default('batch'),
    /** Standard deviation of the noise added to z (seed 000: 1). */
    noise: z.number().min(0).default(1),
  },
  regularizer: 'anchor',
  posterior: 'noisy-code',
});
