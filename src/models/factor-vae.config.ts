/** FactorVAE's config and facts (Kim & Mnih 2018): the TC weight and the discriminator that estimates it. */
import { z } from 'zod';
import { activation, gaussianEncoder, weightedTerm, width } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

/**
 * FactorVAE's discriminator: an MLP from z to one logit, trained by its own Adam on the batch's codes against the codes
 * permuted per dimension. The paper's: 6 x 1000 leaky-ReLU layers, lr 1e-4, betas 0.5 and 0.9; the default is narrower
 * (3 x 256) for small MLP models.
 */
const discriminatorSchema = z.object({
  hidden: z.array(width).min(1).default([256, 256, 256]),
  activation: activation.default('leakyRelu'),
  lr: z.number().positive().default(1e-4),
  beta1: z.number().min(0).lt(1).default(0.5),
  beta2: z.number().min(0).lt(1).default(0.9),
});

const num = (v: number) => String(Number(v.toPrecision(4)));

export const factorVaeConfig = defineModelKind({
  kind: 'factor-vae',
  fields: {
    ...gaussianEncoder,
    /** `beta` weighs the KL (1 in Kim & Mnih 2018). */
    ...weightedTerm,
    /** Weight on the discriminator's estimate of the total correlation (vaekit's default, not tuned; the paper sweeps it). */
    gamma: z.number().min(0).default(10),
    /** The discriminator and its Adam (discriminatorSchema). */
    discriminator: discriminatorSchema.default(discriminatorSchema.parse({})),
  },
  regularizer: 'KL',
  posterior: 'gaussian',
  lossName: (c) => `reconstruction + ${c.beta === 1 && (c.betaSchedule?.kind ?? 'constant') === 'constant' ? '' : 'β × '}KL + ${num(c.gamma)} × TC`,
});
