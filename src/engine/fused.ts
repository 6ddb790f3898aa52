/**
 * Fused ops for the training hot path: one kernel where tf ops would run a dozen, used when the active backend
 * registers the kernel (the native backend does) and reported unavailable otherwise, so the caller keeps its tf-ops
 * code as the portable path. Browser-safe: imports only the engine, never the addon.
 */
import { tf } from './tf.js';
import type { Tensor, Tensor1D, Tensor2D, Variable } from './tf.js';
import { ACTIVATIONS } from '../config/schema.js';

/** Kernel names of the fused per-example objective terms and their gradients. */
export const FUSED = {
  bernoulli: 'VaekitBernoulliLogLik',
  bernoulliGrad: 'VaekitBernoulliLogLikGrad',
  kl: 'VaekitKlStandardNormal',
  klGrad: 'VaekitKlStandardNormalGrad',
} as const;

/** Name of the fused Adam kernel. */
export const FUSED_ADAM = 'VaekitAdam';

/** Attributes of VaekitAdam: the hyper-parameters and the 1-based step count. */
export interface FusedAdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  step: number;
}

const available = (kernel: string): boolean => tf.getKernel(kernel, tf.getBackend()) !== undefined;

let gradientsRegistered = false;

/** Registers the gradients of the fused objective kernels (once; a backend that registers the kernels calls it). */
export function registerFusedGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  const grad = (kernelName: string, gradKernel: string, inputs: [string, string]) =>
    tf.registerGradient({
      kernelName,
      inputsToSave: inputs,
      gradFunc: (dy, saved) => {
        const [a, b] = saved;
        const one = (wrt: 0 | 1) => () =>
          tf.engine().runKernel(gradKernel, { a, b, dy: dy as Tensor }, { wrt } as unknown as tf.NamedAttrMap) as Tensor;
        return { [inputs[0]]: one(0), [inputs[1]]: one(1) };
      },
    });
  grad(FUSED.bernoulli, FUSED.bernoulliGrad, ['x', 'logits']);
  grad(FUSED.kl, FUSED.klGrad, ['mean', 'logVar']);
  // Relu's and LeakyRelu's gradients as one kernel where the backend has it; elsewhere tfjs's own formulas, unchanged
  // (the registry is global, so these replace tfjs's registrations for every backend).
  const reluGrad = (kernelName: 'Relu' | 'LeakyRelu') =>
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved;
        const alpha = kernelName === 'Relu' ? 0 : (attrs as unknown as { alpha: number }).alpha;
        if (available(FUSED_LEAKY_RELU_GRAD) && x.dtype === 'float32') {
          return { x: () => tf.engine().runKernel(FUSED_LEAKY_RELU_GRAD, { dy: dy as Tensor, x }, { alpha }) as Tensor };
        }
        if (kernelName === 'Relu') return { x: () => tf.mul(dy as Tensor, tf.step(tf.cast(x, 'float32'))) };
        return { x: () => tf.where(tf.greater(x, 0), dy as Tensor, tf.mul(dy as Tensor, alpha)) };
      },
    });
  reluGrad('Relu');
  reluGrad('LeakyRelu');
  tf.registerGradient({
    kernelName: FUSED_BATCH_NORM.train,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, true],
    // Only y's gradient flows: the batch statistics feed the running averages, which the loss never reads.
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma, y, mean, variance] = saved;
      // One kernel makes all three, so it runs here rather than in the per-input closures, which tfjs runs each in a
      // tidy of its own (that would dispose the other two); the backward pass's own scope disposes what is not used.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(FUSED_BATCH_NORM.grad, { x, gamma, y, mean, variance, dy: (dy as Tensor[])[0] }, attrs) as Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
  tf.registerGradient({
    kernelName: FUSED_TC.forward,
    inputsToSave: ['z', 'mean', 'logVar', 'logWeights'],
    // The weights are constants of the estimator: they get no gradient.
    gradFunc: (dy, saved) => {
      const [z, mean, logVar, logWeights] = saved;
      const [gJoint, gMarg] = dy as Tensor[];
      const [dz, dMean, dLogVar] = tf.engine().runKernel(FUSED_TC.grad, { z, mean, logVar, logWeights, gJoint, gMarg }) as Tensor[];
      return { z: () => dz, mean: () => dMean, logVar: () => dLogVar, logWeights: () => tf.zerosLike(logWeights) };
    },
  });
  tf.registerGradient({
    kernelName: FUSED_BIAS_ACT.forward,
    inputsToSave: [],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved;
      const [dx, dbias] = tf.engine().runKernel(FUSED_BIAS_ACT.grad, { dy: dy as Tensor, y }, attrs) as Tensor[];
      return { x: () => dx, bias: () => dbias };
    },
  });
}

