/** log p(x) of a model with a one-dimensional latent by numerical integration: the exact answer the NLL estimators are checked against. */
import { tf, type Tensor2D } from '../src/engine/index.js';
import { logLikelihood } from '../src/objectives/index.js';
import type { Model } from '../src/models/index.js';

/**
 * log ∫ p(x_i|z) p(z) dz for each example row of `x` ([n, D] row-major), by the midpoint rule on `points` cells of
 * [lo, hi], summed in float64. `logPrior` is the model's log p(z) at a point, computed by the caller in float64.
 *
 * @example
 * const exact = logPxByQuadrature({ model, x, logPrior: (z) => -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) });
 */
export function logPxByQuadrature(opts: { model: Model; x: Float32Array; logPrior: (z: number) => number; lo?: number; hi?: number; points?: number }): number[] {
  const { model, x, logPrior, lo = -12, hi = 12, points = 24_000 } = opts;
  const d = model.inputDim;
  const n = x.length / d;
  const h = (hi - lo) / points;
  const grid = Float32Array.from({ length: points }, (_, g) => lo + (g + 0.5) * h);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = tf.tidy(() => {
      const z = tf.tensor2d(grid, [points, 1]); // [G, 1]
      const xi = tf.tile(tf.tensor2d(x.subarray(i * d, (i + 1) * d), [1, d]), [points, 1]) as Tensor2D; // [G, D]
      return logLikelihood({ likelihood: model.likelihood, x: xi, output: model.decoderOutput(z) }); // [G]
    });
    const logPxz = t.dataSync();
    t.dispose();
    const terms = Array.from(grid, (z, g) => logPxz[g] + logPrior(z));
    const top = Math.max(...terms);
    out.push(top + Math.log(terms.reduce((s, v) => s + Math.exp(v - top), 0) * h));
  }
  return out;
}
