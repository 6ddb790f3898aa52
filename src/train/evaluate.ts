/** Evaluation of a model over a split or any batches, and the batch tensors that training and evaluation share (browser-safe). */
import { tf, Rng, type Tensor2D } from '../engine/index.js';
import { binarize, memoryBatches, type Batch } from '../data/batch.js';
import type { DataSplit } from '../data/types.js';
import { hasDiscreteCodes, modelKind, type Model } from '../models/index.js';
import { codebookUsage, type KlWeight } from '../objectives/index.js';
import { UsageError } from '../errors.js';
import { evalBatch } from './step.js';
import type { Terms } from './metrics.js';

/** Batch size for evaluation: larger than training's since no gradients are kept. */
export const EVAL_BATCH = 1000;

/** A batch's examples as a [B, D] tensor, dynamically binarized when `binarizeRng` is given. */
export function batchTensor(batch: Batch, d: number, binarizeRng?: Rng): Tensor2D {
  return tf.tensor2d(binarizeRng ? binarize(batch.x, binarizeRng) : batch.x, [batch.indices.length, d]); // [B, D]
}

/** The labels of a batch's rows, for a conditional model (undefined otherwise). */
export function batchLabels(model: Model, batch: Batch): Int32Array | undefined {
  if (!modelKind(model.config.kind).conditional) return undefined;
  if (!batch.labels) throw new UsageError(`model.kind ${model.config.kind}: the conditional VAE trains on labelled data, and this dataset has no labels`);
  return batch.labels;
}

/** What {@link evaluateSplit} and {@link evaluateBatches} need besides the data. */
interface EvaluateOptions {
  model: Model;
  /** Values per example. */
  d: number;
  /** Seeds the RNG that draws z (and binarizes), so the number is reproducible and the training stream undisturbed. */
  seed: string;
  /** Binarize each batch dynamically, as training does with `data.binarize: dynamic`. */
  binarizeData?: boolean;
  /** The KL weight the loss uses; absent: the config's constant beta. */
  klWeight: KlWeight;
}

/**
 * Mean loss terms over a split in evaluation mode. z is sampled with an RNG seeded from `seed`, so the number is
 * reproducible and drawing it does not disturb the training stream.
 *
 * @example
 * const test = evaluateSplit({ model, split: dataset.test, d: 784, seed: 'eval' });
 */
export function evaluateSplit({ split, ...opts }: EvaluateOptions & { split: DataSplit }): Terms {
  return evaluateBatches({ ...opts, batches: memoryBatches(split, opts.d, { batchSize: EVAL_BATCH }) });
}

/**
 * {@link evaluateSplit} over any batches (a streamed test split included).
 *
 * @example
 * const test = evaluateBatches({ model, batches: memoryBatches(dataset.test, 784, { batchSize: 1000 }), d: 784, seed: 'eval' });
 */
export function evaluateBatches({ model, batches, d, seed, binarizeData, klWeight }: EvaluateOptions & { batches: Iterable<Batch> }): Terms {
  const rng = new Rng(seed);
  const sums = { loss: 0, reconstruction: 0, kl: 0 };
  // A discrete-code model: how often each codebook entry is chosen over the split.
  const counts = hasDiscreteCodes(model) ? new Float64Array(model.codebookSize) : undefined;
  let n = 0;
  for (const batch of batches) {
    const x = batchTensor(batch, d, binarizeData ? rng : undefined);
    const s = evalBatch({ model, x, rng, klWeight, labels: batchLabels(model, batch) });
    if (counts && hasDiscreteCodes(model)) for (const k of model.codeIndices(x)) counts[k]++;
    x.dispose();
    sums.loss += s.loss;
    sums.reconstruction += s.reconstruction;
    sums.kl += s.kl;
    n += batch.indices.length;
  }
  return { loss: sums.loss / n, reconstruction: sums.reconstruction / n, kl: sums.kl / n, ...(counts && { codebook: codebookUsage(counts) }) };
}
