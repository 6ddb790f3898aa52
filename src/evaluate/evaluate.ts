/** Test-set evaluation of a trained model: the ELBO terms and the reconstruction error of the mean reconstruction. */
import { tf, Rng } from '../engine/index.js';
import { batchIndices, binarize, exampleSize, gather, type Dataset, type DataSplit } from '../data/index.js';
import { hasDiscreteCodes, type Model } from '../models/index.js';
import { evaluateSplit } from '../train/evaluate.js';
import { klWeight } from '../train/beta-schedule.js';
import type { Terms } from '../train/metrics.js';
import { UsageError } from '../errors.js';

export interface Evaluation extends Terms {
  /** Examples evaluated. */
  n: number;
  /** Of reconstruct(x) = decode(mean of q(z|x)) against x: summed squared error per example, and its per-value mean. */
  reconstructionError: { sse: number; mse: number };
  /**
   * A discrete-code model (VQ-VAE): the bound -log p(x) <= reconstruction + M log K of van den Oord et al. 2017, the
   * negative ELBO with a uniform prior over the K^M codes and a one-hot q(z|x), whose KL is M log K nats.
   */
  uniformPriorBound?: number;
}

/** Throws a clear error when the data's example size differs from the model's input. */
export function checkShapes(model: Model, dataset: Dataset, modelShape: number[]): void {
  const d = exampleSize(dataset);
  if (d !== model.inputDim) {
    throw new UsageError(
      `data '${dataset.name}' has examples of shape [${dataset.shape.join(', ')}] (${d} values) but the model expects [${modelShape.join(', ')}] (${model.inputDim} values)`,
    );
  }
}

/** Mean summed squared error of the deterministic reconstruction over a split (a conditional model uses the split's labels). */
export function reconstructionError(model: Model, split: DataSplit, d: number): { sse: number; mse: number } {
  let sse = 0;
  for (const idx of batchIndices(split.n, 1000)) {
    const { x, labels } = gather(split, idx, d);
    const s = tf.tidy(() => {
      const xt = tf.tensor2d(x, [idx.length, d]); // [B, D]
      return tf.sum(tf.square(tf.sub(model.reconstruct(xt, labels), xt)));
    });
    sse += s.dataSync()[0];
    s.dispose();
  }
  return { sse: sse / split.n, mse: sse / (split.n * d) };
}

/**
 * Evaluates a model on a dataset's test split. z is sampled with an RNG seeded from `seed`, so results repeat.
 *
 * @example
 * const { loss, reconstruction, kl, reconstructionError } = evaluateModel({ model, dataset, seed: 1 });
 */
export function evaluateModel({ model, dataset, seed, binarizeData }: { model: Model; dataset: Dataset; seed: number; binarizeData?: boolean }): Evaluation {
  const d = exampleSize(dataset);
  const terms = evaluateSplit({ model, split: dataset.test, d, seed: `${seed}:evaluate`, binarizeData, klWeight: klWeight(model.config, 'unscheduled') });
  const bound = hasDiscreteCodes(model) ? { uniformPriorBound: terms.reconstruction + model.codesPerExample * Math.log(model.codebookSize) } : {};
  return { ...terms, n: dataset.test.n, reconstructionError: reconstructionError(model, dataset.test, d), ...bound };
}

/**
 * The test examples for likelihood estimates: the first `limit` (default all), binarized once with a fixed seed when
 * the run's data is dynamically binarized (Burda et al.'s stochastically binarized test set), as [n, D] values, with
 * their labels [n] when the data has them.
 *
 * @example
 * const { x, n } = testExamples({ dataset, seed: config.train.seed, binarizeData: true });
 */
export function testExamples({ dataset, seed, binarizeData, limit }: { dataset: Dataset; seed: number; binarizeData?: boolean; limit?: number }): { x: Float32Array; n: number; labels?: Int32Array } {
  const d = exampleSize(dataset);
  const n = Math.min(limit ?? dataset.test.n, dataset.test.n);
  const x = dataset.test.x.subarray(0, n * d);
  const labels = dataset.test.labels?.subarray(0, n);
  return { x: binarizeData ? binarize(x, new Rng(`${seed}:binarize-test`)) : Float32Array.from(x), n, ...(labels && { labels }) };
}