/** Activations the fused kernels apply, in their numbering (the whole-step kernel's). */
export type FusedActivation = (typeof STEP_ACTIVATIONS)[number];

/** Attributes of the kernels that end in an activation: its code in STEP_ACTIVATIONS and the leaky ReLU's slope. */
export interface FusedActivationAttrs {
  activation: number;
  leakySlope: number;
}

/** Kernel names of y = act(x + bias) over the rows of [R, C] and of its gradient (from y). */
export const FUSED_BIAS_ACT = { forward: 'VaekitBiasAct', grad: 'VaekitBiasActGrad' } as const;

/**
 * act(x + bias) over the last axis of x ([..., C], bias [C]) as one pass, and its gradient (written in terms of the
 * output) as one pass that also sums the bias gradient; undefined when the active backend has no such kernel.
 * `leakySlope` (>= 0) is leaky ReLU's negative slope.
 *
 * @example
 * const h = fusedBiasAct({ x: convOut, bias, activation: 'relu', leakySlope: 0.01 }) ?? tf.relu(tf.add(convOut, bias));
 */
export function fusedBiasAct<T extends Tensor>(args: { x: T; bias: Tensor1D; activation: FusedActivation; leakySlope: number }): T | undefined {
  if (!available(FUSED_BIAS_ACT.forward)) return undefined;
  const { x, bias, activation, leakySlope } = args;
  const attrs: FusedActivationAttrs = { activation: STEP_ACTIVATIONS.indexOf(activation), leakySlope };
  return tf.engine().runKernel(FUSED_BIAS_ACT.forward, { x, bias }, attrs as unknown as tf.NamedAttrMap) as T;
}

/** Kernel names of beta-TCVAE's estimators of log q(z) and sum_d log q(z_d) (inputs z, mean, logVar, logWeights) and of their gradient. */
export const FUSED_TC = { forward: 'VaekitTcLogQ', grad: 'VaekitTcLogQGrad' } as const;

/**
 * The two minibatch estimates beta-TCVAE's terms are made of (src/objectives/tc.ts), as one kernel that never holds
 * the [B, B, L] log-densities: logJoint_i = logsumexp_j (sum_d log N(z_id; mean_jd, exp(logVar_jd)) + w_ij) and
 * logMarg_i = sum_d logsumexp_j (log N(z_id; mean_jd, exp(logVar_jd)) + w_ij), each [B], with a gradient kernel.
 * `logWeights` is [B, B], or [1] for one weight for every pair. Undefined when the active backend has no such kernel.
 *
 * @example
 * const fused = fusedTcLogQ({ z, mean, logVar, logWeights: tf.tensor1d([-Math.log(n * b)]) });
 */
export function fusedTcLogQ(args: { z: Tensor2D; mean: Tensor2D; logVar: Tensor2D; logWeights: Tensor }): [Tensor1D, Tensor1D] | undefined {
  if (!available(FUSED_TC.forward)) return undefined;
  const { z, mean, logVar, logWeights } = args;
  return tf.engine().runKernel(FUSED_TC.forward, { z, mean, logVar, logWeights }) as unknown as [Tensor1D, Tensor1D];
}

