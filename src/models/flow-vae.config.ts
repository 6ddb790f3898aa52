/** The flow VAE's config and facts: a posterior N(mean, var) pushed through planar, radial or IAF steps. */
import { z } from 'zod';
import { gaussianEncoder, positiveInt, weightedTerm, width } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

/**
 * The normalizing flow of a flow-vae's posterior, `steps` transforms of z_0 ~ N(mean, var): planar and radial flows
 * (Rezende & Mohamed 2015; their parameters learned, the same for every example) or inverse autoregressive flow
 * (Kingma et al. 2016; each step a MADE with one hidden layer of `hidden` units reading z and a `context` vector the
 * encoder computes from x).
 */
export const flowSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('planar'), steps: positiveInt.max(1000).default(10) }),
  z.object({ kind: z.literal('radial'), steps: positiveInt.max(1000).default(10) }),
  z.object({ kind: z.literal('iaf'), steps: positiveInt.max(1000).default(2), hidden: width.default(128), context: width.default(32) }),
]);

const FLOW_NAMES = { planar: 'planar', radial: 'radial', iaf: 'IAF' } as const;

export const flowVaeConfig = defineModelKind({
  kind: 'flow-vae',
  fields: {
    ...gaussianEncoder,
    /** `beta` weighs log q(z_K|x) - log p(z_K), the KL estimated from the flowed sample. */
    ...weightedTerm,
    flow: flowSchema.default({ kind: 'planar', steps: 10 }),
  },
  regularizer: 'KL',
  posterior: 'gaussian',
  exportGap: 'its posterior flow (the exported encoder would give z_0, not the flowed code the decoder was trained on)',
  lossName: (c) => `reconstruction + ${c.beta === 1 && c.betaSchedule.kind === 'constant' ? '' : 'β × '}KL of the ${c.flow.steps}-step ${FLOW_NAMES[c.flow.kind]} flow posterior (sampled)`,
});
