/** The single import of the tensor library: every other module gets `tf` and its types from here. */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients of its own; its registry is global, and in Node the only CommonJS build that
// fills it is the umbrella package's bundle. Importing it registers every gradient (and adds nothing we use besides).
import '@tensorflow/tfjs';

export { tf };
export type { Scalar, Tensor, Tensor1D, Tensor2D, Variable, Rank, NamedTensorMap } from '@tensorflow/tfjs-core';

/**
 * A variable holding `values` with no stray handle left behind (tf.variable keeps its initial tensor alive otherwise).
 *
 * @example
 * const kernel = makeVariable(new Float32Array(784 * 400), [784, 400], true);
 */
export function makeVariable(values: Float32Array, shape: number[], trainable: boolean): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable));
}
