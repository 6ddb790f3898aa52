/** InfoVAE-MMD's config and facts (Zhao et al. 2019): the KL and MMD weights from alpha and lambda, the MMD kernel. */
import { z } from 'zod';
import { gaussianEncoder, mmdTerm } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

const num = (v: number) => String(Number(v.toPrecision(4)));

export const infoVaeConfig = defineModelKind({
  kind: 'info-vae',
  fields: {
    ...gaussianEncoder,
    ...mmdTerm,
    /** loss = reconstruction + (1 - alpha) KL + (alpha + lambda - 1) MMD (Zhao et al. 2019); alpha = 1 drops the KL. */
    alpha: z.number().max(1).default(0),
    lambda: z.number().min(0).default(1000),
  },
  regularizer: 'MMD',
  posterior: 'gaussian',
  lossName: (c) => `reconstruction + ${num(1 - c.alpha)} × KL + ${num(c.alpha + c.lambda - 1)} × MMD`,
});