/** Name of the kernel of relu's and leaky ReLU's gradient: inputs {dy, x}, attr alpha; dx = x > 0 ? dy : alpha dy. */
export const FUSED_LEAKY_RELU_GRAD = 'VaekitLeakyReluGrad';

/** Kernel names of the training-mode batch norm over the rows of [R, C] and of its gradient. */
export const FUSED_BATCH_NORM = { train: 'VaekitBatchNormTrain', grad: 'VaekitBatchNormTrainGrad' } as const;

/**
 * Training-mode batch normalization over the rows of x [R, C] (a batch [B, D], or feature maps viewed as
 * [B * H * W, C]) as one kernel, and one for its gradient: y = act((x - mean) / sqrt(variance + epsilon) * gamma +
 * beta) with the batch's own mean and biased variance, which it returns too. Undefined when the active backend has no such
 * kernel. The statistics carry no gradient (they are for the running averages).
 *
 * @example
 * const out = fusedBatchNormTrain({ x, gamma, beta, epsilon: 1e-5 }); // out?.y [R, C], out?.mean [C], out?.variance [C]
 */
export function fusedBatchNormTrain(args: {
  x: Tensor2D;
  gamma: Tensor1D;
  beta: Tensor1D;
  epsilon: number;
  /** An activation applied to the normalized output in the same pass (its gradient in the same pass too). */
  activation?: FusedActivation;
  leakySlope?: number;
}): { y: Tensor2D; mean: Tensor1D; variance: Tensor1D } | undefined {
  if (!available(FUSED_BATCH_NORM.train)) return undefined;
  const { x, gamma, beta, epsilon, activation = 'linear', leakySlope = 0 } = args;
  const attrs = { epsilon, activation: STEP_ACTIVATIONS.indexOf(activation), leakySlope };
  const [y, mean, variance] = tf.engine().runKernel(FUSED_BATCH_NORM.train, { x, gamma, beta }, attrs) as Tensor[];
  return { y: y as Tensor2D, mean: mean as Tensor1D, variance: variance as Tensor1D };
}

/**
 * Per-example Bernoulli log-likelihood from logits, sum_j x l - relu(l) - log1p(exp(-|l|)) over [B, D], as one
 * kernel (and one for its gradient); undefined when the active backend has no such kernel.
 *
 * @example
 * const logLik = fusedBernoulliLogLikelihood({ x, logits }) ?? bernoulliLogLikelihoodWithTfOps({ x, logits }); // [B]
 */
export function fusedBernoulliLogLikelihood({ x, logits }: { x: Tensor2D; logits: Tensor2D }): Tensor1D | undefined {
  if (!available(FUSED.bernoulli)) return undefined;
  return tf.engine().runKernel(FUSED.bernoulli, { x, logits }, {}) as Tensor1D;
}

/**
 * Per-example KL(N(mean, exp(logVar)) || N(0, I)) = -1/2 sum_j 1 + logVar - mean^2 - exp(logVar) over [B, L] as one
 * kernel; undefined when the active backend has no such kernel.
 *
 * @example
 * const kl = fusedKlStandardNormal({ mean, logVar }) ?? klWithTfOps({ mean, logVar }); // [B]
 */
export function fusedKlStandardNormal({ mean, logVar }: { mean: Tensor2D; logVar: Tensor2D }): Tensor1D | undefined {
  if (!available(FUSED.kl)) return undefined;
  return tf.engine().runKernel(FUSED.kl, { mean, logVar }, {}) as Tensor1D;
}

/**
 * One Adam step (PyTorch's form, bias corrections from the step count) as one kernel: returns the new
 * [param, m, v], or undefined when the active backend has no such kernel. The caller assigns them to param, m and v
 * straight away and disposes them: the kernel may write in place into arrays that only those three hold.
 *
 * @example
 * const next = fusedAdamStep({ param, m, v, grad, lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step });
 * if (next) { param.assign(next[0]); m.assign(next[1]); v.assign(next[2]); tf.dispose(next); }
 */
