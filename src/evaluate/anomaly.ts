/** Anomaly detection with a trained model: a score per example (higher = more anomalous), a quantile threshold, and the exact ROC curve and AUC. */
import { tf, type Rng } from '../engine/index.js';
import type { Model } from '../models/index.js';
import { UsageError } from '../errors.js';
import { estimateNll } from './nll.js';
import { klWeight } from '../train/beta-schedule.js';

/** What makes an example anomalous: its negative ELBO, its reconstruction's squared error, or its importance-sampled NLL. */
export type AnomalyScore = 'elbo' | 'reconstruction' | 'nll';
export const ANOMALY_SCORES: readonly AnomalyScore[] = ['elbo', 'reconstruction', 'nll'];

export interface AnomalyScoreOptions {
  model: Model;
  /** [n, D] preprocessed examples. */
  x: Float32Array;
  score: AnomalyScore;
  /** A conditional model's class label per example [n]: every score is then conditioned on it. */
  labels?: Int32Array;
  /** Draws z for `elbo` and `nll`. */
  rng: Rng;
  /** Importance samples for `nll` (default 100). */
  k?: number;
}

const BATCH = 500;

/**
 * A score per example, higher meaning more anomalous: `elbo` is the model's per-example training loss in evaluation
 * mode (the negative ELBO of a VAE, one sample of z; an autoencoder's reconstruction loss); `reconstruction` is
 * the summed squared error of decode(mean of q(z|x)); `nll` is -log p(x) by importance sampling with k samples.
 *
 * @example
 * const scores = anomalyScores({ model, x, score: 'elbo', rng: new Rng(1) }); // Float64Array [n]
 */
export function anomalyScores({ model, x, score, rng, labels, k = 100 }: AnomalyScoreOptions): Float64Array {
  const d = model.inputDim;
  const n = x.length / d;
  if (!Number.isInteger(n)) throw new UsageError(`anomalyScores: ${x.length} values are not a whole number of ${d}-value examples`);
  if (score === 'nll') return Float64Array.from(estimateNll({ model, x, k, rng, labels }).logPx, (v) => -v);
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += BATCH) {
    const b = Math.min(BATCH, n - start);
    const values = tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start * d, (start + b) * d), [b, d]); // [B, D]
      const yb = labels?.subarray(start, start + b); // [B]
      if (score === 'elbo') return model.loss(xb, { training: false, rng, klWeight: klWeight(model.config, 'unscheduled'), ...(yb && { labels: yb }) }).loss.dataSync();
      return tf.sum(tf.square(tf.sub(model.reconstruct(xb, yb), xb)), 1).dataSync(); // [B]
    });
    out.set(values, start);
  }
  return out;
}

/**
 * The q-quantile of `values` with linear interpolation between order statistics (numpy's default, type 7).
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q = ${q} is not in [0, 1]`);
  const sorted = Float64Array.from(values).sort();
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** An ROC curve: one point per distinct score threshold, from (0, 0) to (1, 1). */
export interface RocCurve {
  /** False positive rate at each point. */
  fpr: number[];
  /** True positive rate at each point. */
  tpr: number[];
  /** Flag examples with score >= threshold; the first point's threshold is +Infinity (nothing flagged). */
  thresholds: number[];
  /** Area under the curve: P(score of an anomaly > score of a normal example) + P(equal) / 2. */
  auc: number;
  positives: number;
  negatives: number;
}

/**
 * The exact ROC curve of scores against known anomalies (higher score = more anomalous). Tied scores move the curve
 * diagonally in one step, so the trapezoid area equals the Mann-Whitney statistic with ties counted one half.
 *
 * @example
 * rocCurve({ scores: [0.1, 0.4, 0.35, 0.8], anomalous: [false, false, true, true] }).auc; // 0.75
 */
export function rocCurve({ scores, anomalous }: { scores: ArrayLike<number>; anomalous: ArrayLike<boolean> }): RocCurve {
  const n = scores.length;
  if (anomalous.length !== n) throw new RangeError(`rocCurve: ${n} scores but ${anomalous.length} labels`);
  let positives = 0;
  for (let i = 0; i < n; i++) if (anomalous[i]) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new RangeError(`rocCurve needs both anomalies and normal examples; found ${positives} anomalies and ${negatives} normal`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  for (let i = 0; i < n; ) {
    const s = scores[order[i]];
    let j = i;
    for (; j < n && scores[order[j]] === s; j++) {
      if (anomalous[order[j]]) tp++;
      else fp++;
    }
    const x = fp / negatives;
    const y = tp / positives;
    auc += (x - fpr[fpr.length - 1]) * (y + tpr[tpr.length - 1]) / 2;
    fpr.push(x);
    tpr.push(y);
    thresholds.push(s);
    i = j;
  }
  return { fpr, tpr, thresholds, auc, positives, negatives };
}
