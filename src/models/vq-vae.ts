/** VQ-VAE (van den Oord et al. 2017): the encoder's output split into vectors, each replaced by its nearest codebook entry; straight-through gradients, a commitment loss and an EMA codebook with dead-code restarts. */
import { tf, makeVariable, type Rng, type Tensor1D, type Tensor2D, type Variable } from '../engine/index.js';
import { Dense, type ForwardContext, type GraphOp, type LayerSummary, type NamedVariable, type StatUpdate } from '../nn/index.js';
import { commitmentLoss, emaUpdate, nearestCode, quantize, reconstructionLoss, type LossTerms } from '../objectives/index.js';
import type { ModelConfig } from '../config/schema.js';
import type { DiscreteCodes, Encoded, LossContext } from './types.js';
import type { ModelKindEntry } from './registry.js';
import { vqVaeConfig } from './vq-vae.config.js';
import { EncoderDecoder } from './base.js';
import { buildDecoder, buildEncoder, evalContext } from './parts.js';
import { UsageError } from '../errors.js';

export type VqVaeConfig = Extract<ModelConfig, { kind: 'vq-vae' }>;

/** What one quantization of a batch gives: z_e [B, L], z_q [B, L] (straight-through), the codes e [B*M, D] and their indices [B*M]. */
interface Quantized {
  ze: Tensor2D;
  zq: Tensor2D;
  e: Tensor2D;
  indices: Tensor1D;
}

/**
 * The head between the encoder trunk and the decoder: a Dense layer to z_e [B, M*D], read as M vectors of D values
 * ([B*M, D], example-major), each quantized to its nearest of K codebook entries. The codebook and its EMA state
 * (the smoothed counts and sums, and each code's steps since it was last used) are non-trainable variables, so the
 * saved model and the checkpoints carry them.
 */
export class VectorQuantizer {
  readonly code: Dense;
  readonly codebook: Variable; // [K, D]
  readonly emaCount: Variable; // [K]
  readonly emaSum: Variable; // [K, D]
  readonly unusedSteps: Variable; // [K]
  readonly codes: number;

  constructor(opts: { inDim: number; latent: number; codebookSize: number; codeDim: number; rng: Rng }) {
    const { inDim, latent, codebookSize: k, codeDim: d, rng } = opts;
    this.codes = latent / d;
    this.code = new Dense({ name: 'encoder.code', inDim, outDim: latent, rng });
    // Small entries near the encoder's initial outputs, as the paper's code initializes them; dead codes restart from data.
    const init = rng.uniformArray(k * d, -1 / k, 1 / k);
    this.codebook = makeVariable(init, [k, d], false);
    // Each code starts as if assigned once at its own value, so e = sum / count holds from the first step.
    this.emaCount = makeVariable(new Float32Array(k).fill(1), [k], false);
    this.emaSum = makeVariable(Float32Array.from(init), [k, d], false);
    this.unusedSteps = makeVariable(new Float32Array(k), [k], false);
  }

  /** z_e and its quantization, [B, H] -> see {@link Quantized}. */
  quantize(h: Tensor2D): Quantized {
    return tf.tidy(() => {
      const ze = this.code.apply(h); // [B, M*D]
      const [b, l] = ze.shape;
      const { zq, e, indices } = quantize({ z: tf.reshape(ze, [b * this.codes, l / this.codes]), codebook: this.codebook as unknown as Tensor2D }); // [B*M, D]
      return { ze, zq: tf.reshape(zq, [b, l]) as Tensor2D, e, indices }; // [B*M, D] -> [B, M*D]
    });
  }

  /** The code of each example: its codebook entries exactly ([B, M*D]), for encode; training takes {@link quantize}'s straight-through z_q. */
  apply(h: Tensor2D): { mean: Tensor2D } {
    return tf.tidy(() => {
      const { ze, e } = this.quantize(h);
      return { mean: tf.reshape(e, ze.shape) as Tensor2D }; // [B*M, D] -> [B, M*D]
    });
  }

