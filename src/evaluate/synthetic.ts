/** Synthetic examples from a trained model: prior draws decoded into the model's input space. */
import { tf, type Rng } from '../engine/index.js';
import { priorSample, type Model } from '../models/index.js';

/**
 * n synthetic examples [n, D] in the model's input space (preprocessed units: undo the saved preprocessing for the
 * data's own units): z drawn from the prior and decoded.
 *
 * @example
 * const x = syntheticExamples({ model, n: 1000, rng: new Rng(1) }); // Float32Array [1000 * D]
 */
export function syntheticExamples({ model, n, rng, labels }: { model: Model; n: number; rng: Rng; labels?: Int32Array }): Float32Array {
  return tf.tidy(() => {
    const decoded = labels ? model.decode(priorSample(n, model.latentDim, rng), labels) : model.sample(n, rng);
    return decoded.dataSync() as Float32Array;
  });
}
