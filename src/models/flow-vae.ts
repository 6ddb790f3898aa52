/** The VAE whose posterior is a normalizing flow of the Gaussian sample: planar, radial (Rezende & Mohamed 2015) or IAF (Kingma et al. 2016). */
import { tf, type Rng, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { klPenalty, logLikelihood, logNormalDiag, logStandardNormal, reconstructionLoss, type LossTerms } from '../objectives/index.js';
import { Dense, type ForwardContext, type LayerSummary, type NamedVariable } from '../nn/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { flowVaeConfig } from './flow-vae.config.js';
import { GaussianModel } from './gaussian.js';
import { evalContext, gaussianReparameterize } from './parts.js';
import { Flow } from './flows.js';

export type FlowVaeConfig = Extract<ModelConfig, { kind: 'flow-vae' }>;

/** One draw through the flow: the base posterior, z_0, z_K and log q(z_K|x) = log q(z_0|x) - sum log |det|. */
interface FlowDraw {
  mean: Tensor2D; // [N, L]
  logVar: Tensor2D; // [N, L]
  zK: Tensor2D; // [N, L]
  logQ: Tensor1D; // [N]
}

/**
 * q(z|x): z_0 ~ N(mean, var) from the encoder, z_K = f_K(...f_1(z_0)), log q(z_K|x) = log q(z_0|x) - sum_k log |det
 * df_k/dz|. loss = reconstruction of x from z_K + beta (log q(z_K|x) - log p(z_K)), one draw per example (`kl`
 * reports the sampled KL). Planar and radial parameters are learned and shared by all examples; an IAF step's MADE
 * also reads a context vector h that a Dense head (`encoder.context`) computes from the encoder's features.
 * `reconstruct` decodes the flowed mean f(mean); the NLL estimator weighs by the flowed density (`logWeights`).
 *
 * @example
 * const m = new FlowVae({ config, inputDim: 784, rng }); // config.flow = { kind: 'planar', steps: 10 }
 */
export class FlowVae extends GaussianModel<FlowVaeConfig> {
  readonly flow: Flow;
  /** The IAF context head on the encoder's features; undefined for planar and radial flows. */
  readonly context: Dense | undefined;

  constructor(args: { config: FlowVaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    super(args);
    const { config, rng } = args;
    const flow = config.flow;
    this.context = flow.kind === 'iaf' ? new Dense({ name: 'encoder.context', inDim: this.encoder.outDim, outDim: flow.context, rng, activation: 'elu' }) : undefined;
    this.flow = new Flow({ config: flow, latent: config.latent, rng });
  }

  /** The base posterior's parameters and the context h, [B, L] each and [B, C]. */
  private posterior(x: Tensor2D, ctx: ForwardContext): { mean: Tensor2D; logVar: Tensor2D; h?: Tensor2D } {
    return tf.tidy(() => {
      const features = this.encoder.apply(x, ctx); // [B, H]
      const { mean, logVar } = this.heads.apply(features);
      return { mean, logVar, ...(this.context && { h: this.context.apply(features) }) };
    });
  }

  /** `copies` draws per example (draw s of example i in row s * B + i), each through the flow. */
  private draw(x: Tensor2D, ctx: ForwardContext, copies = 1): FlowDraw {
    return tf.tidy(() => {
      const q = this.posterior(x, ctx);
      const tile = (t: Tensor2D) => (copies === 1 ? t : (tf.tile(t, [copies, 1]) as Tensor2D)); // [B, *] -> [copies*B, *]
      const [mean, logVar] = [tile(q.mean), tile(q.logVar)];
      const z0 = gaussianReparameterize({ mean, logVar }, ctx.rng); // [N, L]
      const { z: zK, logDet } = this.flow.forward(z0, q.h && tile(q.h));
      return { mean, logVar, zK, logQ: tf.sub(logNormalDiag({ z: z0, mean, logVar }), logDet) as Tensor1D };
    }) as FlowDraw;
  }

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { zK, logQ } = this.draw(ctx.input ?? x, ctx);
      const reconstruction = reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(zK, ctx) });
      const kl = tf.sub(logQ, logStandardNormal({ z: zK })) as Tensor1D;
      return { loss: tf.add(reconstruction, klPenalty({ kl, weight: ctx.klWeight })) as Tensor1D, reconstruction, kl };
    }) as LossTerms;
  }

  /** z_K for z_0 = the posterior mean: the flowed code the deterministic reconstruction decodes. */
  flowedMean(x: Tensor2D): Tensor2D {
    return tf.tidy(() => {
      const q = this.posterior(x, evalContext());
      return this.flow.forward(q.mean, q.h).z;
    });
  }

  override reconstruct(x: Tensor2D): Tensor2D {
    return tf.tidy(() => this.decode(this.flowedMean(x)));
  }

  logWeights(x: Tensor2D, k: number, rng: Rng): Tensor2D {
    return tf.tidy(() => {
      const b = x.shape[0];
      const { zK, logQ } = this.draw(x, { ...evalContext(), rng }, k); // [k*B, L], [k*B]
      const logPxz = logLikelihood({ likelihood: this.likelihood, x: tf.tile(x, [k, 1]) as Tensor2D, output: this.decoderOutput(zK) }); // [k*B]
      return tf.reshape(tf.sub(tf.add(logPxz, logStandardNormal({ z: zK })), logQ), [k, b]) as Tensor2D; // [k, B]
    });
  }

  override variables(): NamedVariable[] {
    return [...super.variables(), ...(this.context?.variables() ?? []), ...this.flow.variables()];
  }

  override summary(): LayerSummary[] {
    return [...super.summary(), ...(this.context?.summary() ?? []), ...this.flow.summary()];
  }

  override dispose(): void {
    super.dispose();
    this.flow.dispose();
  }
}

/** The flow-vae kind's registry entry: its config and facts (flow-vae.config.ts) and its model. */
export const flowVaeKind: ModelKindEntry<FlowVaeConfig> = { ...flowVaeConfig, build: (args) => new FlowVae(args) };