export function fusedAdamStep(
  args: { param: Tensor; m: Tensor; v: Tensor; grad: Tensor } & FusedAdamAttrs,
): [Tensor, Tensor, Tensor] | undefined {
  if (!available(FUSED_ADAM)) return undefined;
  const { param, m, v, grad, ...attrs } = args;
  return tf.engine().runKernel(FUSED_ADAM, { param, m, v, grad }, attrs as unknown as tf.NamedAttrMap) as [Tensor, Tensor, Tensor];
}

/** Name of the whole-step kernel for MLP VAEs. */
export const FUSED_ELBO_STEP = 'VaekitElboStep';

/**
 * Hidden-layer activations by their code in the fused kernels (StepAct in addon/elbo_step.inc): the schema's list,
 * whose order is that numbering; src/config/lists.test.ts holds the two together.
 */
export const STEP_ACTIVATIONS = ACTIVATIONS;

/** A dense layer of a model the whole-step kernel can train. */
export interface StepLayer {
  kernel: Variable;
  bias: Variable;
  activation: (typeof STEP_ACTIVATIONS)[number];
}

/**
 * What the whole-step kernel needs to know of a model: an MLP encoder, Gaussian heads, an MLP decoder and a linear
 * output layer to Bernoulli logits, trained on the summed negative ELBO, or on the IWAE bound with `iwaeK` samples.
 * A model offers one only when that is exactly its training loss (src/models/vae.ts).
 */
export interface FusedElboSpec {
  encoder: StepLayer[];
  mean: StepLayer;
  variance: StepLayer;
  /** How the variance head is read: as a log-variance, or through softplus as a variance (seed 004). */
  varianceKind: 'logVar' | 'softplus';
  decoder: StepLayer[];
  output: StepLayer;
  /** The leaky ReLU slope of the model's activations. */
  leakySlope: number;
  /** Train on the IWAE bound with this many importance samples per example instead of the ELBO. */
  iwaeK?: number;
  /** MIWAE: the iwaeK samples form this many disjoint groups, and the bound is the mean of the groups' IWAE bounds (default 1). */
  iwaeGroups?: number;
  /** CIWAE: the bound is this weight times the mean log-weight plus (1 - weight) times the IWAE bound (default 0). */
  iwaeElboWeight?: number;
  /** PIWAE: the encoder trains on the MIWAE bound of this many groups of the samples, the decoder on the bound above. */
  iwaeEncoderGroups?: number;
  /**
   * A second stochastic layer (Burda et al.'s two-layer model): q(z2|z1) and p(z1|z2), each an MLP with linear mean
   * and log-variance heads; with it the kernels train and score the two-layer IWAE bound (iwaeK samples, 1: the ELBO
   * with sampled KL terms), and eps holds z1's draws [k * B, L1] followed by z2's [k * B, L2] ({@link noiseColumns}).
   */
  upper?: { inference: GaussianBlockSpec; generative: GaussianBlockSpec };
}

/** A conditional Gaussian of a second stochastic layer as the kernels take it. */
export interface GaussianBlockSpec {
  mlp: StepLayer[];
  mean: StepLayer;
  logVar: StepLayer;
}

/** Standard normal draws per sample row a kernel reads from eps: z1's width, plus z2's for a second stochastic layer. */
export function noiseColumns(spec: FusedElboSpec): number {
  return spec.mean.bias.size + (spec.upper?.inference.mean.bias.size ?? 0);
}

/** A penalty's gradients at the codes, [B, L] each; a missing one is zero. */
export interface CodeGradients {
  dz?: Tensor2D;
  dMean?: Tensor2D;
  dLogVar?: Tensor2D;
}

