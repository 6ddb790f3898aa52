/** Importance weights and the IWAE bound (Burda et al. 2015), per example: log p(x|z) + log p(z) - log q(z|x) and log-mean-exp. */
import { tf, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { stopGradient } from './stop-gradient.js';
import { bernoulliLogLikelihood, gaussianLogLikelihood, withCategorical, type Likelihood } from './likelihood.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * log N(z; mean, diag(exp(logVar))) per row, summed over the latent dimensions. `logVar` is a [N, L] tensor or one
 * number for every entry (the poor man's VAE's fixed noise).
 *
 * @example
 * const logQ = logNormalDiag({ z, mean, logVar }); // [N]
 */
export function logNormalDiag({ z, mean, logVar }: { z: Tensor2D; mean: Tensor2D; logVar: Tensor2D | number }): Tensor1D {
  return gaussianLogLikelihood({ x: z, mean, logVar });
}

/**
 * log N(z; 0, I) per row: the prior's log-density.
 *
 * @example
 * const logPz = logStandardNormal({ z }); // [N]
 */
export function logStandardNormal({ z }: { z: Tensor2D }): Tensor1D {
  return tf.tidy(() => tf.add(tf.mul(tf.sum(tf.square(z), 1), -0.5), -0.5 * z.shape[1] * LOG_2PI) as Tensor1D);
}

/**
 * The normalized log-likelihood log p(x|z) per example, read from the decoder output (a categorical block's term is
 * its softmax log-probability of the category; see `Likelihood.categorical`).
 * `squared-error` is taken as the Gaussian it is proportional to: variance 1/2, so log p = -SSE - (D/2) log(pi);
 * `bernoulli` is a normalized density only for binary x (grey levels give a number, but not a log-probability).
 *
 * @example
 * const logPxz = logLikelihood({ likelihood, x, output }); // [N]
 */
export function logLikelihood({ likelihood, x, output }: { likelihood: Likelihood; x: Tensor2D; output: Tensor2D }): Tensor1D {
  return withCategorical({ likelihood, x, output, sign: 1, own: ownLogLikelihood });
}

/** The likelihood's own normalized log-likelihood over every value of x, categorical blocks ignored. */
function ownLogLikelihood({ likelihood, x, output }: { likelihood: Likelihood; x: Tensor2D; output: Tensor2D }): Tensor1D {
  return tf.tidy(() => {
    const meanOf = (t: Tensor2D, fn: 'linear' | 'sigmoid') => (fn === 'sigmoid' ? tf.sigmoid(t) : t);
    switch (likelihood.kind) {
      case 'bernoulli':
        return bernoulliLogLikelihood({ x, logits: output });
      case 'squared-error':
        return gaussianLogLikelihood({ x, mean: meanOf(output, likelihood.meanActivation), logVar: Math.log(0.5) });
      case 'gaussian': {
        if (likelihood.variance === 'learned') {
          const d = output.shape[1] / 2;
          const [mean, logVar] = tf.split(output, [d, d], 1) as [Tensor2D, Tensor2D]; // [N, D] each
          return gaussianLogLikelihood({ x, mean: meanOf(mean, likelihood.meanActivation), logVar });
        }
        return gaussianLogLikelihood({ x, mean: meanOf(output, likelihood.meanActivation), logVar: Math.log(likelihood.variance) });
      }
    }
  });
}

/**
 * The density log p(x|z) the NLL estimate uses for `likelihood`, in words, for `eval --json` (`nllDensity`) and the
 * model format doc: the training loss of `squared-error` is the summed squared error alone, and the NLL adds
 * (D/2) log(pi), the normalizer of the Gaussian of variance 1/2 that the squared error is -log of.
 *
 * @example
 * nllDensity({ kind: 'squared-error', meanActivation: 'linear' }); // 'N(x; mean, 1/2): -log p(x|z) = sum (x - mean)^2 + (D/2) log(pi) ...'
 */
export function nllDensity(likelihood: Likelihood): string {
  const own = (() => {
    switch (likelihood.kind) {
      case 'bernoulli':
        return 'Bernoulli(x; sigmoid(logits)): -log p(x|z) = sum softplus(l) - x l (a normalized density for binary x only)';
      case 'squared-error':
        return 'N(x; mean, 1/2) per value: -log p(x|z) = sum (x - mean)^2 + (D/2) log(pi), the summed squared error the training loss reports plus the Gaussian normalizer';
      case 'gaussian':
        return `N(x; mean, ${likelihood.variance === 'learned' ? 'the decoded variance' : likelihood.variance}) per value: -log p(x|z) = sum ((x - mean)^2 / var + log var + log 2 pi) / 2`;
    }
  })();
  const blocks = likelihood.categorical?.length;
  return blocks ? `${own}, over the numeric values; each of the ${blocks} categorical column(s): -log softmax(logits) of its category` : own;
}

/**
 * The log importance weight log w = log p(x|z) + log p(z) - log q(z|x) of each row, z drawn from q(z|x) = N(mean, exp(logVar)).
 * Rows are independent: callers tile x and the posterior to evaluate k samples per example.
 *
 * @example
 * const logW = logImportanceWeights({ likelihood, x, output: model.decoderOutput(z), z, mean, logVar }); // [N]
 */
export function logImportanceWeights(args: {
  likelihood: Likelihood;
  x: Tensor2D;
  output: Tensor2D;
  z: Tensor2D;
  mean: Tensor2D;
  logVar: Tensor2D | number;
}): Tensor1D {
  return tf.tidy(
    () => tf.sub(tf.add(logLikelihood(args), logStandardNormal(args)), logNormalDiag({ z: args.z, mean: args.mean, logVar: args.logVar })) as Tensor1D,
  );
}

/**
 * The IWAE bound per example from log-weights [k, B] (k samples of each of B examples):
 * L_k = log (1/k) sum_s w_s, computed as logSumExp over s minus log k. L_1 is the ELBO; L_k rises to log p(x) as k grows.
 *
 * @example
 * const bound = iwaeBound({ logWeights }); // [B]; the training loss is its negative
 */
export function iwaeBound({ logWeights }: { logWeights: Tensor2D }): Tensor1D {
  return tf.tidy(() => tf.sub(tf.logSumExp(logWeights, 0), Math.log(logWeights.shape[0])) as Tensor1D);
}

/**
 * The MIWAE bound per example from log-weights [m k, B] (group g holding samples g k .. g k + k - 1): the mean over
 * the m groups of each group's IWAE bound of k samples; m = 1 is the IWAE bound, k = 1 the ELBO's estimate.
 *
 * @example
 * const bound = miwaeBound({ logWeights, m: 8 }); // [B]
 */
export function miwaeBound({ logWeights, m }: { logWeights: Tensor2D; m: number }): Tensor1D {
  return tf.tidy(() => {
    const [n, b] = logWeights.shape;
    const k = n / m;
    const groups = tf.reshape(logWeights, [m, k, b]); // [m, k, B]
    return tf.mean(tf.sub(tf.logSumExp(groups, 1), Math.log(k)), 0) as Tensor1D;
  });
}

/**
 * PIWAE's training objective (Rainforth et al. 2018) per example, as one surrogate whose value is the IWAE bound of
 * all m k samples and whose gradients are split: IWAE(w_dec) + MIWAE(w) - MIWAE(w_dec), where `logWeights` w are
 * computed with gradients to both networks and `decoderLogWeights` w_dec (the same values) from z, mean and logVar
 * passed through stopGradient, so only the decoder's parameters reach them. The decoder's gradient is then IWAE's
 * (the MIWAE terms cancel on it) and the encoder's MIWAE's (w_dec has none for it).
 *
 * @example
 * const bound = piwaeBound({ logWeights, decoderLogWeights, m: 8 }); // [B]; loss = -bound
 */
export function piwaeBound({ logWeights, decoderLogWeights, m }: { logWeights: Tensor2D; decoderLogWeights: Tensor2D; m: number }): Tensor1D {
  return tf.tidy(() => {
    const iwae = iwaeBound({ logWeights: decoderLogWeights });
    return tf.add(iwae, tf.sub(miwaeBound({ logWeights, m }), miwaeBound({ logWeights: decoderLogWeights, m }))) as Tensor1D;
  });
}

/** An importance-weighted objective as the bound functions take it (the config's `model.objective` other than `elbo`). */
export type ImportanceObjective = { kind: 'iwae'; k: number } | { kind: 'miwae' | 'piwae'; k: number; m: number } | { kind: 'ciwae'; k: number; beta: number };

/**
 * The bound per example that `objective` trains on, from log-weights [n, B] (n = k, or m k for MIWAE and PIWAE; sample
 * s of example i in row s): IWAE's log-mean-exp, MIWAE's mean over m groups, CIWAE's beta (mean log w) + (1 - beta)
 * IWAE, and PIWAE's split surrogate, whose `decoderLogWeights` (the same values without the encoder's gradient)
 * default to `logWeights` where no gradient is taken, making its value the IWAE bound of all m k samples.
 *
 * @example
 * const bound = importanceWeightedBound({ objective: { kind: 'iwae', k: 50 }, logWeights }); // [B]; loss = -bound
 */
export function importanceWeightedBound({ objective, logWeights, decoderLogWeights }: { objective: ImportanceObjective; logWeights: Tensor2D; decoderLogWeights?: Tensor2D }): Tensor1D {
  return tf.tidy(() => {
    switch (objective.kind) {
      case 'iwae':
        return iwaeBound({ logWeights });
      case 'miwae':
        return miwaeBound({ logWeights, m: objective.m });
      case 'piwae':
        return piwaeBound({ logWeights, decoderLogWeights: decoderLogWeights ?? logWeights, m: objective.m });
      case 'ciwae':
        return tf.add(tf.mul(tf.mean(logWeights, 0), objective.beta), tf.mul(iwaeBound({ logWeights }), 1 - objective.beta)) as Tensor1D;
    }
  });
}
