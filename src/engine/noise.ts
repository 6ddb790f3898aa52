/** Reparameterization noise in a reused array, for the fused kernels that read it once per call. */
import { tf } from './tf.js';
import type { Tensor2D } from './tf.js';
import type { Rng } from './rng.js';

/**
 * Draws [rows, cols] standard normals from an Rng into a tensor over an array kept between calls. A fresh 80 KB array
 * per batch of 1000 is garbage that V8 keeps until its next collection (external memory barely moves its heap), which
 * showed as resident memory growing by 75 KB a batch. The array is reused only once the previous tensor is disposed;
 * otherwise a fresh one is drawn, so a caller that keeps a tensor never sees it change.
 *
 * @example
 * const noise = new NoiseBuffer();
 * const eps = noise.draw(rng, B, L); // pass to the kernel, then
 * eps.dispose();
 */
export class NoiseBuffer {
  private values?: Float32Array;
  private last?: Tensor2D;

  draw(rng: Rng, rows: number, cols: number): Tensor2D {
    const n = rows * cols;
    const reusable = this.values?.length === n && (!this.last || this.last.isDisposed);
    const values = reusable && this.values ? this.values : new Float32Array(n);
    this.values = values;
    this.last = tf.tensor2d(rng.fillNormal(values), [rows, cols]);
    return this.last;
  }
}
