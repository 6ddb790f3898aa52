/**
 * The wasm BatchMatMul fix: stock tfjs wasm runs a product with transposeA/B about 9x slower than
 * an explicit transpose followed by a plain product (DESIGN.md), and backprop is made of such products.
 */
import { tf } from './tf.js';

type KernelFunc = tf.KernelConfig['kernelFunc'];

let stock: tf.KernelConfig | undefined;

/** The kernel function as tfjs ships it, saved when the fix is first installed. */
function stockKernel(): tf.KernelConfig {
  if (!stock) {
    const k = tf.getKernel('BatchMatMul', 'wasm');
    if (!k) throw new Error('the wasm backend has no BatchMatMul kernel to patch');
    stock = k;
  }
  return stock;
}

/**
 * Replaces wasm's BatchMatMul with one that materializes transposed operands first.
 * `enabled: false` restores the stock kernel (used by the test that compares gradients).
 *
 * @example
 * setWasmTransposeFix(true); // after tf.setBackend('wasm')
 */
export function setWasmTransposeFix(enabled: boolean): void {
  const original = stockKernel();
  const transposeKernel = tf.getKernel('Transpose', 'wasm');
  if (!transposeKernel) throw new Error('the wasm backend has no Transpose kernel');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  if (!enabled) {
    tf.registerKernel(original);
    return;
  }
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc(args);
    const b = backend as tf.KernelBackend;
    const swapLast = (t: tf.TensorInfo): tf.TensorInfo => {
      const rank = t.shape.length;
      const perm = [...Array(rank).keys()];
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      return transposeKernel.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const a = transposeA ? swapLast(inputs.a!) : inputs.a!;
    const bb = transposeB ? swapLast(inputs.b!) : inputs.b!;
    const out = original.kernelFunc({
      inputs: { a, b: bb },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    if (transposeA) b.disposeData(a.dataId);
    if (transposeB) b.disposeData(bb.dataId);
    return out;
  };
  tf.registerKernel({ ...original, kernelFunc });
}
