/** The two-stochastic-layer VAE's config and facts (Burda et al. 2015's second architecture): z2's size, the upper networks, the training bound's samples. */
import { gaussianEncoder, mlpSchema, positiveInt, width } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const hierarchicalVaeConfig = defineModelKind({
  kind: 'hierarchical-vae',
  /** `latent` is z1's size, `encoder` the trunk of q(z1|x), `decoder` the network of p(x|z1). */
  fields: {
    ...gaussianEncoder,
    /** z2's size (Burda et al.'s second architecture: 50). */
    latent2: width.default(50),
    /** The hidden layers of q(z2|z1) and of p(z1|z2) (Burda et al.: 50-50, tanh). */
    upper: mlpSchema.default({ kind: 'mlp', hidden: [50, 50], activation: 'tanh', batchNorm: 'none', dropout: 0 }),
    /** Importance samples per example in the training bound: 1 the ELBO, k > 1 the IWAE bound L_k (Burda et al.: 1 or 50). */
    samples: positiveInt.max(5000).default(1),
  },
  regularizer: 'KL',
  posterior: 'gaussian',
  exportGap: 'its second stochastic layer (q(z2|z1) and p(z1|z2) are not in the encoder -> decoder graphs)',
  lossName: (c) => (c.samples === 1 ? 'negative ELBO (two stochastic layers, KL sampled)' : `negative IWAE bound (k = ${c.samples}, two stochastic layers)`),
});
