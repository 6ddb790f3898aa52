/** Synthetic examples from a trained model: z from the prior, then x drawn from the decoder's p(x|z) (or its mean). */
import { tf, type Rng } from '../engine/index.js';
import { EncoderDecoder, priorSample, type Model } from '../models/index.js';
import { likelihoodMean, segments } from '../objectives/index.js';

/**
 * n synthetic examples [n, D] in the model's input space (preprocessed units: undo the saved preprocessing for the
 * data's own units). z is drawn from the model's prior (for a conditional model, example i of class `labels[i]`, or
 * `label` for all, default i mod classes) and x from p(x|z), as TVAE's sampler does: each numeric value is the decoded mean plus Gaussian noise of the
 * likelihood's standard deviation (a fixed variance, a learned one, or 1/2 for squared-error), a Bernoulli value is 0
 * or 1, and each categorical column's block is one-hot at a category drawn from its softmax. With `mean: true` x is the
 * decoded mean itself (category probabilities for a categorical block), as the figures draw it.
 *
 * @example
 * const x = syntheticExamples({ model, n: 1000, rng: new Rng(1) }); // Float32Array [1000 * D]
 */
export function syntheticExamples(args: { model: Model; n: number; rng: Rng; label?: number; labels?: Int32Array; mean?: boolean }): Float32Array {
  const { model, n, rng, label, mean = false } = args;
  // A conditional model's class per example: `labels` [n] as given, or `label` for all, or i mod classes.
  const labels = model.classes === undefined ? undefined : (args.labels ?? Int32Array.from({ length: n }, (_, i) => label ?? i % model.classes!));
  const likelihood = model.likelihood;
  const d = model.inputDim;
  // A kind with its own prior (VampPrior, the hierarchical VAE, VQ-VAE's codes) samples it itself and gives the mean
  // (numeric noise then of a fixed variance only); with N(0, I) the decoder's whole output is at hand.
  const ownPrior = !labels && model.sample !== EncoderDecoder.prototype.sample;
  const { means, sd } = tf.tidy(() => {
    if (ownPrior) return { means: model.sample(n, rng).dataSync() as Float32Array, sd: undefined };
    const output = model.decoderOutput(priorSample(n, model.latentDim, rng), { training: false, rng, ...(labels && { labels }) });
    const learned = likelihood.kind === 'gaussian' && likelihood.variance === 'learned';
    const sd = learned ? (tf.exp(tf.mul(tf.slice(output, [0, d], [-1, d]), 0.5)).dataSync() as Float32Array) : undefined;
    return { means: likelihoodMean(likelihood, output).dataSync() as Float32Array, sd };
  });
  const x = Float32Array.from(means);
  if (mean) return x;
  const fixedSd = likelihood.kind === 'squared-error' ? Math.SQRT1_2 : likelihood.kind === 'gaussian' && likelihood.variance !== 'learned' ? Math.sqrt(likelihood.variance) : 0;
  for (const { start, size, categorical } of segments(likelihood.categorical ?? [], d)) {
    for (let i = 0; i < n; i++) {
      const row = i * d + start;
      if (categorical) {
        let u = rng.uniform();
        let pick = size - 1;
        for (let k = 0; k < size; k++) {
          u -= means[row + k];
          if (u < 0) {
            pick = k;
            break;
          }
        }
        x.fill(0, row, row + size);
        x[row + pick] = 1;
      } else if (likelihood.kind === 'bernoulli') {
        for (let k = 0; k < size; k++) x[row + k] = rng.uniform() < means[row + k] ? 1 : 0;
      } else {
        for (let k = 0; k < size; k++) x[row + k] = means[row + k] + (sd ? sd[row + k] : fixedSd) * rng.normal();
      }
    }
  }
  return x;
}
