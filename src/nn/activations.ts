/** Elementwise activations by name; LeakyReLU uses PyTorch's slope 0.01, as the seeds do. */
import { tf, fusedBiasAct, type Tensor, type Tensor1D, type Tensor2D } from '../engine/index.js';
import type { Activation } from './types.js';

/** The schema's list: activate() below has a case for each. */
export { ACTIVATIONS } from '../config/schema.js';

/** PyTorch's default negative slope, used by seed 003's nn.LeakyReLU(). */
export const LEAKY_RELU_SLOPE = 0.01;

/**
 * Applies an activation by name.
 *
 * @example
 * const h = activate('leakyRelu', x);
 */
export function activate(fn: Activation, x: Tensor2D): Tensor2D {
  switch (fn) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, LEAKY_RELU_SLOPE);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'elu':
      return tf.elu(x);
    case 'softplus':
      return tf.softplus(x);
  }
}

/**
 * act(x + bias) over x's last axis (bias [C]): one pass, and one for its gradient with the bias gradient, where the
 * backend has the fused kernel (native); tf ops elsewhere.
 *
 * @example
 * const h = biasActivate('relu', convOut, bias); // [B, H, W, C]
 */
export function biasActivate<T extends Tensor>(fn: Activation, x: T, bias: Tensor1D): T {
  return fusedBiasAct({ x, bias, activation: fn, leakySlope: LEAKY_RELU_SLOPE }) ?? (activate(fn, tf.add(x, bias) as Tensor as Tensor2D) as Tensor as T);
}
