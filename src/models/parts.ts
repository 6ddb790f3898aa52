/** Pieces shared by the model files: the decoder stack, evaluation contexts and prior sampling. */
import { tf, Rng, type Tensor2D } from '../engine/index.js';
import { ConvDecoder, ConvEncoder, Dense, Mlp, type Block, type ForwardContext, type GraphOp, type LayerSummary, type NamedVariable } from '../nn/index.js';
import type { MlpConfig, NetworkConfig } from '../config/schema.js';
import { decoderOutputDim, likelihoodMean, type Likelihood } from '../objectives/index.js';
import { UsageError } from '../errors.js';

/** Evaluation mode: no dropout, running BatchNorm statistics; the RNG is never drawn from. */
export function evalContext(): ForwardContext {
  return { training: false, rng: new Rng(0) };
}

/** Decoder: an MLP from the latent code, then a linear layer to the likelihood's parameters. */
export class Decoder implements Block {
  readonly mlp: Mlp;
  readonly out: Dense;
  readonly outDim: number;

  constructor(opts: { latent: number; spec: MlpConfig; dataDim: number; likelihood: Likelihood; rng: Rng }) {
    this.mlp = new Mlp({ name: 'decoder', inDim: opts.latent, spec: opts.spec, rng: opts.rng });
    this.out = new Dense({ name: 'decoder.out', inDim: this.mlp.outDim, outDim: decoderOutputDim(opts.likelihood, opts.dataDim), rng: opts.rng });
    this.outDim = this.out.outDim;
  }

  apply(z: Tensor2D, ctx: ForwardContext): Tensor2D {
    return tf.tidy(() => this.out.apply(this.mlp.apply(z, ctx), ctx));
  }

  variables(): NamedVariable[] {
    return [...this.mlp.variables(), ...this.out.variables()];
  }

  summary(): LayerSummary[] {
    return [...this.mlp.summary(), ...this.out.summary()];
  }

  graph(): GraphOp[] {
    return [...this.mlp.graph(), ...this.out.graph()];
  }
}

/**
 * The decoded mean in data space, likelihoodMean(likelihood, decoder.apply(z)), in evaluation mode. For an MLP decoder
 * with a Bernoulli likelihood the sigmoid runs inside the output layer's product (the same numbers, one pass over the
 * [B, D] output and one array fewer: about 0.3 ms of a 4 ms decode at batch 1000 on the native backend).
 *
 * @example
 * decode(z: Tensor2D): Tensor2D { return decodeMean(this.decoder, this.likelihood, z); }
 */
export function decodeMean(decoder: Block, likelihood: Likelihood, z: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    if (!(decoder instanceof Decoder) || likelihood.kind !== 'bernoulli' || likelihood.categorical?.length) return likelihoodMean(likelihood, decoder.apply(z, evalContext()));
    const h = decoder.mlp.apply(z, evalContext());
    return tf.fused.matMul({ a: h, b: decoder.out.kernel, bias: decoder.out.bias, activation: 'sigmoid' }) as Tensor2D;
  });
}

/**
 * The shape a conv block needs; `role` names the block in the error. Images, and big enough for the strides: with
 * 'same' padding any size runs, but a strided layer fed a 1x1 map (or an upsampling from one) learns nothing spatial,
 * so every one of the n layers must see at least 2 pixels each way: H and W > stride^(n-1).
 */
function checkImageShape(inputShape: readonly number[], spec: { filters: number[]; stride: number }, role: string): void {
  const shape = `[${inputShape.join(', ')}]`;
  if (inputShape.length !== 3) {
    throw new UsageError(`model.${role}: a conv ${role} needs image data of shape [H, W, C]; this data's examples have shape ${shape}; use an MLP ${role}`);
  }
  const n = spec.filters.length;
  const need = spec.stride ** (n - 1) + 1;
  if (spec.stride > 1 && Math.min(inputShape[0], inputShape[1]) < need) {
    throw new UsageError(`model.${role}: ${n} conv layers of stride ${spec.stride} need images of at least ${need}x${need} pixels (each layer sees 2 or more); this data's examples have shape ${shape}`);
  }
}

/**
 * The encoder trunk a spec asks for, over flattened examples [B, D] of per-example shape `inputShape`.
 *
 * @example
 * const encoder = buildEncoder({ spec: config.encoder, inputShape: [28, 28, 1], rng }); // encoder.outDim feeds the heads
 */
export function buildEncoder({ spec, inputShape, rng }: { spec: NetworkConfig; inputShape: readonly number[]; rng: Rng }): Block {
  if (spec.kind === 'conv') {
    checkImageShape(inputShape, spec, 'encoder');
    return new ConvEncoder({ name: 'encoder', inputShape, spec, rng });
  }
  return new Mlp({ name: 'encoder', inDim: inputShape.reduce((a, b) => a * b, 1), spec, rng });
}

/**
 * The decoder a spec asks for: from the code [B, L] to the likelihood's parameters [B, D'] over data of `inputShape`.
 *
 * @example
 * const decoder = buildDecoder({ latent: 2, spec: config.decoder, inputShape: [28, 28, 1], likelihood, rng });
 */
export function buildDecoder(opts: { latent: number; spec: NetworkConfig; inputShape: readonly number[]; likelihood: Likelihood; rng: Rng }): Block {
  const { latent, spec, inputShape, likelihood, rng } = opts;
  const dataDim = inputShape.reduce((a, b) => a * b, 1);
  if (spec.kind === 'conv') {
    checkImageShape(inputShape, spec, 'decoder');
    const groups = decoderOutputDim(likelihood, dataDim) / dataDim;
    return new ConvDecoder({ name: 'decoder', latent, outputShape: inputShape, groups, spec, rng });
  }
  return new Decoder({ latent, spec, dataDim, likelihood, rng });
}

/** Whether a model config uses a conv block (needs the conv kernels and their gradients). */
export function usesConv(config: { encoder: NetworkConfig; decoder: NetworkConfig }): boolean {
  return config.encoder.kind === 'conv' || config.decoder.kind === 'conv';
}

/**
 * z = mean + exp(logVar / 2) * eps with eps ~ N(0, I) drawn from `rng`: the Gaussian posterior's reparameterization.
 *
 * @example
 * const z = gaussianReparameterize({ mean, logVar }, rng); // [B, L]
 */
export function gaussianReparameterize({ mean, logVar }: { mean: Tensor2D; logVar?: Tensor2D }, rng: Rng): Tensor2D {
  if (!logVar) throw new Error('reparameterize needs logVar');
  return tf.tidy(() => {
    const eps = tf.tensor2d(rng.normalArray(mean.size), mean.shape); // [B, L]
    return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
  });
}

/** n x latent draws from N(0, I) as a tensor. */
export function priorSample(n: number, latent: number, rng: Rng): Tensor2D {
  return tf.tensor2d(rng.normalArray(n * latent), [n, latent]);
}

/** Disposes every variable of a model. */
export function disposeAll(vars: NamedVariable[]): void {
  for (const v of vars) v.variable.dispose();
}
