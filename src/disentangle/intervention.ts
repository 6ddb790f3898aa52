/**
 * The two scores that generate their own examples with a factor held fixed: the beta-VAE score (Higgins et al. 2017)
 * and the FactorVAE score (Kim & Mnih 2018), as disentanglement_lib's beta_vae.py and factor_vae.py.
 */
import type { Rng } from '../engine/rng.js';
import { fitLogistic, LOGISTIC } from './logistic.js';
import { sampleCodes } from './sample.js';
import type { GroundTruth, Represent } from './types.js';

/** disentanglement_lib's settings for both scores: 64 examples per point, 10,000 training and 5,000 evaluation points. */
export const INTERVENTION_DEFAULTS = { batchSize: 64, numTrain: 10_000, numEval: 5_000, numVarianceEstimate: 10_000 } as const;
/**
 * The FactorVAE score drops codes whose standard deviation over the data is below this (Kim & Mnih's collapsed units):
 * disentanglement_lib's unsupervised study sets `prune_dims.threshold = 0.05` in its factor_vae_metric.gin.
 */
export const PRUNE_STD = 0.05;

export interface InterventionSettings {
  batchSize?: number;
  numTrain?: number;
  numEval?: number;
}

/** Examples per call of `represent`: points are generated in groups so the encoder sees batches of about this size. */
const GROUP_ROWS = 2048;

/**
 * Generates `points` groups of `batchSize` factor rows each with one factor (drawn uniformly) held at a common value,
 * encodes them, and hands each point's codes [batchSize, L] (and a second batch for the beta-VAE score's pairs) to
 * `visit`. Points are generated in groups so `represent` sees about GROUP_ROWS rows at once.
 */
function forEachPoint(
  truth: GroundTruth,
  represent: Represent,
  rng: Rng,
  { points, batchSize, pairs }: { points: number; batchSize: number; pairs: boolean },
  visit: (factor: number, codes: Float32Array, other?: Float32Array) => void,
): void {
  const K = truth.factorSizes.length;
  const perGroup = Math.max(1, Math.floor(GROUP_ROWS / (batchSize * (pairs ? 2 : 1))));
  for (let start = 0; start < points; start += perGroup) {
    const g = Math.min(perGroup, points - start);
    const rows = g * batchSize * (pairs ? 2 : 1);
    const factors = truth.sampleFactors(rows, rng); // [rows, K]
    const fixed = Int32Array.from({ length: g }, () => rng.int(K));
    for (let p = 0; p < g; p++) {
      const k = fixed[p];
      if (pairs) {
        // beta-VAE: example i of the second batch shares factor k with example i of the first.
        const a = p * 2 * batchSize;
        for (let i = 0; i < batchSize; i++) factors[(a + batchSize + i) * K + k] = factors[(a + i) * K + k];
      } else {
        // FactorVAE: every example of the batch takes the first example's value of factor k.
        const a = p * batchSize;
        for (let i = 1; i < batchSize; i++) factors[(a + i) * K + k] = factors[a * K + k];
      }
    }
    const codes = represent(truth.observe(factors, rows), rows);
    const L = codes.length / rows;
    for (let p = 0; p < g; p++) {
      if (pairs) {
        const a = p * 2 * batchSize * L;
        visit(fixed[p], codes.subarray(a, a + batchSize * L), codes.subarray(a + batchSize * L, a + 2 * batchSize * L));
      } else {
        visit(fixed[p], codes.subarray(p * batchSize * L, (p + 1) * batchSize * L));
      }
    }
  }
}

export interface ScoreResult {
  trainAccuracy: number;
  evalAccuracy: number;
}

/**
 * The beta-VAE score: for each point, a factor k is drawn, two batches of `batchSize` examples share factor k pairwise
 * and are otherwise independent, and the point's feature is mean_i |z1_i - z2_i| [L]; a linear classifier predicts k
 * from the feature. The classifier is multinomial logistic regression (L2, C = 1: sklearn's defaults, as
 * disentanglement_lib) fitted by 500 steps of full-batch gradient descent on standardized features. The score is its
 * accuracy on `numEval` fresh points. Defaults: batchSize 64, numTrain 10,000, numEval 5,000.
 *
 * @example
 * betaVaeScore(groundTruth, represent, new Rng(0), { numTrain: 1000, numEval: 500 }).evalAccuracy;
 */