/** Attributes of VaekitElboStep: the layer shapes and activations, the KL weight and Adam's hyper-parameters. */
export interface FusedElboAttrs extends FusedAdamAttrs {
  /** Per-layer [in, out] and the activation codes; see NativeAddon.elboStep's `ints`. */
  ints: number[];
  beta: number;
  leakySlope: number;
  /** 0: the ELBO; k >= 1: the IWAE bound with k samples per example (eps then holds [k * B, L]). */
  iwaeK: number;
  /** The groups of the k samples (MIWAE; 1 for IWAE and CIWAE). */
  iwaeGroups: number;
  /** The ELBO's weight in the bound (CIWAE; 0 for IWAE and MIWAE). */
  iwaeElboWeight: number;
  /** The encoder's own group count (PIWAE); 0: the encoder trains on the decoder's bound. */
  iwaeEncoderGroups: number;
}

/** Whether the active backend has the whole-step kernel. */
export function fusedElboStepAvailable(): boolean {
  return available(FUSED_ELBO_STEP);
}

/** The kernels' `ints`: B, D, L, the layer counts, the variance head's kind, the widths and activation codes. */
function specInts(spec: FusedElboSpec, batch: number, dim: number): number[] {
  const code = (l: StepLayer) => STEP_ACTIVATIONS.indexOf(l.activation);
  const base = [
    batch, dim, spec.mean.bias.size, spec.encoder.length, spec.decoder.length, spec.varianceKind === 'softplus' ? 1 : 0,
    ...spec.encoder.map((l) => l.bias.size), ...spec.decoder.map((l) => l.bias.size), ...spec.encoder.map(code), ...spec.decoder.map(code),
  ];
  if (!spec.upper) return base;
  // The second stochastic layer's tail: L2, the layer counts of q(z2|z1) and p(z1|z2), their widths, their activations.
  const { inference: q, generative: p } = spec.upper;
  return [...base, q.mean.bias.size, q.mlp.length, p.mlp.length, ...[...q.mlp, ...p.mlp].map((l) => l.bias.size), ...[...q.mlp, ...p.mlp].map(code)];
}

/**
 * The spec's parameters in the kernel's order: W, b of each encoder layer, the two heads, each decoder layer, the
 * output layer; then for a second stochastic layer q(z2|z1)'s layers and heads and p(z1|z2)'s.
 */
export function stepParameters(spec: FusedElboSpec): Variable[] {
  const block = (b: GaussianBlockSpec) => [...b.mlp, b.mean, b.logVar];
  const upper = spec.upper ? [...block(spec.upper.inference), ...block(spec.upper.generative)] : [];
  return [...spec.encoder, spec.mean, spec.variance, ...spec.decoder, spec.output, ...upper].flatMap((l) => [l.kernel, l.bias]);
}

/**
 * One whole training step of an MLP VAE as one kernel: returns the batch means of [loss, reconstruction, KL] before
 * the update and, unless the backend updated the parameters and Adam moments in place, their new values (in
 * {@link stepParameters} order), which the caller assigns at once and disposes, as with {@link fusedAdamStep};
 * undefined when the active backend has no such kernel. `eps` holds the standard normal draws of the
 * reparameterization [B, L] ([k * B, L] with `spec.iwaeK` = k, sample s of example i in row s * B + i).
 * `codeGradients` (the ELBO only): the gradients of a penalty's batch mean at z, mean and logVar [B, L], added to the
 * latent gradients before the encoder's backward pass; the returned loss mean does not include the penalty.
 *
 * @example
 * const out = fusedElboStep({ spec, m, v, x, input: x, eps, beta: 1, lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step });
 */
