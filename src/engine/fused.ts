/**
 * Fused ops for the training hot path: one kernel where tf ops would run a dozen, used when the active backend
 * registers the kernel (the native backend does) and reported unavailable otherwise, so the caller keeps its tf-ops
 * code as the portable path. Browser-safe: imports only the engine, never the addon.
 */
import { tf } from './tf.js';
import type { Tensor, Tensor1D, Tensor2D } from './tf.js';

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
