/** The conditional VAE's config and facts: q(z|x, y) and p(x|z, y) over `classes` labels, MLP layers only. */
import { z } from 'zod';
import { weightedTerm, width } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const cvaeConfig = defineModelKind({
  kind: 'cvae',
  fields: {
    /** Number of classes: the encoder reads [x, onehot(y)] and the decoder [z, onehot(y)]; labels lie in 0..classes-1. */
    classes: width.default(10),
    variance: z.enum(['logVar', 'softplus']).default('logVar'),
    ...weightedTerm,
    reconstructionReduction: z.enum(['sum', 'mean']).default('sum'),
  },
  regularizer: 'KL',
  posterior: 'gaussian',
  conditional: true,
  rules: (m, issue) => {
    if (m.encoder.kind === 'conv' || m.decoder.kind === 'conv') {
      issue(['kind'], 'the conditional VAE takes MLP encoders and decoders, and this config has conv layers; start from an MLP preset such as mnist-cvae or mnist-vae');
    }
  },
});
