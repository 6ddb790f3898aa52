/** One training step: forward, gradients of the batch-mean loss, Adam update, BatchNorm running statistics. */
import { tf, fusedElboStep, fusedElboStepAvailable, NoiseBuffer, stepParameters, type Rng, type Tensor2D, type Variable } from '../engine/index.js';
import type { Model } from '../models/index.js';
import type { StatUpdate } from '../nn/index.js';
import type { KlWeight } from '../objectives/index.js';
import type { Adam } from './adam.js';

/** Batch means of the loss and its terms. */
export interface TermMeans {
  loss: number;
  reconstruction: number;
  kl: number;
}

/**
 * Trains on one batch and returns the batch means of the terms (before the update).
 *
 * @example
 * const terms = trainStep({ model, adam, x, rng, klWeight: klWeight(config.model, epoch) }); // { loss, reconstruction, kl }
 * trainStep({ model, adam, x, input: noisyX, rng, klWeight }); // denoising: encode noisyX, reconstruct x
 */
export function trainStep({
  model,
  adam,
  x,
  input,
  rng,
  klWeight,
  labels,
}: {
  model: Model;
  adam: Adam;
  x: Tensor2D;
  input?: Tensor2D;
  rng: Rng;
  /** The epoch's KL (or anchor) weight, from src/train/beta-schedule.ts. */
  klWeight: KlWeight;
  /** The batch's class labels, for a conditional model. */
  labels?: Int32Array;
}): TermMeans {
  const fused = wholeStep({ model, adam, x, input, rng, klWeight, labels });
  if (fused) return fused;
  const updates: StatUpdate[] = [];
  const trainable = model.variables().filter((v) => v.trainable).map((v) => v.variable);
  let means: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const terms = model.loss(x, { training: true, rng, updates, klWeight, ...(input && { input }), ...(labels && { labels }) });
    means = tf.keep(tf.stack([tf.mean(terms.loss), tf.mean(terms.reconstruction), tf.mean(terms.kl)]));
    return tf.mean(terms.loss) as tf.Scalar;
  }, trainable);
  adam.apply(grads);
  for (const u of updates) {
    u.variable.assign(u.value);
    u.value.dispose();
  }
  tf.dispose([value, grads]);
  const [loss, reconstruction, kl] = means!.dataSync();
  means!.dispose();
  return { loss, reconstruction, kl };
}

/** The whole-step kernel's noise array, reused from step to step. */
const stepNoise = new NoiseBuffer();

/**
 * The same step as one kernel, when the backend has the whole-step kernel and the model's loss is what it computes
 * (see Model.fusedElboSpec); undefined otherwise. It draws the reparameterization noise from `rng` exactly as the
 * model's own loss does, so a run takes the same random numbers either way. VAEKIT_WHOLE_STEP=off turns it off.
 */
function wholeStep(args: Parameters<typeof trainStep>[0]): TermMeans | undefined {
  const { model, adam, x, input, rng, klWeight, labels } = args;
  if (labels || klWeight.kind !== 'beta' || !fusedElboStepAvailable() || wholeStepDisabled()) return undefined;
  const spec = model.fusedElboSpec?.();
  if (!spec) return undefined;
  const params = stepParameters(spec);
  const moments = params.map((p) => adam.moments(p));
  if (!moments.every((mv) => mv !== undefined)) return undefined;
  const m = moments.map((mv) => mv.m);
  const v = moments.map((mv) => mv.v);
  const attrs = adam.beginStep();
  const eps = stepNoise.draw(rng, (spec.iwaeK ?? 1) * x.shape[0], model.latentDim); // [B, L], or [k*B, L] for the IWAE bound
  const out = fusedElboStep({ spec, m, v, x, input: input ?? x, eps, beta: klWeight.beta, ...attrs });
  eps.dispose();
  if (!out) throw new Error('the whole-step kernel went missing after the check'); // checked above
  if (out.updated) {
    const { updated } = out;
    const assign = (vars: Variable[], values: tf.Tensor[]) => vars.forEach((variable, i) => variable.assign(values[i]));
    assign(params, updated.params);
    assign(m, updated.m);
    assign(v, updated.v);
    tf.dispose([...updated.params, ...updated.m, ...updated.v]);
  }
  const [loss, reconstruction, kl] = out.means.dataSync();
  out.means.dispose();
  return { loss, reconstruction, kl };
}

const wholeStepDisabled = (): boolean => typeof process !== 'undefined' && process.env?.VAEKIT_WHOLE_STEP === 'off';

/**
 * The summed terms of a batch in evaluation mode (no dropout, running BatchNorm statistics; z still sampled for a VAE).
 *
 * @example
 * const sums = evalBatch({ model, x, rng, klWeight }); // sums over the batch, divide by the example count
 */
export function evalBatch({ model, x, rng, klWeight, labels }: { model: Model; x: Tensor2D; rng: Rng; klWeight: KlWeight; labels?: Int32Array }): TermMeans {
  const sums = tf.tidy(() => {
    const terms = model.loss(x, { training: false, rng, klWeight, ...(labels && { labels }) });
    return tf.stack([tf.sum(terms.loss), tf.sum(terms.reconstruction), tf.sum(terms.kl)]);
  });
  const [loss, reconstruction, kl] = sums.dataSync();
  sums.dispose();
  return { loss, reconstruction, kl };
}
