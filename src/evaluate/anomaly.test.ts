/** Anomaly scores and the ROC: exact AUC with ties, the Gaussian separation Phi(d / sqrt 2), quantiles, and scores without leaks. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/index.js';
import { buildModel } from '../models/index.js';
import { resolveConfig } from '../config/index.js';
import { anomalyScores, quantile, rocCurve } from './anomaly.js';
import { checkTensorCountPerTest, expectNoLeak } from '../../test/helpers.js';

/** Phi(x) by the Abramowitz-Stegun erf approximation (7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** AUC by counting every (anomaly, normal) pair: the Mann-Whitney statistic, ties one half. */
function pairwiseAuc(scores: number[], anomalous: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((s, i) => {
    if (!anomalous[i]) return;
    scores.forEach((t, j) => {
      if (anomalous[j]) return;
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('rocCurve', () => {
  it('gives the documented example and a perfect and a reversed ranking', () => {
    expect(rocCurve({ scores: [0.1, 0.4, 0.35, 0.8], anomalous: [false, false, true, true] }).auc).toBe(0.75);
    expect(rocCurve({ scores: [1, 2, 3, 4], anomalous: [false, false, true, true] }).auc).toBe(1);
    expect(rocCurve({ scores: [4, 3, 2, 1], anomalous: [false, false, true, true] }).auc).toBe(0);
  });

  it('counts ties as one half: all scores equal gives 0.5 and one diagonal step', () => {
    const roc = rocCurve({ scores: [2, 2, 2, 2, 2], anomalous: [true, false, false, true, false] });
    expect(roc.auc).toBe(0.5);
    expect(roc.fpr).toEqual([0, 1]);
    expect(roc.tpr).toEqual([0, 1]);
  });

  it('equals the pairwise Mann-Whitney count on heavily tied integer scores', () => {
    const rng = new Rng(3);
    const scores = Array.from({ length: 300 }, () => rng.int(6));
    const anomalous = scores.map((s) => rng.uniform() < 0.2 + 0.1 * s);
    const roc = rocCurve({ scores, anomalous });
    expect(roc.auc).toBeCloseTo(pairwiseAuc(scores, anomalous), 12);
    expect(roc.fpr.at(-1)).toBe(1);
    expect(roc.tpr.at(-1)).toBe(1);
    expect(roc.thresholds.length).toBe(new Set(scores).size + 1);
  });

  it('recovers Phi(d / sqrt 2) for two unit Gaussians d apart', () => {
    const rng = new Rng(11);
    for (const d of [0.5, 1, 2]) {
      const n = 20000;
      const scores = [...Array.from({ length: n }, () => rng.normal()), ...Array.from({ length: n }, () => d + rng.normal())];
      const anomalous = scores.map((_, i) => i >= n);
      const expected = normalCdf(d / Math.SQRT2);
      // The AUC's standard error is below 0.003 at n = 20000 per class.
      expect(Math.abs(rocCurve({ scores, anomalous }).auc - expected)).toBeLessThan(0.01);
    }
  });

  it('refuses labels of one class', () => {
    expect(() => rocCurve({ scores: [1, 2], anomalous: [true, true] })).toThrow(/both anomalies and normal/);
  });
});

describe('quantile', () => {
  it('interpolates between order statistics like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0)).toBe(1);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
    expect(quantile(Array.from({ length: 101 }, (_, i) => i), 0.99)).toBeCloseTo(99, 12);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
  });
});

describe('anomalyScores', () => {
  checkTensorCountPerTest();
  const config = resolveConfig({ preset: 'swiss-roll-vae' });
  const x = new Rng(2).normalArray(2 * 40);

  it('gives one finite score per example for each kind, leaking no tensors', async () => {
    const model = buildModel(config.model, 2, new Rng(1));
    try {
      for (const score of ['elbo', 'reconstruction', 'nll'] as const) {
        const s = await expectNoLeak(() => anomalyScores({ model, x, score, rng: new Rng(4), k: 20 }));
        expect(s.length).toBe(40);
        expect(s.every(Number.isFinite)).toBe(true);
      }
    } finally {
      model.dispose();
    }
  });

  it('reconstruction is the summed squared error of reconstruct(x)', async () => {
    const model = buildModel(config.model, 2, new Rng(1));
    try {
      const s = anomalyScores({ model, x, score: 'reconstruction', rng: new Rng(4) });
      const { tf } = await import('../engine/index.js');
      const r = tf.tidy(() => model.reconstruct(tf.tensor2d(x, [40, 2])).dataSync());
      for (let i = 0; i < 40; i++) expect(s[i]).toBeCloseTo((r[2 * i] - x[2 * i]) ** 2 + (r[2 * i + 1] - x[2 * i + 1]) ** 2, 4);
    } finally {
      model.dispose();
    }
  });
});
