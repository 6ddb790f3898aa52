/** One training step: forward, gradients of the batch-mean loss, Adam update, BatchNorm running statistics. */
import { tf, type Rng, type Tensor2D } from '../engine/index.js';
import type { Model } from '../models/index.js';
import { fusedTrainStep } from '../models/fast-paths.js';
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
 * Trains on one batch and returns the batch means of the terms (before the update). A model the native whole-step
 * kernel knows trains through it (src/models/fast-paths.ts), with the same random numbers.
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
  const fused = fusedTrainStep({ model, adam, x, input, rng, klWeight, labels });
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

/**
 * Trains a model's auxiliary network (FactorVAE's discriminator) on one batch by its own Adam, after the model's step;
 * returns the batch mean of its loss. The gradient is taken with respect to the auxiliary network's variables alone.
 *
 * @example
 * if (model.auxiliary) auxiliaryStep({ model, adam: discriminatorAdam, x, rng, klWeight });
 */
export function auxiliaryStep({ model, adam, x, input, rng, klWeight }: { model: Model; adam: Adam; x: Tensor2D; input?: Tensor2D; rng: Rng; klWeight: KlWeight }): number {
  const auxiliary = model.auxiliary;
  if (!auxiliary) throw new Error(`auxiliaryStep: a ${model.config.kind} model has no auxiliary network`);
  const trainable = auxiliary.variables().filter((v) => v.trainable).map((v) => v.variable);
  const { value, grads } = tf.variableGrads(() => auxiliary.loss(x, { training: true, rng, klWeight, ...(input && { input }) }), trainable);
  adam.apply(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, grads]);
  return loss;
}
