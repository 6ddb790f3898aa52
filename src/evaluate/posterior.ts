/** The approximate posterior q(z|x) = N(mean, exp(logVar)) of a model, for estimators that need its density. */
import { tf, type Tensor2D } from '../engine/index.js';
import { evalContext, modelKind, type Model } from '../models/index.js';
import { UsageError } from '../errors.js';

/** q(z|x) per example: a [B, L] mean and a [B, L] log-variance, or one log-variance for every entry. */
export interface Posterior {
  mean: Tensor2D; // [B, L]
  logVar: Tensor2D | number; // [B, L], or fixed
}

/**
 * The Gaussian posterior of a model whose registry entry has one (the VAE; the conditional VAE's q(z|x, y), given the
 * rows' `labels`; the zoo's Gaussian-encoder kinds) or of the poor man's VAE (the code, with the fixed noise variance
 * noise^2). A deterministic code (autoencoder, WAE, RAE) has no posterior density: a UsageError says so. Evaluation mode.
 *
 * @example
 * const { mean, logVar } = posterior(model, x); // dispose mean (and logVar when it is a tensor)
 */
export function posterior(model: Model, x: Tensor2D, labels?: Int32Array): Posterior {
  const config = model.config;
  switch (modelKind(config.kind).posterior) {
    case 'gaussian': {
      const { mean, logVar } = model.encode(x, { ...evalContext(), ...(labels && { labels }) });
      if (!logVar) throw new Error(`a ${config.kind} encoder returned no logVar`);
      return { mean, logVar };
    }
    case 'noisy-code': {
      const noise = (config as { noise: number }).noise;
      if (noise <= 0) throw new UsageError(`the ${config.kind} model has noise 0: q(z|x) is a point mass and has no density, so there is no likelihood estimate`);
      return { mean: model.encode(x).mean, logVar: 2 * Math.log(noise) };
    }
    case 'none':
      throw noPosterior(config.kind);
  }
}

function noPosterior(kind: string): UsageError {
  return new UsageError(`the ${kind} model has no posterior q(z|x), its code is deterministic: the importance-sampled log-likelihood and active units need a model with one (vae, cvae, poor-man-vae, beta-tcvae, dip-vae, info-vae, vamp-prior, flow-vae, hierarchical-vae)`);
}

/** Disposes a posterior's tensors. */
export function disposePosterior(q: Posterior): void {
  tf.dispose(typeof q.logVar === 'number' ? [q.mean] : [q.mean, q.logVar]);
}

/** Throws the autoencoder's UsageError up front, before any work. */
export function requirePosterior(model: Model): void {
  if (modelKind(model.config.kind).posterior === 'none') throw noPosterior(model.config.kind);
}
