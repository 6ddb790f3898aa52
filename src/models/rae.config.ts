/** The RAE's config and facts (Ghosh et al. 2020): the code's L2 penalty and the decoder's regularizer. */
import { z } from 'zod';
import { defineModelKind } from './kind-config.js';

export const raeConfig = defineModelKind({
  kind: 'rae',
  fields: {
    /**
     * loss = reconstruction + embeddingWeight |z|^2 / 2 + decoderWeight R(decoder) (Ghosh et al. 2020): R the squared
     * weights (`l2`, RAE-L2) or the gradient penalty |d sum_j D(z)_j / dz|^2 of the decoded mean per example
     * (`gradient-penalty`, RAE-GP).
     */
    embeddingWeight: z.number().min(0).default(1),
    decoderWeight: z.number().min(0).default(1e-7),
    decoderRegularizer: z.enum(['l2', 'gradient-penalty']).default('l2'),
  },
  regularizer: '|z|²/2',
  posterior: 'none',
  lossName: (c) => `reconstruction + |z|²/2 + ${c.decoderRegularizer === 'gradient-penalty' ? 'decoder gradient penalty' : 'decoder weight decay'}`,
  rules: (m, issue) => {
    if (m.decoderRegularizer === 'gradient-penalty' && (m.decoder.kind === 'conv' || m.decoder.batchNorm !== 'none' || m.decoder.dropout > 0)) {
      issue(['decoderRegularizer'], "the gradient penalty needs an MLP decoder of dense layers alone (no conv, BatchNorm or dropout); use decoderRegularizer 'l2'");
    }
  },
});
