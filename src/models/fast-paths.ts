/** The native fast paths in one place: recognizes an architecture the fused kernels run (an MLP VAE with a Bernoulli decoder) and takes over its training step, forward pass and evaluation terms. */
import { tf, fusedElboStep, fusedElboStepAvailable, fusedLogWeightSamples, fusedLogWeightsAvailable, fusedVaeForward, fusedVaeForwardAvailable, noiseColumns, NoiseBuffer, stepParameters, STEP_ACTIVATIONS } from '../engine/index.js';
import type { CodeGradients, FusedElboSpec, GaussianBlockSpec, Rng, StepLayer, Tensor1D, Tensor2D, Variable } from '../engine/index.js';
import { Dense, LEAKY_RELU_SLOPE, Mlp, type Block } from '../nn/index.js';
import { importanceWeightedBound, iwaeBound, type KlWeight, type LossTerms } from '../objectives/index.js';
import type { Adam } from '../train/adam.js';
import type { TermMeans } from '../train/step.js';
import type { CodeRegularizer, ConditionalGaussianParts, LossContext, Model } from './types.js';
import { Decoder, evalContext, gaussianReparameterize } from './parts.js';
import { PosteriorHeads } from './heads.js';

// Worked out once per model: its layers as the kernels take them (null: none); reused between batches: the noise arrays.
const layerSpecs = new WeakMap<Model, FusedElboSpec | null>();
const forwardNoise = new WeakMap<Model, NoiseBuffer>();
const stepNoise = new NoiseBuffer();

/** The layers as the fused kernels take them, whatever the objective: Dense-only MLPs, Gaussian heads, a Bernoulli decoder. */
function layerSpec(model: Model): FusedElboSpec | undefined {
  return (layerSpecs.has(model) ? layerSpecs.get(model) : layerSpecs.set(model, recognize(model) ?? null).get(model)) ?? undefined;
}

