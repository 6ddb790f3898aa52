/** The VAE with the VampPrior (Tomczak & Welling 2018): p(z) is the mixture of the encoder's posteriors at K learned pseudo-inputs. */
import { tf, makeVariable, type Rng, type Tensor1D, type Tensor2D, type Variable } from '../engine/index.js';
import { klPenalty, logLikelihood, logMixtureNormal, logNormalDiag, type LossTerms } from '../objectives/index.js';
import type { ForwardContext, LayerSummary, NamedVariable } from '../nn/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { vampPriorConfig } from './vamp-prior.config.js';
import { UsageError } from '../errors.js';
import { GaussianModel } from './gaussian.js';
import { evalContext, gaussianReparameterize } from './parts.js';

export type VampPriorConfig = Extract<ModelConfig, { kind: 'vamp-prior' }>;

/** The pseudo-inputs' initial values: N(0.05, 0.01^2) per value, as the authors' code for binary MNIST. */
const INIT_MEAN = 0.05;
const INIT_STD = 0.01;

/**
 * loss = reconstruction + beta (log q(z|x) - log p(z)), one z ~ q(z|x) per example, with the VampPrior
 * p(z) = (1/K) sum_k q(z|u_k): the KL to a mixture has no closed form, so it is this single-sample Monte Carlo
 * estimate (`kl` reports it). The pseudo-inputs u_k [K, D] are weights like any other, started from N(0.05, 0.01^2)
 * or from training examples (`pseudoInputInit`); for a Bernoulli decoder (data in [0, 1]) they are clipped to [0, 1]
 * where the encoder reads them (the authors' hard-tanh). Sampling draws a component, then z from it; the NLL
 * estimator weighs by the mixture prior (`logWeights`).
 *
 * @example
 * const m = new VampPrior({ config, inputDim: 784, rng }); // config.pseudoInputs = 500
 */
export class VampPrior extends GaussianModel<VampPriorConfig> {
  /** The pseudo-inputs u_k, [K, D] row-major. */
  readonly pseudoInputs: Variable;

  constructor(args: { config: VampPriorConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    super(args);
    const { config, inputDim, rng } = args;
    const k = config.pseudoInputs;
    this.pseudoInputs = makeVariable(Float32Array.from(rng.normalArray(k * inputDim), (e) => INIT_MEAN + INIT_STD * e), [k, inputDim], true);
  }

  /** With `pseudoInputInit: 'data'`, sets u_1..u_K to K training examples drawn at random (with replacement when there are fewer than K). */
  initFromData(x: Float32Array | undefined, rng: Rng): void {
    if (this.config.pseudoInputInit !== 'data') return;
    const d = this.inputDim;
    if (!x) throw new UsageError("model.pseudoInputInit 'data': streamed training data is not in memory to draw pseudo-inputs from; use 'random'");
    const n = x.length / d;
    const k = this.config.pseudoInputs;
    const rows = n >= k ? rng.permutation(n).subarray(0, k) : Int32Array.from({ length: k }, () => rng.int(n));
    const u = new Float32Array(k * d); // [K, D]
    rows.forEach((r, i) => u.set(x.subarray(r * d, (r + 1) * d), i * d));
    tf.tidy(() => this.pseudoInputs.assign(tf.tensor2d(u, [k, d])));
  }

  /** The prior's components q(z|u_k): means and log-variances [K, L]. BatchNorm statistics are not updated from them. */
  prior(ctx: ForwardContext = evalContext()): { mean: Tensor2D; logVar: Tensor2D } {
    return tf.tidy(() => {
      const u = this.likelihood.kind === 'bernoulli' ? (tf.clipByValue(this.pseudoInputs, 0, 1) as Tensor2D) : (this.pseudoInputs as unknown as Tensor2D); // [K, D]
      const { mean, logVar } = this.heads.apply(this.encoder.apply(u, { training: ctx.training, rng: ctx.rng }));
      return { mean, logVar };
    });
  }

  /** log p(z) under the mixture prior, per row of z [N, L]. */
  logPrior(z: Tensor2D, ctx?: ForwardContext): Tensor1D {
    return tf.tidy(() => {
      const { mean, logVar } = this.prior(ctx);
      return logMixtureNormal({ z, means: mean, logVars: logVar });
    });
  }

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { mean, logVar, z, reconstruction } = this.pass(x, ctx);
      const kl = tf.sub(logNormalDiag({ z, mean, logVar }), this.logPrior(z, ctx)) as Tensor1D;
      return { loss: tf.add(reconstruction, klPenalty({ kl, weight: ctx.klWeight })) as Tensor1D, reconstruction, kl };
    }) as LossTerms;
  }

  override sample(n: number, rng: Rng): Tensor2D {
    return tf.tidy(() => {
      const prior = this.prior();
      const pick = tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(this.config.pseudoInputs)), 'int32'); // [n]
      const z = gaussianReparameterize({ mean: tf.gather(prior.mean, pick), logVar: tf.gather(prior.logVar, pick) }, rng); // [n, L]
      return this.decode(z);
    });
  }

  logWeights(x: Tensor2D, k: number, rng: Rng): Tensor2D {
    return tf.tidy(() => {
      const b = x.shape[0];
      const { mean, logVar } = this.encode(x); // [B, L]
      // Draw s of example i sits in row s * B + i.
      const meanK = tf.tile(mean, [k, 1]) as Tensor2D; // [k*B, L]
      const logVarK = tf.tile(logVar, [k, 1]) as Tensor2D; // [k*B, L]
      const z = gaussianReparameterize({ mean: meanK, logVar: logVarK }, rng); // [k*B, L]
      const logPxz = logLikelihood({ likelihood: this.likelihood, x: tf.tile(x, [k, 1]) as Tensor2D, output: this.decoderOutput(z) }); // [k*B]
      const logW = tf.sub(tf.add(logPxz, this.logPrior(z)), logNormalDiag({ z, mean: meanK, logVar: logVarK })); // [k*B]
      return tf.reshape(logW, [k, b]) as Tensor2D;
    });
  }

  override variables(): NamedVariable[] {
    return [...super.variables(), { name: 'prior.pseudoInputs', variable: this.pseudoInputs, trainable: true }];
  }

  override summary(): LayerSummary[] {
    return [...super.summary(), { name: 'prior.pseudoInputs', type: 'PseudoInputs', outputShape: [...this.pseudoInputs.shape], params: this.pseudoInputs.size }];
  }
}

/** The vamp-prior kind's registry entry: its config and facts (vamp-prior.config.ts) and its model. */
export const vampPriorKind: ModelKindEntry<VampPriorConfig> = { ...vampPriorConfig, build: (args) => new VampPrior(args) };