export function fusedElboStep(args: {
  spec: FusedElboSpec;
  m: Tensor[];
  v: Tensor[];
  x: Tensor2D;
  input: Tensor2D;
  eps: Tensor2D;
  beta: number;
  codeGradients?: CodeGradients;
} & FusedAdamAttrs): { means: Tensor1D; updated?: { params: Tensor[]; m: Tensor[]; v: Tensor[] } } | undefined {
  if (!fusedElboStepAvailable()) return undefined;
  const { spec, m, v, x, input, eps, beta, codeGradients = {}, ...adam } = args;
  if (spec.iwaeK !== undefined && Object.keys(codeGradients).length > 0) throw new Error('fusedElboStep: code gradients are for the ELBO only');
  const params = stepParameters(spec);
  const inputs: Record<string, Tensor> = { x, input, eps };
  for (const [name, g] of Object.entries(codeGradients)) if (g) inputs[name] = g;
  params.forEach((p, i) => {
    inputs[`p${i}`] = p;
    inputs[`m${i}`] = m[i];
    inputs[`v${i}`] = v[i];
  });
  const ints = specInts(spec, x.shape[0], x.shape[1]);
  const attrs: FusedElboAttrs = { ...adam, ints, beta, leakySlope: spec.leakySlope, iwaeK: spec.iwaeK ?? 0, iwaeGroups: spec.iwaeGroups ?? 1, iwaeElboWeight: spec.iwaeElboWeight ?? 0, iwaeEncoderGroups: spec.iwaeEncoderGroups ?? 0 };
  const out = tf.engine().runKernel(FUSED_ELBO_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as Tensor[];
  const n = params.length;
  const means = out[0] as Tensor1D;
  if (out.length === 1) return { means }; // updated in place
  return { means, updated: { params: out.slice(1, n + 1), m: out.slice(n + 1, 2 * n + 1), v: out.slice(2 * n + 1, 3 * n + 1) } };
}

/** Name of the forward-pass kernel for the models the whole-step kernel trains. */
export const FUSED_VAE_FORWARD = 'VaekitVaeForward';

/** Attributes of VaekitVaeForward: the layout (as for VaekitElboStep), the KL weight and which outputs to make. */
export interface FusedVaeForwardAttrs {
  ints: number[];
  beta: number;
  leakySlope: number;
  /** Which outputs, in this order: the decoded means [B, D]; mean and logVar [B, L]; per-example loss, rec, kl [B]. */
  recon: boolean;
  posterior: boolean;
  terms: boolean;
}

/** What {@link fusedVaeForward} returns: the outputs asked for. */
export interface FusedVaeForward {
  recon?: Tensor2D;
  mean?: Tensor2D;
  logVar?: Tensor2D;
  /** Per example: the negative ELBO (reconstruction + beta KL), -log p(x|z) and the KL. */
  terms?: { loss: Tensor1D; reconstruction: Tensor1D; kl: Tensor1D };
}

/** Whether the active backend has the forward-pass kernel. */
export function fusedVaeForwardAvailable(): boolean {
  return available(FUSED_VAE_FORWARD);
}

/**
 * The forward pass of a model with a {@link FusedElboSpec} as one kernel: encoder, posterior, z = mean + sd * eps (the
 * mean itself without `eps`), decoder. Makes the outputs `want` names: `recon` the decoded Bernoulli means, `posterior`
 * the mean and log-variance, `terms` the per-example negative ELBO and its terms against `x` (with KL weight `beta`).
 * Undefined when the active backend has no such kernel. No gradient: for evaluation and inference only.
 *
 * @example
 * const out = fusedVaeForward({ spec, input: x, eps, want: { recon: true } }); // out?.recon: [B, D]
 */
export function fusedVaeForward(args: {
  spec: FusedElboSpec;
  input: Tensor2D;
  eps?: Tensor2D;
  x?: Tensor2D;
  beta?: number;
  want: { recon?: boolean; posterior?: boolean; terms?: boolean };
}): FusedVaeForward | undefined {
  if (!available(FUSED_VAE_FORWARD)) return undefined;
  const { spec, input, eps, x, beta = 1, want } = args;
  if (want.terms && !x) throw new Error('fusedVaeForward: terms need x');
  const inputs: Record<string, Tensor> = { input };
  if (eps) inputs.eps = eps;
  if (want.terms && x) inputs.x = x;
  stepParameters(spec).forEach((p, i) => (inputs[`p${i}`] = p));
  const attrs: FusedVaeForwardAttrs = {
    ints: specInts(spec, input.shape[0], input.shape[1]),
    beta,
    leakySlope: spec.leakySlope,
    recon: want.recon === true,
    posterior: want.posterior === true,
    terms: want.terms === true,
  };
  const out = [...(tf.engine().runKernel(FUSED_VAE_FORWARD, inputs, attrs as unknown as tf.NamedAttrMap) as Tensor[])];
  const result: FusedVaeForward = {};
  if (attrs.recon) result.recon = out.shift() as Tensor2D;
  if (attrs.posterior) [result.mean, result.logVar] = out.splice(0, 2) as Tensor2D[];
  if (attrs.terms) {
    const [loss, reconstruction, kl] = out.splice(0, 3) as Tensor1D[];
    result.terms = { loss, reconstruction, kl };
  }
  return result;
}

/** Name of the kernel of the summed importance weights (evaluation only). */
export const FUSED_LOG_WEIGHTS = 'VaekitVaeLogWeights';

/** Whether the active backend has the summed importance weights kernel. */
export function fusedLogWeightsAvailable(): boolean {
  return available(FUSED_LOG_WEIGHTS);
}

/**
 * log sum_s w_s per example, w_s = p(x|z_s) p(z_s) / q(z_s|x) with z_s = mean + sd * eps_s, for a model with a
 * {@link FusedElboSpec}, as one kernel: the encoder once, the k samples of every example through the decoder as one
 * batch. `eps` [k * B, L] holds sample s of example i in row s * B + i. Undefined when the active backend has no such
 * kernel. No gradient: for the likelihood estimate (src/evaluate/nll.ts).
 *
 * @example
 * const lse = fusedLogWeights({ spec, input: x, x, eps, k: 50 }); // [B]; log p(x) ~ lse - log k
 */
export function fusedLogWeights(args: { spec: FusedElboSpec; input: Tensor2D; x: Tensor2D; eps: Tensor2D; k: number }): Tensor1D | undefined {
  if (!available(FUSED_LOG_WEIGHTS)) return undefined;
  const { spec, input, x, eps, k } = args;
  const inputs: Record<string, Tensor> = { input, x, eps };
  stepParameters(spec).forEach((p, i) => (inputs[`p${i}`] = p));
  const attrs = { ints: specInts(spec, input.shape[0], input.shape[1]), leakySlope: spec.leakySlope, k };
  return tf.engine().runKernel(FUSED_LOG_WEIGHTS, inputs, attrs as unknown as tf.NamedAttrMap) as Tensor1D;
}

/**
 * The parts of {@link fusedLogWeights} per sample, for the evaluation terms of the importance-weighted objectives:
 * the log-weights log w and log p(x|z) [k, B] (sample s of example i in row s, column i) and the analytic KL of
 * q(z|x) from the prior [B], from the same one kernel. Undefined when the active backend has no such kernel.
 *
 * @example
 * const { logW, logPx, kl } = fusedLogWeightSamples({ spec, input: x, x, eps, k: 50 })!; // iwaeBound({ logWeights: logW })
 */
export function fusedLogWeightSamples(args: { spec: FusedElboSpec; input: Tensor2D; x: Tensor2D; eps: Tensor2D; k: number }): { logW: Tensor2D; logPx: Tensor2D; kl: Tensor1D } | undefined {
  if (!available(FUSED_LOG_WEIGHTS)) return undefined;
  const { spec, input, x, eps, k } = args;
  const inputs: Record<string, Tensor> = { input, x, eps };
  stepParameters(spec).forEach((p, i) => (inputs[`p${i}`] = p));
  const attrs = { ints: specInts(spec, input.shape[0], input.shape[1]), leakySlope: spec.leakySlope, k, samples: true };
  const [logW, logPx, kl] = tf.engine().runKernel(FUSED_LOG_WEIGHTS, inputs, attrs as unknown as tf.NamedAttrMap) as unknown as [Tensor2D, Tensor2D, Tensor1D];
  return { logW, logPx, kl };
}
