/** The approximate posterior q(z|x) = N(mean, exp(logVar)) of a model, for estimators that need its density. */
import { tf, type Tensor2D } from '../engine/index.js';
import { evalContext, type Model } from '../models/index.js';
import { UsageError } from '../errors.js';

/** q(z|x) per example: a [B, L] mean and a [B, L] log-variance, or one log-variance for every entry. */
export interface Posterior {
  mean: Tensor2D; // [B, L]
  logVar: Tensor2D | number; // [B, L], or fixed
}

/**
 * The Gaussian posterior of a VAE (its mean and log-variance heads), of a conditional VAE (q(z|x, y), given the rows'
 * `labels`) or of the poor man's VAE (the code, with the fixed noise variance noise^2). An autoencoder has no
 * posterior: a UsageError says so. Evaluation mode.
 *
 * @example
 * const { mean, logVar } = posterior(model, x); // dispose mean (and logVar when it is a tensor)
 */
export function posterior(model: Model, x: Tensor2D, labels?: Int32Array): Posterior {
  const config = model.config;
  switch (config.kind) {
    case 'vae':
    case 'cvae': {
      const { mean, logVar } = model.encode(x, { ...evalContext(), ...(labels && { labels }) });
      if (!logVar) throw new Error('a VAE encoder returned no logVar');
      return { mean, logVar };
    }
    case 'poor-man-vae':
      if (config.noise <= 0) throw new UsageError('the poor man\'s VAE has noise 0: q(z|x) is a point mass and has no density, so there is no likelihood estimate');
      return { mean: model.encode(x).mean, logVar: 2 * Math.log(config.noise) };
    case 'autoencoder':
      throw noPosterior();
  }
}

function noPosterior(): UsageError {
  return new UsageError("an autoencoder has no posterior q(z|x) or prior: the importance-sampled log-likelihood and active units need a VAE or a poor man's VAE");
}

/** Disposes a posterior's tensors. */
export function disposePosterior(q: Posterior): void {
  tf.dispose(typeof q.logVar === 'number' ? [q.mean] : [q.mean, q.logVar]);
}

/** Throws the autoencoder's UsageError up front, before any work. */
export function requirePosterior(model: Model): void {
  if (model.config.kind === 'autoencoder') throw noPosterior();
}
