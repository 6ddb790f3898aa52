/** The VampPrior's config and facts (Tomczak & Welling 2018): the number of pseudo-inputs and how they start. */
import { z } from 'zod';
import { gaussianEncoder, weightedTerm, width } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const vampPriorConfig = defineModelKind({
  kind: 'vamp-prior',
  fields: {
    ...gaussianEncoder,
    /** `beta` weighs log q(z|x) - log p(z), the KL to the mixture prior estimated from the sampled z. */
    ...weightedTerm,
    /** K, the learned pseudo-inputs u_k of the prior p(z) = (1/K) sum_k q(z|u_k) (Tomczak & Welling 2018: 500 on MNIST). */
    pseudoInputs: width.default(500),
    /** How the pseudo-inputs start on a fresh run: `random`, N(0.05, 0.01^2) per value, or `data`, K training examples drawn at random. */
    pseudoInputInit: z.enum(['random', 'data']).default('random'),
  },
  regularizer: 'KL',
  posterior: 'gaussian',
  exportGap: 'its VampPrior (the pseudo-inputs: the exported model would sample from N(0, I))',
  lossName: (c) => `reconstruction + ${c.beta === 1 && c.betaSchedule.kind === 'constant' ? '' : 'β × '}KL to the VampPrior (K = ${c.pseudoInputs}, sampled)`,
});
