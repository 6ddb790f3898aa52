/** VQ-VAE's config and facts (van den Oord et al. 2017): the codebook, the commitment weight and the EMA updates. */
import { z } from 'zod';
import { positiveInt, width } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const vqVaeConfig = defineModelKind({
  kind: 'vq-vae',
  /** `latent` is codes x codeDim: the encoder gives latent / codeDim vectors of codeDim values, each quantized. */
  fields: {
    /** K, the number of codebook entries. */
    codebookSize: width.default(512),
    /** D, the size of each code vector; must divide `latent`. */
    codeDim: width.default(8),
    /** beta of the commitment loss beta ||z_e - sg(e)||^2 (van den Oord et al. 2017: 0.25). */
    commitment: z.number().min(0).default(0.25),
    /** The codebook's exponential-moving-average decay (0.99 in the paper) and Laplace smoothing epsilon. */
    decay: z.number().min(0).lt(1).default(0.99),
    epsilon: z.number().positive().default(1e-5),
    /** A code no batch has used for this many training steps is reset to a random encoder output of the batch. */
    restartAfter: positiveInt.default(100),
  },
  regularizer: 'commitment',
  posterior: 'none',
  samples: 'z of codebook entries drawn uniformly at random (no prior over the codes is learned)',
  exportGap: 'its codebook quantization (the exported encoder would give z_e, not the codes the decoder reads)',
  lossName: (c) => `reconstruction + ${String(Number(c.commitment.toPrecision(4)))} × commitment`,
  rules: (m, issue) => {
    if (m.latent % m.codeDim !== 0) issue(['latent'], `latent ${m.latent} is not a multiple of codeDim ${m.codeDim}: the encoder's output is split into vectors of codeDim values`);
  },
});