/** Recognizes the architecture the kernels run from the model's parts, not its kind. */
function recognize(model: Model): FusedElboSpec | undefined {
  const { encoder, heads, decoder } = model.parts;
  // A conditional model's layers read [x, onehot(y)]: the kernels take x alone.
  if (model.classes !== undefined || model.likelihood.kind !== 'bernoulli' || model.likelihood.categorical?.length) return undefined;
  if (!(heads instanceof PosteriorHeads) || !(decoder instanceof Decoder)) return undefined;
  const [enc, dec] = [denseLayers(encoder), denseLayers(decoder.mlp)];
  const [mean, variance, output] = [heads.mean, heads.variance, decoder.out].map(stepLayer);
  if (!enc || !dec || !mean || !variance || !output) return undefined;
  return { encoder: enc, mean, variance, varianceKind: heads.kind, decoder: dec, output, leakySlope: LEAKY_RELU_SLOPE };
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

/**
 * The model's layers as the whole-step and log-weight kernels take them, when its training loss is exactly what they
 * compute (the summed ELBO, or the IWAE bound with `iwaeK` samples, or its MIWAE, CIWAE and PIWAE variants); undefined otherwise.
 *
 * @example
 * const spec = fusedElboSpec(model); // undefined for a conv, BatchNorm, Gaussian-likelihood or conditional model
 */
export function fusedElboSpec(model: Model): FusedElboSpec | undefined {
  const config = model.config;
  if (model.parts.upper) return twoLayerSpec(model);
  if (!('objective' in config) || config.reconstructionReduction === 'mean') return undefined;
  const spec = layerSpec(model);
  // The importance-weighted objectives: the same layers, n samples per example (the model draws its noise in the
  // kernel's row order); MIWAE's m groups of k and CIWAE's ELBO weight change only how the log-weights are combined.
  if (!spec) return undefined;
  const objective = config.objective;
  switch (objective.kind) {
    case 'elbo':
      return spec;
    case 'iwae':
      return { ...spec, iwaeK: objective.k };
    case 'miwae':
      return { ...spec, iwaeK: objective.m * objective.k, iwaeGroups: objective.m };
    case 'ciwae':
      return { ...spec, iwaeK: objective.k, iwaeElboWeight: objective.beta };
    case 'piwae':
      // The decoder on the IWAE bound of all m k samples, the encoder on MIWAE's m groups of k.
      return { ...spec, iwaeK: objective.m * objective.k, iwaeEncoderGroups: objective.m };
    default:
      return undefined;
  }
}

/**
 * A model with a second stochastic layer (the hierarchical VAE), trained on its IWAE bound with `samples` draws (1:
 * the ELBO with sampled KL terms): the first layer's parts as {@link layerSpec} reads them, and q(z2|z1) and p(z1|z2)
 * as Dense-only MLPs with linear heads; undefined when any part is something else.
 */
function twoLayerSpec(model: Model): FusedElboSpec | undefined {
  const config = model.config;
  const { upper } = model.parts;
  const spec = layerSpec(model);
  if (!spec || !upper || !('samples' in config) || ('reconstructionReduction' in config && config.reconstructionReduction === 'mean')) return undefined;
  const [inference, generative] = [gaussianBlock(upper.inference), gaussianBlock(upper.generative)];
  if (!inference || !generative) return undefined;
  return { ...spec, upper: { inference, generative }, iwaeK: config.samples };
}

function gaussianBlock(parts: ConditionalGaussianParts): GaussianBlockSpec | undefined {
  const [mlp, mean, logVar] = [denseLayers(parts.mlp), stepLayer(parts.mean), stepLayer(parts.logVar)];
  if (!mlp || !mean || !logVar || mean.activation !== 'linear' || logVar.activation !== 'linear') return undefined;
  return { mlp, mean, logVar };
}

/** {@link layerSpec} when the active backend has the forward-pass kernel, else undefined. */
function forwardSpec(model: Model): FusedElboSpec | undefined {
  return fusedVaeForwardAvailable() ? layerSpec(model) : undefined;
}

function noiseFor(model: Model): NoiseBuffer {
  return forwardNoise.get(model) ?? forwardNoise.set(model, new NoiseBuffer()).get(model)!;
}

/** decode(encode(x).mean) as one kernel, when the backend has it and knows the model; undefined otherwise. */
export function fastReconstruct(model: Model, x: Tensor2D): Tensor2D | undefined {
  const spec = forwardSpec(model);
  return spec && fusedVaeForward({ spec, input: x, want: { recon: true } })?.recon;
}

/**
 * The evaluation terms (no gradient) of the summed ELBO, or of an importance-weighted bound, as one kernel, when the
 * backend has it and the model's loss is what it computes; undefined otherwise (training, a capacity penalty: tf ops).
 */
export function fastEvalTerms(model: Model, x: Tensor2D, ctx: LossContext): LossTerms | undefined {
  if (ctx.training || ctx.klWeight.kind !== 'beta') return undefined;
  const trainSpec = fusedElboSpec(model);
  if (trainSpec?.iwaeK !== undefined) return fastImportanceTerms(model, trainSpec, x, ctx);
  const spec = trainSpec ? forwardSpec(model) : undefined;
  if (!spec) return undefined;
  const eps = noiseFor(model).draw(ctx.rng, x.shape[0], model.latentDim); // [B, L]
  const fused = fusedVaeForward({ spec, input: ctx.input ?? x, x, eps, beta: ctx.klWeight.beta, want: { terms: true } });
  eps.dispose();
  if (fused?.terms) return fused.terms;
  throw new Error('loss: the fused kernel returned no output'); // its availability was checked: never silently draw twice
}

/**
 * The evaluation terms of an importance-weighted objective (IWAE, MIWAE, CIWAE, PIWAE) from one log-weights kernel call:
 * the encoder once and the n samples of every example through the decoder as one batch, with the noise drawn as the
 * model's own loss draws it, then the bound combined by the same function (importanceWeightedBound); undefined when
 * the backend has no such kernel.
 */
function fastImportanceTerms(model: Model, spec: FusedElboSpec, x: Tensor2D, ctx: LossContext): LossTerms | undefined {
  const config = model.config;
  // One stochastic layer: the objective's bound; two: the IWAE bound of `samples` draws (its KL term sampled).
  const objective = 'objective' in config && config.objective.kind !== 'elbo' ? config.objective : undefined;
  if (!fusedLogWeightsAvailable() || (!spec.upper && !objective)) return undefined;
  const n = spec.iwaeK!;
  const b = x.shape[0];
  // [n*B, L] (sample s of example i in row s * B + i), and z2's [n*B, L2] after it for a second layer
  const eps = noiseFor(model).draw(ctx.rng, n * b, noiseColumns(spec));
  const fused = fusedLogWeightSamples({ spec, input: ctx.input ?? x, x, eps, k: n });
  eps.dispose();
  if (!fused) throw new Error('loss: the log-weights kernel returned no output'); // its availability was checked
  const { logW, logPx, kl } = fused;
  const terms = tf.tidy(() => ({
    loss: tf.neg(objective && !spec.upper ? importanceWeightedBound({ objective, logWeights: logW }) : iwaeBound({ logWeights: logW })) as Tensor1D,
    reconstruction: tf.neg(tf.mean(logPx, 0)) as Tensor1D, // [n, B] -> [B]
    kl: tf.keep(kl),
  }));
  tf.dispose([logW, logPx]);
  return terms;
}

/**
 * One pass as PyTorch's `model(x)` for a Gaussian-posterior model: encode, draw z = mean + exp(logVar / 2) eps,
 * decode. Returns the decoded means [B, D] and the posterior's mean and log-variance [B, L]. On the native backend an
 * MLP VAE with a Bernoulli likelihood runs it as one kernel; the draws are the same either way.
 *
 * @example
 * const { recon, mean, logVar } = forward(vae, x, rng);
 */
export function forward(model: Model, x: Tensor2D, rng: Rng): { recon: Tensor2D; mean: Tensor2D; logVar: Tensor2D } {
  const spec = forwardSpec(model);
  if (spec) {
    const eps = noiseFor(model).draw(rng, x.shape[0], model.latentDim); // [B, L]
    const fused = fusedVaeForward({ spec, input: x, eps, want: { recon: true, posterior: true } });
    eps.dispose();
    if (fused?.recon && fused.mean && fused.logVar) return { recon: fused.recon, mean: fused.mean, logVar: fused.logVar };
    throw new Error('forward: the fused kernel returned no output');
  }
  return tf.tidy(() => {
    const { mean, logVar } = model.encode(x, evalContext());
    if (!logVar) throw new Error(`forward: a ${model.config.kind} has no posterior variance`);
    return { recon: model.decode(gaussianReparameterize({ mean, logVar }, rng)), mean, logVar };
  });
}

/**
 * A whole training step (forward, gradients, Adam update) as one kernel, when the backend has the whole-step kernel
 * and the model's loss is what it computes, or that plus a penalty on the codes (a {@link CodeRegularizer}); undefined
 * otherwise. It draws the reparameterization noise from `rng` exactly as the model's own loss does, so a run takes the
 * same random numbers either way. VAEKIT_WHOLE_STEP=off turns it off.
 */
export function fusedTrainStep(args: { model: Model; adam: Adam; x: Tensor2D; input?: Tensor2D; rng: Rng; klWeight: KlWeight; labels?: Int32Array }): TermMeans | undefined {
  const { model, adam, x, input, rng, klWeight, labels } = args;
  if (labels || klWeight.kind !== 'beta' || !fusedElboStepAvailable() || wholeStepDisabled()) return undefined;
  const spec = fusedElboSpec(model);
  if (!spec) return codePenaltyStep({ model, adam, x, input, rng, klWeight });
  const moments = stepMoments(spec, adam);
  if (!moments) return undefined;
  // [B, L], or [k*B, L] for the IWAE bound (and z2's draws after z1's for a second stochastic layer)
  const eps = stepNoise.draw(rng, (spec.iwaeK ?? 1) * x.shape[0], noiseColumns(spec));
  const [loss, reconstruction, kl] = wholeStep({ spec, adam, moments, x, input: input ?? x, eps, beta: klWeight.beta });
  return { loss, reconstruction, kl };
}

/**
 * The whole step of a kind whose loss is reconstruction + w KL + penalty(z, mean, logVar) (a {@link CodeRegularizer}),
 * over layers the kernel knows: the encoder's forward pass as one kernel call, z from the same noise the kernel gets,
 * the penalty and its gradients at the codes in tf ops (small: [B, L]; the TC estimators' [B, B, L] run as one native
 * kernel where the backend has it, src/engine/fused.ts: fusedTcLogQ), then the whole-step kernel with those
 * gradients added at the codes. The reported terms are the model's own: the loss with the penalty's batch mean, and
 * the kind's third term (beta-TCVAE's TC) where it reports one instead of the KL.
 */
function codePenaltyStep(args: { model: Model; adam: Adam; x: Tensor2D; input?: Tensor2D; rng: Rng; klWeight: KlWeight }): TermMeans | undefined {
  const { model, adam, x, input, rng, klWeight } = args;
  const config = model.config;
  if (!model.codeRegularizer || ('reconstructionReduction' in config && config.reconstructionReduction === 'mean') || !fusedVaeForwardAvailable()) return undefined;
  const regularizer = model.codeRegularizer({ training: true, rng, klWeight, ...(input && { input }) });
  const spec = layerSpec(model);
  const moments = spec && stepMoments(spec, adam);
  if (!spec || !moments || regularizer.kl.kind !== 'beta') return undefined;
  const eps = stepNoise.draw(rng, x.shape[0], model.latentDim); // [B, L]: the draw the model's pass makes
  const codes = regularizer.penalty && penaltyGradients({ spec, input: input ?? x, eps, penalty: regularizer.penalty });
  const [loss, reconstruction, kl] = wholeStep({ spec, adam, moments, x, input: input ?? x, eps, beta: regularizer.kl.beta, codeGradients: codes?.gradients });
  if (!codes) return { loss, reconstruction, kl };
  const [penalty, reported] = codes.means.dataSync();
  tf.dispose([codes.means, ...Object.values(codes.gradients)]);
  return { loss: loss + penalty, reconstruction, kl: codes.reports ? reported : kl };
}

/**
 * The penalty's batch mean and its gradients at z, mean and logVar (those it depends on), with z = mean +
 * exp(logVar / 2) eps from the encoder's forward pass (one kernel call, no decoder). `means` holds [mean penalty, mean
 * reported term (0 without one)].
 */
function penaltyGradients(args: { spec: FusedElboSpec; input: Tensor2D; eps: Tensor2D; penalty: NonNullable<CodeRegularizer['penalty']> }): { gradients: CodeGradients; means: Tensor1D; reports: boolean } {
  const { spec, input, eps, penalty } = args;
  const posterior = fusedVaeForward({ spec, input, want: { posterior: true } });
  if (!posterior?.mean || !posterior.logVar) throw new Error('the forward-pass kernel returned no posterior'); // its availability was checked
  const { mean, logVar } = posterior;
  let reports = false;
  const result = tf.tidy((): Record<string, tf.Tensor> => {
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as Tensor2D; // [B, L], as gaussianReparameterize
    let reported: tf.Tensor = tf.scalar(0);
    // Gradients with respect to the codes the penalty reads; the others get none (DIP-VAE-I reads the means alone).
    const { value, grads } = tf.engine().gradients(
      () => {
        const terms = penalty({ z, mean, logVar });
        if (terms.reported) [reports, reported] = [true, tf.keep(tf.mean(terms.reported))];
        return tf.mean(terms.penalty) as tf.Scalar;
      },
      [z, mean, logVar],
      undefined,
      true,
    );
    const [dz, dMean, dLogVar] = grads as (Tensor2D | null)[];
    const means = tf.stack([value, reported]); // [2]
    if (reports) reported.dispose(); // kept to leave the gradient's scope: no tidy disposes it
    return { ...(dz && { dz }), ...(dMean && { dMean }), ...(dLogVar && { dLogVar }), means };
  });
  tf.dispose([mean, logVar]);
  const { means, ...gradients } = result;
  return { gradients: gradients as CodeGradients, means: means as Tensor1D, reports };
}

/** The Adam moments of the kernel's parameters, or undefined when the optimizer does not hold them all. */
function stepMoments(spec: FusedElboSpec, adam: Adam): { m: Variable[]; v: Variable[] } | undefined {
  const moments = stepParameters(spec).map((p) => adam.moments(p));
  if (!moments.every((mv) => mv !== undefined)) return undefined;
  return { m: moments.map((mv) => mv.m), v: moments.map((mv) => mv.v) };
}

/** One whole-step kernel call: forward, backward, Adam, the new values assigned; returns the batch means [loss, reconstruction, KL]. Disposes eps. */
function wholeStep(args: { spec: FusedElboSpec; adam: Adam; moments: { m: Variable[]; v: Variable[] }; x: Tensor2D; input: Tensor2D; eps: Tensor2D; beta: number; codeGradients?: CodeGradients }): number[] {
  const { spec, adam, moments, x, input, eps, beta, codeGradients } = args;
  const params = stepParameters(spec);
  const { m, v } = moments;
  const out = fusedElboStep({ spec, m, v, x, input, eps, beta, ...(codeGradients && { codeGradients }), ...adam.beginStep() });
  eps.dispose();
  if (!out) throw new Error('the whole-step kernel went missing after the check'); // checked by the caller
  if (out.updated) {
    const { updated } = out;
    const assign = (vars: Variable[], values: tf.Tensor[]) => vars.forEach((variable, i) => variable.assign(values[i]));
    assign(params, updated.params);
    assign(m, updated.m);
    assign(v, updated.v);
    tf.dispose([...updated.params, ...updated.m, ...updated.v]);
  }
  const means = Array.from(out.means.dataSync());
  out.means.dispose();
  return means;
}

const wholeStepDisabled = (): boolean => typeof process !== 'undefined' && process.env?.VAEKIT_WHOLE_STEP === 'off';
