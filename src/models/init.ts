/** Data-dependent initialization: the decoder's output bias set from the training data's mean (Burda et al.). */
import { tf } from '../engine/index.js';
import { decoderOutputDim, type Likelihood } from '../objectives/index.js';
import { UsageError } from '../errors.js';
import type { Model } from './types.js';

/** Bounds the mean before the logit, so always-0 or always-1 pixels get a large but finite bias. */
const CLIP = 1e-3;

/**
 * The output bias that makes the decoder's mean equal `dataMean` when the rest of the layer outputs 0: the logit of
 * the clipped mean for Bernoulli and sigmoid-mean decoders, the mean itself for linear ones. A learned-variance
 * Gaussian decoder keeps its log-variance half of the bias (`current`).
 *
 * @example
 * const bias = dataMeanBias({ kind: 'bernoulli' }, mean, current); // logit(clip(mean))
 */
export function dataMeanBias(likelihood: Likelihood, dataMean: Float32Array, current: Float32Array): Float32Array {
  const d = dataMean.length;
  const out = Float32Array.from(current);
  const sigmoid = likelihood.kind === 'bernoulli' || likelihood.meanActivation === 'sigmoid';
  for (let j = 0; j < d; j++) {
    const m = Math.min(1 - CLIP, Math.max(CLIP, dataMean[j]));
    out[j] = sigmoid ? Math.log(m / (1 - m)) : dataMean[j];
  }
  return out;
}

/**
 * Sets the decoder output layer's bias from the per-value mean of the training examples `x` ([n, D] row-major).
 *
 * @example
 * initDecoderBiasFromData(model, dataset.train.x); // for config.model.decoderBiasInit === 'data-mean'
 */
export function initDecoderBiasFromData(model: Model, x: Float32Array): void {
  const d = model.inputDim;
  const n = x.length / d;
  const sum = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sum[j] += x[i * d + j];
  const mean = Float32Array.from(sum, (s) => s / n);
  const bias = model.variables().find((v) => v.name === 'decoder.out.bias');
  if (!bias) throw new Error('initDecoderBiasFromData: the model has no decoder.out.bias');
  if (bias.variable.size !== decoderOutputDim(model.likelihood, d)) {
    // A conv decoder's output bias is per channel, not per value.
    throw new UsageError(`model.decoderBiasInit 'data-mean' needs an MLP decoder (one output bias per data value); this decoder has ${bias.variable.size} output biases for ${d} values`);
  }
  const current = bias.variable.dataSync() as Float32Array;
  tf.tidy(() => bias.variable.assign(tf.tensor1d(dataMeanBias(model.likelihood, mean, current))));
}
