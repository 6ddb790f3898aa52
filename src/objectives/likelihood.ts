/** Decoder likelihoods p(x|z): per-example log-likelihoods, the decoder's output width, and its mean in data space. */
import { tf, fusedBernoulliLogLikelihood, type Tensor1D, type Tensor2D } from '../engine/index.js';

/**
 * How the decoder's output is read as a distribution over x.
 * - `bernoulli`: the output is logits; for data in [0, 1] (binary or grey levels, as in pytorch/examples).
 * - `gaussian` with a fixed `variance`: the output (through `meanActivation`) is the mean.
 * - `gaussian` with `variance: 'learned'`: the output is [mean, logVar] per dimension (width 2D).
 * - `squared-error`: summed squared error, as seeds 000 and 001 use; equals -log N(x; mean, 1/2) less D/2 log(pi).
 */
export type Likelihood = (
  | { kind: 'bernoulli' }
  | { kind: 'gaussian'; variance: number | 'learned'; meanActivation: 'linear' | 'sigmoid' }
  | { kind: 'squared-error'; meanActivation: 'linear' | 'sigmoid' }
) & {
  /**
   * Tabular data's categorical columns, one-hot blocks x[:, start .. start + size): each is scored by a categorical
   * log-likelihood, sum_j x_j log softmax(l)_j of the decoder's outputs l there, and the likelihood's own term covers
   * the other (numeric) values alone, as TVAE (Xu et al. 2019) models mixed tables. Its mean is the softmax.
   */
  categorical?: CategoricalBlock[];
};

/** One categorical column's one-hot block of inputs: x[:, start .. start + size). */
export interface CategoricalBlock {
  start: number;
  size: number;
}

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
    const blocks = likelihood.categorical;
    if (!blocks?.length) return ownMean(likelihood, output);
    // The numeric values' means, with each block's softmax in its place.
    const mean = ownMean(likelihood, output); // [B, D]
    const d = mean.shape[1];
    const logits = meanHalf(likelihood, output, d);
    const parts = segments(blocks, d).map(({ start, size, categorical }) =>
      categorical ? tf.softmax(tf.slice(logits, [0, start], [-1, size])) : tf.slice(mean, [0, start], [-1, size]),
    );
    return tf.concat(parts, 1) as Tensor2D;
  });
}

/** The likelihood's own mean of every value, blocks ignored. */
function ownMean(likelihood: Likelihood, output: Tensor2D): Tensor2D {
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
  return withCategorical({ likelihood, x, output, sign: -1, own: ownReconstructionLoss });
}

/** The likelihood's own reconstruction term over every value of x, blocks ignored. */
function ownReconstructionLoss({ likelihood, x, output }: { likelihood: Likelihood; x: Tensor2D; output: Tensor2D }): Tensor1D {
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

/**
 * Categorical log-likelihood per example: sum over the blocks of sum_j x_j log softmax(logits)_j, x one-hot (or
 * category probabilities) in each block.
 *
 * @example
 * const ll = categoricalLogLikelihood({ x, logits, blocks: [{ start: 2, size: 3 }] }); // [B]
 */
export function categoricalLogLikelihood({ x, logits, blocks }: { x: Tensor2D; logits: Tensor2D; blocks: CategoricalBlock[] }): Tensor1D {
  return tf.tidy(() => {
    const terms = blocks.map(({ start, size }) => tf.sum(tf.mul(tf.slice(x, [0, start], [-1, size]), tf.logSoftmax(tf.slice(logits, [0, start], [-1, size]))), 1));
    return (terms.length === 1 ? terms[0] : tf.addN(terms)) as Tensor1D;
  });
}

/** The columns of [0, d) in order: numeric runs between the blocks, and the blocks (`categorical`). */
export function segments(blocks: CategoricalBlock[], d: number): { start: number; size: number; categorical: boolean }[] {
  const out: { start: number; size: number; categorical: boolean }[] = [];
  let at = 0;
  for (const { start, size } of [...blocks].sort((a, b) => a.start - b.start)) {
    if (start < at || start + size > d) throw new Error(`likelihood.categorical: the block [${start}, ${start + size}) overlaps another or is outside the ${d} values`);
    if (start > at) out.push({ start: at, size: start - at, categorical: false });
    out.push({ start, size, categorical: true });
    at = start + size;
  }
  if (at < d) out.push({ start: at, size: d - at, categorical: false });
  return out;
}

/** The decoder outputs [B, D] that parameterize the mean: all of them, or the first half of a learned variance's. */
function meanHalf(likelihood: Likelihood, output: Tensor2D, d: number): Tensor2D {
  return likelihood.kind === 'gaussian' && likelihood.variance === 'learned' ? (tf.slice(output, [0, 0], [-1, d]) as Tensor2D) : output;
}

/**
 * A per-example term of a likelihood with categorical blocks: `own` on the numeric values alone (their x and their
 * outputs, both halves of a learned variance's), plus `sign` times the blocks' categorical log-likelihood. Without
 * blocks it is `own` itself.
 */
export function withCategorical(args: {
  likelihood: Likelihood;
  x: Tensor2D;
  output: Tensor2D;
  sign: 1 | -1;
  own: (a: { likelihood: Likelihood; x: Tensor2D; output: Tensor2D }) => Tensor1D;
}): Tensor1D {
  const { likelihood, x, output, sign, own } = args;
  const blocks = likelihood.categorical;
  if (!blocks?.length) return own({ likelihood, x, output });
  return tf.tidy(() => {
    const d = x.shape[1];
    const numeric = segments(blocks, d).filter((s) => !s.categorical);
    const pick = (t: Tensor2D, offset: number) => tf.concat(numeric.map(({ start, size }) => tf.slice(t, [0, offset + start], [-1, size])), 1) as Tensor2D;
    const learned = likelihood.kind === 'gaussian' && likelihood.variance === 'learned';
    const categorical = tf.mul(categoricalLogLikelihood({ x, logits: meanHalf(likelihood, output, d), blocks }), sign) as Tensor1D;
    if (numeric.length === 0) return categorical;
    const numericOutput = learned ? (tf.concat([pick(output, 0), pick(output, d)], 1) as Tensor2D) : pick(output, 0);
    return tf.add(own({ likelihood, x: pick(x, 0), output: numericOutput }), categorical) as Tensor1D;
  });
}
