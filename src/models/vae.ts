/** The Gaussian VAE: encoder to (mean, logVar), z = mean + exp(logVar / 2) * eps, decoder to p(x|z); loss = -ELBO or -IWAE bound. */
import { tf, fusedVaeForward, fusedVaeForwardAvailable, NoiseBuffer, STEP_ACTIVATIONS, type FusedElboSpec, type Rng, type StepLayer, type Tensor1D, type Tensor2D } from '../engine/index.js';
import { Dense, LEAKY_RELU_SLOPE, Mlp, type Block, type ForwardContext, type LayerSummary, type NamedVariable } from '../nn/index.js';
import {
  elbo,
  iwaeBound,
  klStandardNormal,
  logLikelihood,
  logNormalDiag,
  logStandardNormal,
  type LossTerms,
} from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { Encoded, LossContext, Model, ModelGraph } from './types.js';
import { buildDecoder, buildEncoder, decodeMean, Decoder, disposeAll, evalContext, PosteriorHeads, priorSample } from './parts.js';

export type VaeConfig = Extract<ModelConfig, { kind: 'vae' }>;

/**
 * A VAE with a log-variance head (seeds 002, 003) or a softplus-variance head (seed 004).
 *
 * @example
 * const vae = new Vae({ config, inputDim: 784, rng });
 * const { loss, reconstruction, kl } = vae.loss(x, { training: true, rng, klWeight: { kind: 'beta', beta: 1 } });
 */
export class Vae implements Model {
  readonly config: VaeConfig;
  readonly inputDim: number;
  readonly latentDim: number;
  readonly likelihood: VaeConfig['likelihood'];
  private readonly encoder: Block;
  private readonly heads: PosteriorHeads;
  private readonly decoder: Block;
  /** The layers as the fused kernels take them; null when the architecture has no fused form (computed once). */
  private netSpec?: FusedElboSpec | null;
  /** The fused forward pass's noise array, reused between batches. */
  private readonly noise = new NoiseBuffer();

