/** The regularized autoencoder (Ghosh et al. 2020): a deterministic code kept small and a decoder kept smooth by weight decay (RAE-L2) or a gradient penalty (RAE-GP). */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import type { Likelihood, LossTerms } from '../objectives/index.js';
import { activate, Dense, LEAKY_RELU_SLOPE, type Activation, type Block } from '../nn/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { raeConfig } from './rae.config.js';
import { CodeModel, perExample } from './gaussian.js';
import { Decoder } from './parts.js';

export type RaeConfig = Extract<ModelConfig, { kind: 'rae' }>;

/**
 * loss = reconstruction + embeddingWeight |z|^2 / 2 + decoderWeight R, per example; `kl` reports |z|^2 / 2. R is
 * |theta_D|^2 (the decoder's kernels and biases; RAE-L2), or |d sum_j D(z)_j / dz|^2, the squared norm of the
 * gradient of the decoded mean's sum with respect to the example's code (RAE-GP, as pythae's RAE_GP; computed by
 * decodedSumGradient, so that its training gradient, a second derivative, is exact). Samples decode draws from
 * N(0, I) (the paper fits an ex-post density to the codes instead: not done here).
 *
 * @example
 * const m = new Rae({ config, inputDim: 784, rng }); // embeddingWeight 1, decoderWeight 1e-7
 */
export class Rae extends CodeModel<RaeConfig> {
  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { z, reconstruction } = this.pass(x, ctx);
      const energy = tf.mul(tf.sum(tf.square(z), 1), 0.5) as Tensor1D;
      const regularizer = this.config.decoderRegularizer === 'gradient-penalty' ? this.gradientPenalty(z) : perExample(this.weightDecay(), energy);
      const loss = tf.addN([reconstruction, tf.mul(energy, this.config.embeddingWeight), tf.mul(regularizer, this.config.decoderWeight)]) as Tensor1D;
      return { loss, reconstruction, kl: energy };
    }) as LossTerms;
  }

  /** |theta_D|^2 over the decoder's trainable weights. */
  private weightDecay(): tf.Scalar {
    return tf.addN(this.decoder.variables().filter((v) => v.trainable).map((v) => tf.sum(tf.square(v.variable)))) as tf.Scalar;
  }

  /**
   * |d sum_j D(z)_j / dz_i|^2 per example i, D the decoded mean: rows are decoded independently, so the gradient of
   * the batch's sum with respect to z [B, L] holds each example's own gradient in its row.
   */
  gradientPenalty(z: Tensor2D): Tensor1D {
    return tf.tidy(() => tf.sum(tf.square(decodedSumGradient(this.decoder, this.likelihood, z)), 1) as Tensor1D);
  }
}

/** The derivative of an activation at its input a, in ops whose own gradients are exact (see decodedSumGradient). */
function slope(fn: Activation, a: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    switch (fn) {
      case 'linear':
        return tf.onesLike(a);
      case 'relu':
        return tf.step(a);
      case 'leakyRelu':
        return tf.add(tf.mul(tf.step(a), 1 - LEAKY_RELU_SLOPE), LEAKY_RELU_SLOPE);
      case 'sigmoid': {
        const s = tf.sigmoid(a);
        return tf.mul(s, tf.sub(1, s));
      }
      case 'softplus':
        return tf.sigmoid(a);
      case 'tanh':
        return tf.sub(1, tf.square(tf.tanh(a)));
      case 'elu':
        return tf.add(tf.step(a), tf.mul(tf.sub(1, tf.step(a)), tf.exp(tf.minimum(a, 0))));
    }
  }) as Tensor2D;
}

/**
 * d sum_j D(z)_j / dz [B, L] for an MLP decoder of Dense layers, D the decoded mean, by backpropagation written out
 * as forward ops: delta = D'(out) W_out^T, then delta = (delta * act'(a_k)) W_k^T down the layers. Its training
 * gradient is then a first derivative of ordinary ops. tf.grad inside the training step would give the same value but
 * a wrong second derivative: tfjs saves an op's output for its gradient (tanh, sigmoid) through a copy that the
 * outer tape does not connect, so measured against central differences a tanh decoder's gradient was 30% off.
 */
export function decodedSumGradient(decoder: Block, likelihood: Likelihood, z: Tensor2D): Tensor2D {
  if (!(decoder instanceof Decoder) || !decoder.mlp.blocks.every((b) => b instanceof Dense)) {
    throw new Error('the gradient penalty needs an MLP decoder of Dense layers (no BatchNorm or dropout)');
  }
  return tf.tidy(() => {
    const layers = [...(decoder.mlp.blocks as Dense[]), decoder.out];
    const pre: Tensor2D[] = []; // each layer's input to its activation, [B, width]
    let h = z;
    for (const layer of layers) {
      const a = tf.add(tf.matMul(h, layer.kernel), layer.bias) as Tensor2D;
      pre.push(a);
      h = activate(layer.activation, a);
    }
    const out = pre[pre.length - 1]; // [B, D'] the decoder's raw output (its layer is linear)
    let delta = outputSlope(likelihood, out); // [B, D']
    for (let k = layers.length - 1; k >= 0; k--) {
      if (k < layers.length - 1) delta = tf.mul(delta, slope(layers[k].activation, pre[k])) as Tensor2D;
      delta = tf.matMul(delta, layers[k].kernel, false, true) as Tensor2D; // [B, in_k]
    }
    return delta; // [B, L]
  });
}

/** d D_j / d out_j of the decoded mean: the sigmoid's slope for a Bernoulli or sigmoid-mean decoder, 1 for a linear mean, 0 on a learned variance. */
function outputSlope(likelihood: Likelihood, out: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const sigmoid = likelihood.kind === 'bernoulli' || likelihood.meanActivation === 'sigmoid';
    if (likelihood.kind === 'gaussian' && likelihood.variance === 'learned') {
      const d = out.shape[1] / 2;
      const [mean, logVar] = tf.split(out, [d, d], 1) as [Tensor2D, Tensor2D]; // [B, D] each
      return tf.concat([sigmoid ? slope('sigmoid', mean) : tf.onesLike(mean), tf.zerosLike(logVar)], 1); // [B, 2D]
    }
    return sigmoid ? slope('sigmoid', out) : tf.onesLike(out);
  }) as Tensor2D;
}

/** The rae kind's registry entry: its config and facts (rae.config.ts) and its model. */
export const raeKind: ModelKindEntry<RaeConfig> = { ...raeConfig, build: (args) => new Rae(args) };
