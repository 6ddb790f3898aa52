/** The autoencoder's config and facts: a deterministic code, the reconstruction loss alone. */
import { activation } from '../config/fields.js';
import { defineModelKind } from './kind-config.js';

export const autoencoderConfig = defineModelKind({
  kind: 'autoencoder',
  fields: {
    /** Activation on the code itself (seed 004's AE has ReLU on its 200-unit code). */
    latentActivation: activation.default('linear'),
  },
  regularizer: undefined,
  posterior: 'none',
});
