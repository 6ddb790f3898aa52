/** The regularized autoencoder (Ghosh et al. 2020, RAE-L2): a deterministic code kept small and a decoder kept smooth by weight decay. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import type { LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { CodeModel, perExample } from './gaussian.js';

export type RaeConfig = Extract<ModelConfig, { kind: 'rae' }>;

/**
 * loss = reconstruction + embeddingWeight |z|^2 / 2 + decoderWeight |theta_D|^2 (the decoder's kernels and biases),
 * per example; `kl` reports |z|^2 / 2. Samples decode draws from N(0, I) (the paper fits an ex-post density to the
 * codes instead: not done here).
 *
 * @example
 * const m = new Rae({ config, inputDim: 784, rng }); // embeddingWeight 1, decoderWeight 1e-7
 */
export class Rae extends CodeModel<RaeConfig> {
  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { z, reconstruction } = this.pass(x, ctx);
      const energy = tf.mul(tf.sum(tf.square(z), 1), 0.5) as Tensor1D;
      const decay = tf.addN(this.decoder.variables().filter((v) => v.trainable).map((v) => tf.sum(tf.square(v.variable)))) as tf.Scalar;
      const loss = tf.addN([reconstruction, tf.mul(energy, this.config.embeddingWeight), perExample(tf.mul(decay, this.config.decoderWeight) as tf.Scalar, energy)]) as Tensor1D;
      return { loss, reconstruction, kl: energy };
    }) as LossTerms;
  }
}

export const raeKind: ModelKindEntry<RaeConfig> = {
  kind: 'rae',
  build: (args) => new Rae(args),
  regularizer: '|z|²/2',
  posterior: 'none',
  lossName: () => 'reconstruction + |z|²/2 + decoder weight decay',
};
