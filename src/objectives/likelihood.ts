/** Decoder likelihoods p(x|z): per-example log-likelihoods, the decoder's output width, and its mean in data space. */
import { tf, fusedBernoulliLogLikelihood, type Tensor1D, type Tensor2D } from '../engine/index.js';

/**
 * How the decoder's output is read as a distribution over x.
 * - `bernoulli`: the output is logits; for data in [0, 1] (binary or grey levels, as in pytorch/examples).
 * - `gaussian` with a fixed `variance`: the output (through `meanActivation`) is the mean.
 * - `gaussian` with `variance: 'learned'`: the output is [mean, logVar] per dimension (width 2D).
 * - `squared-error`: summed squared error, as seeds 000 and 001 use; equals -log N(x; mean, 1/2) less D/2 log(pi).
 */
export type Likelihood =
  | { kind: 'bernoulli' }
  | { kind: 'gaussian'; variance: number | 'learned'; meanActivation: 'linear' | 'sigmoid' }
  | { kind: 'squared-error'; meanActivation: 'linear' | 'sigmoid' };

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Bernoulli log-likelihood from logits, per example: sum_d x log sigmoid(l) + (1 - x) log(1 - sigmoid(l)),
 * computed as x l - max(l, 0) - log(1 + exp(-|l|)) so it never takes the log of 0.
 *
 * @example
 * const ll = bernoulliLogLikelihood({ x, logits }); // [B]
 */
export function bernoulliLogLikelihood({ x, logits }: { x: Tensor2D; logits: Tensor2D }): Tensor1D {
  const fused = fusedBernoulliLogLikelihood({ x, logits });
  if (fused) return fused;
  return tf.tidy(() => {
    const perDim = tf.sub(tf.sub(tf.mul(x, logits), tf.relu(logits)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.sum(perDim, 1) as Tensor1D;
  });
}

/**
 * Gaussian log-likelihood per example: sum_d -0.5 ((x - mean)^2 / var + log var + log 2 pi).
 * `logVar` is a number (fixed variance) or a [B, D] tensor (learned).
 *
 * @example
 * const ll = gaussianLogLikelihood({ x, mean, logVar: Math.log(0.01) }); // [B]
 */
export function gaussianLogLikelihood({ x, mean, logVar }: { x: Tensor2D; mean: Tensor2D; logVar: number | Tensor2D }): Tensor1D {
  return tf.tidy(() => {
    const sq = tf.square(tf.sub(x, mean));
    if (typeof logVar === 'number') {
      const d = x.shape[1];
      return tf.add(tf.mul(tf.sum(sq, 1), -0.5 * Math.exp(-logVar)), -0.5 * d * (logVar + LOG_2PI)) as Tensor1D;
    }
    const perDim = tf.add(tf.add(tf.mul(sq, tf.exp(tf.neg(logVar))), logVar), LOG_2PI);
    return tf.mul(tf.sum(perDim, 1), -0.5) as Tensor1D;
  });
}

/** Summed squared error per example (seed 000's nn.MSELoss(reduction='sum'), split per example). */
export function squaredError({ x, mean }: { x: Tensor2D; mean: Tensor2D }): Tensor1D {
  return tf.tidy(() => tf.sum(tf.square(tf.sub(x, mean)), 1) as Tensor1D);
}

/** Width of the decoder's output layer for data of `dataDim` values. */
export function decoderOutputDim(likelihood: Likelihood, dataDim: number): number {
  return likelihood.kind === 'gaussian' && likelihood.variance === 'learned' ? 2 * dataDim : dataDim;
}

function applyMean(fn: 'linear' | 'sigmoid', t: Tensor2D): Tensor2D {
  return fn === 'sigmoid' ? tf.sigmoid(t) : t;
}

/** Splits a learned-variance output [B, 2D] into its mean and log-variance halves. */
function splitLearned(output: Tensor2D): [Tensor2D, Tensor2D] {
  const d = output.shape[1] / 2;
  return tf.split(output, [d, d], 1) as [Tensor2D, Tensor2D];
}

/**
 * The decoder distribution's mean in data space: sigmoid(logits) for Bernoulli, the mean otherwise.
 *
 * @example
 * const xRecon = likelihoodMean(likelihood, model.decoderOutput(z, ctx)); // [B, D]
 */
export function likelihoodMean(likelihood: Likelihood, output: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    switch (likelihood.kind) {
      case 'bernoulli':
        return tf.sigmoid(output);
      case 'squared-error':
        return applyMean(likelihood.meanActivation, output);
      case 'gaussian': {
        const mean = likelihood.variance === 'learned' ? splitLearned(output)[0] : output;
        return applyMean(likelihood.meanActivation, mean);
      }
    }
  });
}

/**
 * The reconstruction term -log p(x|z) per example (for `squared-error`: the summed squared error).
 *
 * @example
 * const rec = reconstructionLoss({ likelihood, x, output }); // [B]
 */
export function reconstructionLoss({ likelihood, x, output }: { likelihood: Likelihood; x: Tensor2D; output: Tensor2D }): Tensor1D {
  return tf.tidy(() => {
    switch (likelihood.kind) {
      case 'bernoulli':
        return tf.neg(bernoulliLogLikelihood({ x, logits: output }));
      case 'squared-error':
        return squaredError({ x, mean: applyMean(likelihood.meanActivation, output) });
      case 'gaussian': {
        if (likelihood.variance === 'learned') {
          const [mean, logVar] = splitLearned(output);
          return tf.neg(gaussianLogLikelihood({ x, mean: applyMean(likelihood.meanActivation, mean), logVar }));
        }
        const mean = applyMean(likelihood.meanActivation, output);
        return tf.neg(gaussianLogLikelihood({ x, mean, logVar: Math.log(likelihood.variance) }));
      }
    }
  });
}
