/** WAE-MMD's config and facts (Tolstikhin et al. 2018): a deterministic code matched to the prior by the MMD. */
import { z } from 'zod';
import { mmdTerm } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const waeMmdConfig = defineModelKind({
  kind: 'wae-mmd',
  fields: {
    ...mmdTerm,
    /** loss = reconstruction + lambda MMD(q(z), p(z)) with a deterministic encoder (Tolstikhin et al. 2018; MNIST: 10). */
    lambda: z.number().min(0).default(10),
  },
  regularizer: 'MMD',
  posterior: 'none',
  lossName: (c) => `reconstruction + ${Number(c.lambda.toPrecision(4))} × MMD`,
});