  /**
   * The training step's codebook updates from a batch's z_e (as [B*M, D]) and its code indices, applied by the trainer
   * after the optimizer step: the EMA update of counts, sums and entries, and dead-code restarts: a code unused for
   * `restartAfter` steps becomes a random z_e of the batch (drawn from `rng`), with count 1 and steps 0.
   */
  updates({ z, indices, decay, epsilon, restartAfter, rng }: { z: Tensor2D; indices: Tensor1D; decay: number; epsilon: number; restartAfter: number; rng: Rng }): StatUpdate[] {
    const k = this.emaCount.shape[0];
    const next = emaUpdate({ ema: { count: this.emaCount as unknown as Tensor1D, sum: this.emaSum as unknown as Tensor2D }, z, indices, decay, epsilon });
    const used = new Uint8Array(k);
    for (const i of indices.dataSync()) used[i] = 1;
    const unused = Float32Array.from(this.unusedSteps.dataSync(), (s, i) => (used[i] ? 0 : s + 1));
    const dead = [...unused.keys()].filter((i) => unused[i] >= restartAfter);
    let { count, sum, codebook } = next;
    if (dead.length > 0) {
      const d = z.shape[1];
      const rows = z.dataSync();
      const [c, s, e] = [count.dataSync().slice(), sum.dataSync().slice(), codebook.dataSync().slice()];
      for (const code of dead) {
        const r = rng.int(z.shape[0]);
        const v = rows.subarray(r * d, (r + 1) * d);
        e.set(v, code * d);
        s.set(v, code * d);
        c[code] = 1;
        unused[code] = 0;
      }
      tf.dispose([count, sum, codebook]);
      [count, sum, codebook] = [tf.tensor1d(c), tf.tensor2d(s, [k, d]), tf.tensor2d(e, [k, d])];
    }
    return [
      { variable: this.emaCount, value: count },
      { variable: this.emaSum, value: sum },
      { variable: this.codebook, value: codebook },
      { variable: this.unusedSteps, value: tf.tensor1d(unused) },
    ];
  }

  variables(): NamedVariable[] {
    const state = (name: string, variable: Variable) => ({ name: `encoder.codebook${name}`, variable, trainable: false });
    return [...this.code.variables(), state('', this.codebook), state('.emaCount', this.emaCount), state('.emaSum', this.emaSum), state('.unusedSteps', this.unusedSteps)];
  }

  summary(): LayerSummary[] {
    // The codebook learns by EMA, not by the optimizer: state like BatchNorm's running statistics, not counted as parameters.
    return [...this.code.summary(), { name: 'encoder.codebook', type: `VectorQuantizer (${this.codes} x ${this.codebook.shape[1]}, ${this.codebook.shape[0]} codes, EMA)`, outputShape: [-1, this.code.outDim], params: 0 }];
  }

  /** z_e's layer only: the model format has no quantization op, so an exported graph gives z_e, not z_q. */
  graph(): { mean: GraphOp[] } {
    return { mean: this.code.graph() };
  }
}

/**
 * loss = reconstruction of decode(z_q) + commitment ||z_e - sg(e)||^2 per example (summed over its M vectors); `kl`
 * reports the unweighted commitment term. The codebook learns by EMA (no codebook loss). `encode` gives z_q, so
 * reconstruct, the latent figures and `vaekit encode` see the quantized code. There is no learned prior over the
 * codes: `sample` decodes codes drawn uniformly at random.
 *
 * @example
 * const m = new VqVae({ config, inputDim: 784, inputShape: [28, 28, 1], rng });
 * const indices = m.codeIndices(x); // [B * M]
 */
export class VqVae extends EncoderDecoder<VqVaeConfig, { mean: Tensor2D }> implements DiscreteCodes {
  readonly codebookSize: number;
  readonly codesPerExample: number;
  readonly quantizer: VectorQuantizer;

