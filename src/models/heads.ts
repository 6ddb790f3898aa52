/** The heads between the encoder trunk and the code: the autoencoder's code layer and the Gaussian posterior's mean and variance. */
import { tf, type Rng, type Tensor2D } from '../engine/index.js';
import { Dense, type Activation, type GraphOp, type LayerSummary, type NamedVariable } from '../nn/index.js';

/**
 * The deterministic code head of the autoencoder and the poor man's VAE: one Dense layer `encoder.code`.
 *
 * @example
 * const head = new CodeHead({ inDim: 400, latent: 2, rng }); // head.apply(h).mean: [B, 2]
 */
export class CodeHead {
  readonly code: Dense;

  constructor(opts: { inDim: number; latent: number; rng: Rng; activation?: Activation }) {
    this.code = new Dense({ name: 'encoder.code', inDim: opts.inDim, outDim: opts.latent, rng: opts.rng, ...(opts.activation && { activation: opts.activation }) });
  }

  apply(h: Tensor2D): { mean: Tensor2D } {
    return { mean: this.code.apply(h) };
  }

  variables(): NamedVariable[] {
    return this.code.variables();
  }

  summary(): LayerSummary[] {
    return this.code.summary();
  }

  graph(): { mean: GraphOp[] } {
    return { mean: this.code.graph() };
  }
}

/**
 * The Gaussian posterior's two heads on the encoder's features: the mean, and the variance read as a log-variance
 * (seeds 002, 003) or through softplus as a variance (seed 004). Shared by the VAE and the conditional VAE.
 *
 * @example
 * const heads = new PosteriorHeads({ inDim: 400, latent: 20, variance: 'logVar', rng });
 * const { mean, logVar } = heads.apply(h); // [B, L] each
 */
export class PosteriorHeads {
  readonly mean: Dense;
  readonly variance: Dense;
  readonly kind: 'logVar' | 'softplus';

  constructor(opts: { inDim: number; latent: number; variance: 'logVar' | 'softplus'; rng: Rng }) {
    this.kind = opts.variance;
    this.mean = new Dense({ name: 'encoder.mean', inDim: opts.inDim, outDim: opts.latent, rng: opts.rng });
    const name = opts.variance === 'softplus' ? 'encoder.variance' : 'encoder.logVar';
    this.variance = new Dense({ name, inDim: opts.inDim, outDim: opts.latent, rng: opts.rng });
  }

  apply(h: Tensor2D): { mean: Tensor2D; logVar: Tensor2D } {
    return tf.tidy(() => {
      const raw = this.variance.apply(h);
      // Seed 004 reads the head through softplus as a variance; its log is the log-variance.
      return { mean: this.mean.apply(h), logVar: this.kind === 'softplus' ? tf.log(tf.softplus(raw)) : raw };
    });
  }

  variables(): NamedVariable[] {
    return [...this.mean.variables(), ...this.variance.variables()];
  }

  summary(): LayerSummary[] {
    return [...this.mean.summary(), ...this.variance.summary()];
  }

  graph(): { mean: GraphOp[]; logVar: GraphOp[] } {
    const variance = this.variance.graph();
    const logVar: GraphOp[] = this.kind === 'softplus' ? [...variance, { op: 'activation', fn: 'softplus' }, { op: 'log' }] : variance;
    return { mean: this.mean.graph(), logVar };
  }
}
