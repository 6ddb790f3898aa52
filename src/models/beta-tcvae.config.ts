/** beta-TCVAE's config and facts (Chen et al. 2018): the weights on MI, TC and dimension-wise KL, the log q(z) estimator. */
import { z } from 'zod';
import { gaussianEncoder, positiveInt, weightedTerm } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

const num = (v: number) => String(Number(v.toPrecision(4)));
const weight = (w: number) => (w === 1 ? '' : `${num(w)} × `);

export const betaTcvaeConfig = defineModelKind({
  kind: 'beta-tcvae',
  fields: {
    ...gaussianEncoder,
    /** `beta` weighs the total correlation (Chen et al. 2018; their dSprites runs use 6), under any schedule but capacity. */
    ...weightedTerm,
    /** Weight on the index-code mutual information. */
    alpha: z.number().min(0).default(1),
    /** Weight on the dimension-wise KL. */
    gamma: z.number().min(0).default(1),
    /** How log q(z) is estimated from the batch: minibatch stratified (`mss`, unbiased) or minibatch weighted (`mws`) sampling. */
    estimator: z.enum(['mss', 'mws']).default('mss'),
    /** N, the training set's size the estimators weight by; taken from the data when not given (fromData below). */
    datasetSize: positiveInt.optional(),
  },
  regularizer: 'TC',
  posterior: 'gaussian',
  lossName: (c) => `reconstruction + ${weight(c.alpha)}MI + β × TC + ${weight(c.gamma)}dim-wise KL`,
  rules: (m, issue) => {
    if (m.betaSchedule.kind === 'capacity') issue(['betaSchedule'], 'the capacity schedule controls a KL, and beta-TCVAE weighs its total correlation; use a constant, linear or cyclical schedule');
  },
  /** The estimators weight by the training set's size N: the data's, unless the config gives one. */
  fromData: (m, data) => (m.datasetSize !== undefined ? m : { ...m, datasetSize: data.trainExamples }),
});
