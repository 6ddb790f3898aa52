/** sg(x): a tensor's value with a zero gradient, the one home of the op the IWAE variants and the VQ-VAE use. */
import { tf } from '../engine/index.js';

/**
 * x's value with a zero gradient (TensorFlow's stop_gradient): what follows from it is a constant to the optimizer.
 *
 * @example
 * const zFixed = stopGradient(z); // decoderOutput(zFixed) sends no gradient into the encoder
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args) => {
    const [t] = args as [tf.Tensor];
    return { value: tf.clone(t), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return op(x) as T;
}