  constructor({ config, inputDim, inputShape = [inputDim], rng }: { config: VaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    this.config = config;
    this.inputDim = inputDim;
    this.latentDim = config.latent;
    this.likelihood = config.likelihood;
    this.encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    this.heads = new PosteriorHeads({ inDim: this.encoder.outDim, latent: config.latent, variance: config.variance, rng });
    this.decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
  }

  encode(x: Tensor2D, ctx: ForwardContext = evalContext()): Required<Encoded> {
    return tf.tidy(() => {
      const h = this.encoder.apply(x, ctx);
      return this.heads.apply(h);
    });
  }

  reparameterize({ mean, logVar }: Encoded, rng: Rng): Tensor2D {
    if (!logVar) throw new Error('reparameterize needs logVar');
    return tf.tidy(() => {
      const eps = tf.tensor2d(rng.normalArray(mean.size), mean.shape); // [B, L]
      return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    });
  }

  decoderOutput(z: Tensor2D, ctx: ForwardContext = evalContext()): Tensor2D {
    return this.decoder.apply(z, ctx);
  }

  decode(z: Tensor2D): Tensor2D {
    return decodeMean(this.decoder, this.likelihood, z);
  }

  sample(n: number, rng: Rng): Tensor2D {
    return tf.tidy(() => this.decode(priorSample(n, this.latentDim, rng)));
  }

  reconstruct(x: Tensor2D): Tensor2D {
    const spec = this.fusedNetSpec();
    const fused = spec && fusedVaeForward({ spec, input: x, want: { recon: true } });
    if (fused?.recon) return fused.recon;
    return tf.tidy(() => this.decode(this.encode(x).mean));
  }

  /**
   * One pass as PyTorch's `model(x)`: encode, draw z = mean + exp(logVar / 2) eps, decode. Returns the decoded means
   * [B, D] and the posterior's mean and log-variance [B, L]. On the native backend an MLP VAE with a Bernoulli
   * likelihood runs it as one kernel; the draws are the same either way.
   *
   * @example
   * const { recon, mean, logVar } = vae.forward(x, rng);
   */
  forward(x: Tensor2D, rng: Rng): { recon: Tensor2D; mean: Tensor2D; logVar: Tensor2D } {
    const spec = this.fusedNetSpec();
    if (spec) {
      const eps = this.noise.draw(rng, x.shape[0], this.latentDim); // [B, L]
      const fused = fusedVaeForward({ spec, input: x, eps, want: { recon: true, posterior: true } });
      eps.dispose();
      if (fused?.recon && fused.mean && fused.logVar) return { recon: fused.recon, mean: fused.mean, logVar: fused.logVar };
      throw new Error('forward: the fused kernel returned no output');
    }
    return tf.tidy(() => {
      const { mean, logVar } = this.encode(x);
      return { recon: this.decode(this.reparameterize({ mean, logVar }, rng)), mean, logVar };
    });
  }

  /**
   * Per-example loss terms. With the `elbo` objective: the negative ELBO, its reconstruction term and analytic KL.
   * With `iwae`: `loss` is the negative IWAE bound from k samples of z per example; `reconstruction` is -log p(x|z)
   * averaged over those k samples and `kl` the analytic KL, so `reconstruction + kl` is the negative ELBO (estimated
   * from the same samples) and `reconstruction + kl - loss` is how much tighter the IWAE bound is.
   */
  loss(x: Tensor2D, ctx: LossContext): LossTerms {
    if (this.config.objective.kind === 'iwae') return this.iwaeLoss(x, ctx, this.config.objective.k);
    const { klWeight } = ctx;
    const spec = !ctx.training && klWeight.kind === 'beta' && this.fusedElboSpec() ? this.fusedNetSpec() : undefined;
    if (spec) {
      // Evaluation: the whole forward pass and the terms as one kernel where the backend has it (no gradient).
      const eps = this.noise.draw(ctx.rng, x.shape[0], this.latentDim); // [B, L]
      const fused = fusedVaeForward({ spec, input: ctx.input ?? x, x, eps, beta: (klWeight as { beta: number }).beta, want: { terms: true } });
      eps.dispose();
      if (fused?.terms) return fused.terms;
      throw new Error('loss: the fused kernel returned no output'); // its availability was checked: never silently draw twice
    }
    return tf.tidy(() => {
      const { mean, logVar } = this.encode(ctx.input ?? x, ctx);
      const z = this.reparameterize({ mean, logVar }, ctx.rng);
      const output = this.decoderOutput(z, ctx);
      return elbo({
        likelihood: this.likelihood,
        x,
        output,
        mean,
        logVar,
        weight: klWeight,
        reconstructionReduction: this.config.reconstructionReduction,
      });
    }) as LossTerms;
  }

  fusedElboSpec(): FusedElboSpec | undefined {
    const { objective, reconstructionReduction } = this.config;
    if (reconstructionReduction === 'mean') return undefined;
    const spec = this.layerSpec();
    // The IWAE objective: the same layers, k samples per example (iwaeLoss draws its noise in the kernel's row order).
    return spec && objective.kind === 'iwae' ? { ...spec, iwaeK: objective.k } : spec;
  }

  /** The layers as the fused kernels take them, whatever the objective: Dense-only MLPs and a Bernoulli decoder. */
  private layerSpec(): FusedElboSpec | undefined {
    if (this.netSpec === undefined) this.netSpec = this.buildNetSpec() ?? null;
    return this.netSpec ?? undefined;
  }

  /** {@link layerSpec} when the active backend has the forward-pass kernel, else undefined. */
  private fusedNetSpec(): FusedElboSpec | undefined {
    return fusedVaeForwardAvailable() ? this.layerSpec() : undefined;
  }

  private buildNetSpec(): FusedElboSpec | undefined {
    if (this.likelihood.kind !== 'bernoulli' || !(this.decoder instanceof Decoder)) return undefined;
    const encoder = denseLayers(this.encoder);
    const decoder = denseLayers(this.decoder.mlp);
    const [mean, variance, output] = [this.heads.mean, this.heads.variance, this.decoder.out].map(stepLayer);
    if (!encoder || !decoder || !mean || !variance || !output) return undefined;
    return { encoder, mean, variance, varianceKind: this.config.variance, decoder, output, leakySlope: LEAKY_RELU_SLOPE };
  }

  private iwaeLoss(x: Tensor2D, ctx: ForwardContext, k: number): LossTerms {
    return tf.tidy(() => {
      const b = x.shape[0];
      const { mean, logVar } = this.encode(ctx.input ?? x, ctx); // [B, L]
      // Sample s of example i sits in row s * B + i.
      const meanK = tf.tile(mean, [k, 1]) as Tensor2D; // [k*B, L]
      const logVarK = tf.tile(logVar, [k, 1]) as Tensor2D; // [k*B, L]
      const z = this.reparameterize({ mean: meanK, logVar: logVarK }, ctx.rng); // [k*B, L]
      const output = this.decoderOutput(z, ctx); // [k*B, D']
      const xK = tf.tile(x, [k, 1]) as Tensor2D; // [k*B, D]
      const logPxz = logLikelihood({ likelihood: this.likelihood, x: xK, output }); // [k*B]
      const logW = tf.sub(tf.add(logPxz, logStandardNormal({ z })), logNormalDiag({ z, mean: meanK, logVar: logVarK })); // [k*B]
      const bound = iwaeBound({ logWeights: tf.reshape(logW, [k, b]) as Tensor2D }); // [B]
      const reconstruction = tf.neg(tf.mean(tf.reshape(logPxz, [k, b]), 0)) as Tensor1D; // [B]
      return { loss: tf.neg(bound) as Tensor1D, reconstruction, kl: klStandardNormal({ mean, logVar }) };
    }) as LossTerms;
  }

  variables(): NamedVariable[] {
    return [...this.encoder.variables(), ...this.heads.variables(), ...this.decoder.variables()];
  }

  summary(): LayerSummary[] {
    return [...this.encoder.summary(), ...this.heads.summary(), ...this.decoder.summary()];
  }

  graph(): ModelGraph {
    return { encoder: this.encoder.graph(), heads: this.heads.graph(), decoder: this.decoder.graph() };
  }

  dispose(): void {
    disposeAll(this.variables());
  }
}

/** A Dense layer as the whole-step kernel takes it, if its activation is one the kernel knows. */
function stepLayer(d: Dense): StepLayer | undefined {
  const activation = STEP_ACTIVATIONS.find((a) => a === d.activation);
  return activation && { kernel: d.kernel, bias: d.bias, activation };
}

/** The layers of an MLP made of Dense layers alone (no BatchNorm, dropout or separate activation), else undefined. */
function denseLayers(block: Block): StepLayer[] | undefined {
  if (!(block instanceof Mlp)) return undefined;
  const layers = block.blocks.map((b) => (b instanceof Dense ? stepLayer(b) : undefined));
  return layers.every((l) => l !== undefined) ? (layers as StepLayer[]) : undefined;
}