export function betaVaeScore(truth: GroundTruth, represent: Represent, rng: Rng, settings: InterventionSettings = {}): ScoreResult & Required<InterventionSettings> & { classifier: string } {
  const { batchSize, numTrain, numEval } = { ...INTERVENTION_DEFAULTS, ...settings };
  const K = truth.factorSizes.length;
  const features = (points: number) => {
    const labels = new Int32Array(points);
    let x: Float64Array | undefined;
    let i = 0;
    forEachPoint(truth, represent, rng, { points, batchSize, pairs: true }, (k, z1, z2) => {
      const L = z1.length / batchSize;
      x ??= new Float64Array(points * L); // [points, L]
      for (let b = 0; b < batchSize; b++) for (let l = 0; l < L; l++) x[i * L + l] += Math.abs(z1[b * L + l] - z2![b * L + l]) / batchSize;
      labels[i++] = k;
    });
    return { x: x!, labels, L: x!.length / points };
  };
  const train = features(numTrain);
  const test = features(numEval);
  const clf = fitLogistic(train.x, numTrain, train.L, train.labels, K);
  const acc = (set: { x: Float64Array; labels: Int32Array; L: number }, n: number) => {
    let right = 0;
    for (let i = 0; i < n; i++) if (clf.predict(set.x.subarray(i * set.L, (i + 1) * set.L)) === set.labels[i]) right++;
    return right / n;
  };
  return {
    trainAccuracy: acc(train, numTrain),
    evalAccuracy: acc(test, numEval),
    batchSize,
    numTrain,
    numEval,
    classifier: `multinomial logistic regression, L2 with C = ${LOGISTIC.c}, ${LOGISTIC.iterations} gradient-descent steps on standardized features`,
  };
}

/**
 * The FactorVAE score: codes are divided by their standard deviation over `numVarianceEstimate` random examples
 * (codes with standard deviation below PRUNE_STD, collapsed to the prior, are dropped); for each point a factor k is
 * fixed across a batch of `batchSize` examples and the point votes for (k, the code of least normalized variance in the
 * batch); the majority-vote classifier maps each code to the factor it got most votes with, and the score is its
 * accuracy on `numEval` fresh points. 0 when every code is pruned (a constant code). Defaults: 64, 10,000, 5,000, 10,000.
 *
 * @example
 * factorVaeScore(groundTruth, represent, new Rng(0)).evalAccuracy;
 */
export function factorVaeScore(
  truth: GroundTruth,
  represent: Represent,
  rng: Rng,
  settings: InterventionSettings & { numVarianceEstimate?: number } = {},
): ScoreResult & Required<InterventionSettings> & { numVarianceEstimate: number; activeDims: number; pruneStd: number } {
  const { batchSize, numTrain, numEval, numVarianceEstimate } = { ...INTERVENTION_DEFAULTS, ...settings };
  const K = truth.factorSizes.length;
  const nv = numVarianceEstimate;
  const global = variances(sampleCodes(truth, represent, nv, rng).codes.data, nv);
  const L = global.length;
  const active = Array.from({ length: L }, (_, l) => l).filter((l) => Math.sqrt(global[l]) >= PRUNE_STD);
  const base = { batchSize, numTrain, numEval, numVarianceEstimate, activeDims: active.length, pruneStd: PRUNE_STD };
  if (active.length === 0) return { trainAccuracy: 0, evalAccuracy: 0, ...base };
  const votes = (points: number) => {
    const v = new Float64Array(K * L); // [K, L]
    forEachPoint(truth, represent, rng, { points, batchSize, pairs: false }, (k, z) => {
      const local = variances(z, batchSize);
      let best = active[0];
      for (const l of active) if (local[l] / global[l] < local[best] / global[best]) best = l;
      v[k * L + best]++;
    });
    return v;
  };
  const train = votes(numTrain);
  const test = votes(numEval);
  // Each code's class: the factor it was voted with most (the lower factor on a tie, as np.argmax).
  const classOf = Array.from({ length: L }, (_, l) => {
    let best = 0;
    for (let k = 1; k < K; k++) if (train[k * L + l] > train[best * L + l]) best = k;
    return best;
  });
  const accuracy = (v: Float64Array, n: number) => classOf.reduce((s, k, l) => s + v[k * L + l], 0) / n;
  return { trainAccuracy: accuracy(train, numTrain), evalAccuracy: accuracy(test, numEval), ...base };
}

/** The unbiased variance (ddof 1) of each column of codes [n, L]. */
function variances(z: Float32Array, n: number): Float64Array {
  const L = z.length / n;
  const mean = new Float64Array(L);
  const out = new Float64Array(L);
  for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) mean[l] += z[i * L + l] / n;
  for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) out[l] += (z[i * L + l] - mean[l]) ** 2 / (n - 1);
  return out;
}