  constructor({ config, inputDim, inputShape = [inputDim], rng }: { config: VqVaeConfig; inputDim: number; inputShape?: readonly number[]; rng: Rng }) {
    if (config.latent % config.codeDim !== 0) throw new UsageError(`model.latent ${config.latent}: not a multiple of model.codeDim ${config.codeDim}; the encoder's output is split into vectors of codeDim values`);
    const encoder = buildEncoder({ spec: config.encoder, inputShape, rng });
    const heads = new VectorQuantizer({ inDim: encoder.outDim, latent: config.latent, codebookSize: config.codebookSize, codeDim: config.codeDim, rng });
    const decoder = buildDecoder({ latent: config.latent, spec: config.decoder, inputShape, likelihood: config.likelihood, rng });
    super({ config, inputDim, parts: { encoder, heads, decoder } });
    this.quantizer = heads;
    this.codebookSize = config.codebookSize;
    this.codesPerExample = heads.codes;
  }

  /** The code is deterministic: z_q itself. */
  reparameterize({ mean }: Encoded): Tensor2D {
    return tf.clone(mean);
  }

  protected terms(x: Tensor2D, ctx: LossContext): LossTerms {
    return tf.tidy(() => {
      const { ze, zq, e, indices } = this.quantizer.quantize(this.encoder.apply(ctx.input ?? x, ctx));
      const reconstruction = reconstructionLoss({ likelihood: this.likelihood, x, output: this.decoderOutput(zq, ctx) });
      const zeRows = tf.reshape(ze, e.shape) as Tensor2D; // [B, M*D] -> [B*M, D]
      const commitment = commitmentLoss({ z: zeRows, e, codes: this.codesPerExample });
      if (ctx.training && ctx.updates) {
        const { decay, epsilon, restartAfter } = this.config;
        for (const u of this.quantizer.updates({ z: zeRows, indices, decay, epsilon, restartAfter, rng: ctx.rng })) ctx.updates.push({ variable: u.variable, value: tf.keep(u.value) });
      }
      return { loss: tf.add(reconstruction, tf.mul(commitment, this.config.commitment)) as Tensor1D, reconstruction, kl: commitment };
    }) as LossTerms;
  }

  codeIndices(x: Tensor2D, ctx: ForwardContext = evalContext()): Int32Array {
    const indices = tf.tidy(() => {
      const ze = this.quantizer.code.apply(this.encoder.apply(x, ctx)); // [B, M*D]
      return nearestCode({ z: tf.reshape(ze, [-1, this.config.codeDim]), codebook: this.quantizer.codebook as unknown as Tensor2D }); // [B*M, D] -> [B*M]
    });
    const out = Int32Array.from(indices.dataSync());
    indices.dispose();
    return out;
  }

  decodeIndices(indices: Int32Array, n: number): Tensor2D {
    if (indices.length !== n * this.codesPerExample) throw new UsageError(`decodeIndices: ${indices.length} indices for ${n} examples; expected ${this.codesPerExample} per example (${n * this.codesPerExample})`);
    const bad = indices.findIndex((i) => !Number.isInteger(i) || i < 0 || i >= this.codebookSize);
    if (bad >= 0) throw new UsageError(`decodeIndices: index ${bad} is ${indices[bad]}; expected a code in 0..${this.codebookSize - 1}`);
    return tf.tidy(() => this.decode(tf.reshape(tf.gather(this.quantizer.codebook, tf.tensor1d(indices, 'int32')), [n, this.latentDim]) as Tensor2D)); // [n*M, D] -> [n, M*D]
  }

  /** No prior over the codes is learned: n examples of codes drawn uniformly at random from the codebook, decoded. */
  override sample(n: number, rng: Rng): Tensor2D {
    return this.decodeIndices(Int32Array.from({ length: n * this.codesPerExample }, () => rng.int(this.codebookSize)), n);
  }
}

/** The vq-vae kind's registry entry: its config and facts (vq-vae.config.ts) and its model. */
export const vqVaeKind: ModelKindEntry<VqVaeConfig> = { ...vqVaeConfig, build: (args) => new VqVae(args) };
