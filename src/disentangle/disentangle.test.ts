// The disentanglement metrics on codes with known answers: hand-worked mutual information and DCI entropies, codes that
// copy the factors, a rotation of them, and a constant code; seeded.
import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/rng.js';
import { dspritesTruth, xySquaresTruth, type GroundTruth } from '../data/factors.js';
import {
  betaVaeScore,
  dci,
  dciFromImportance,
  discretize,
  entropy,
  factorVaeScore,
  fitLogistic,
  mig,
  modularity,
  modularityPerCode,
  mutualInfo,
  sap,
  svmAccuracy,
  squaredHingeSvm,
  disentanglementScores,
  type Table,
} from './index.js';

/** Factor-index rows [n, K] of a ground truth, as values. */
function factorRows(truth: GroundTruth, n: number, rng: Rng): Table {
  return { data: Float32Array.from(truth.sampleFactors(n, rng)), n, dim: truth.factorSizes.length };
}

/** Each column shifted and scaled to mean 0, variance 1: the copy code. */
function standardize(t: Table): Table {
  const out = new Float32Array(t.data.length);
  for (let j = 0; j < t.dim; j++) {
    let m = 0;
    let v = 0;
    for (let i = 0; i < t.n; i++) m += t.data[i * t.dim + j] / t.n;
    for (let i = 0; i < t.n; i++) v += (t.data[i * t.dim + j] - m) ** 2 / t.n;
    for (let i = 0; i < t.n; i++) out[i * t.dim + j] = (t.data[i * t.dim + j] - m) / Math.sqrt(v);
  }
  return { data: out, n: t.n, dim: t.dim };
}

/** A d x d orthogonal matrix: Gram-Schmidt on seeded Gaussian columns. */
function randomRotation(d: number, rng: Rng): Float64Array {
  const q = new Float64Array(d * d); // [d, d], column j is q[., j]
  for (let j = 0; j < d; j++) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i] * q[i * d + p];
      for (let i = 0; i < d; i++) v[i] -= dot * q[i * d + p];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < d; i++) q[i * d + j] = v[i] / norm;
  }
  return q;
}

/** Rows times q: [n, d] x [d, d]. */
function rotate(t: Table, q: Float64Array): Table {
  const d = t.dim;
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < t.n; i++) {
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += t.data[i * d + b] * q[b * d + a];
      out[i * d + a] = s;
    }
  }
  return { data: out, n: t.n, dim: d };
}

const constant = (n: number, dim: number): Table => ({ data: new Float32Array(n * dim).fill(0.3), n, dim });
/** The 45-degree rotation, the most mixing a 2-D rotation can do. */
const ROTATE_45 = Float64Array.of(Math.SQRT1_2, -Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2);

describe('mutual information', () => {
  it('matches a hand-worked contingency table', () => {
    // a = 0 0 1 1, b = 0 1 1 1: cells (0,0) 1, (0,1) 1, (1,1) 2 of 4; p(a) = 1/2, 1/2; p(b) = 1/4, 3/4.
    // I = 1/4 log(1/4 / (1/2 * 1/4)) + 1/4 log(1/4 / (1/2 * 3/4)) + 1/2 log(1/2 / (1/2 * 3/4)) = 1/4 log 2 + 1/4 log(2/3) + 1/2 log(4/3)
    const expected = 0.25 * Math.log(2) + 0.25 * Math.log(2 / 3) + 0.5 * Math.log(4 / 3); // 0.21576
    expect(mutualInfo(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 1, 1))).toBeCloseTo(expected, 12);
    expect(mutualInfo(Int32Array.of(0, 0, 1, 1), Int32Array.of(5, 5, 7, 7))).toBeCloseTo(Math.log(2), 12);
    expect(mutualInfo(Int32Array.of(0, 1, 0, 1), Int32Array.of(0, 0, 1, 1))).toBe(0);
    expect(entropy(Int32Array.of(0, 1, 2, 3))).toBeCloseTo(Math.log(4), 12);
  });

  it('bins like np.digitize(x, np.histogram(x, bins)[1][:-1])', () => {
    expect(Array.from(discretize(Float32Array.of(0, 0.5, 1), 2))).toEqual([1, 2, 2]);
    expect(Array.from(discretize(Float32Array.of(0, 0.24, 0.26, 0.99, 1), 4))).toEqual([1, 1, 2, 4, 4]);
    expect(Array.from(discretize(Float32Array.of(3, 3, 3), 20))).toEqual([11, 11, 11]);
    // numpy 2: np.digitize(v, np.histogram(v, 4)[1][:-1]) for this float32 array.
    expect(Array.from(discretize(Float32Array.of(0.3, -1.2, 2.7, 0, 0.9, 2.7, -1.2, 1.5, 0.45, 2), 4))).toEqual([2, 1, 4, 2, 3, 4, 1, 3, 2, 4]);
  });
});

describe('DCI and modularity from their matrices', () => {
  it('DCI: one code per factor scores 1, spread importance 0, a factor split over two codes is not complete', () => {
    expect(dciFromImportance([1, 0, 0, 1], 2, 2)).toEqual({ disentanglement: 1, completeness: 1 });
    expect(dciFromImportance([1, 1, 1, 1], 2, 2)).toEqual({ disentanglement: 0, completeness: 0 });
    // Codes 0 and 1 both serve factor 0 only: each code is pure (D = 1), factor 0 is spread over 2 codes (C = 0).
    const split = dciFromImportance([1, 0, 1, 0], 2, 2);
    expect(split.disentanglement).toBeCloseTo(1, 12);
    expect(split.completeness).toBeCloseTo(0, 12);
    expect(dciFromImportance([0, 0, 0, 0], 2, 2)).toEqual({ disentanglement: 0, completeness: 0 });
  });

  it('modularity: 1 - sum of the other factors\' squared MI over (K - 1) times the largest', () => {
    // Code 0: MI (2, 1, 0) -> 1 - (1 + 0) / (4 * 2) = 0.875; code 1: no information -> 0.
    expect(modularityPerCode([2, 1, 0, 0, 0, 0], 2, 3)).toEqual([0.875, 0]);
  });
});

describe('metrics on codes with known answers', () => {
  // dSprites' factors (3, 6, 40, 32, 32 values) and the 2-factor set's (13, 13), 5,000 training and 2,500 test rows.
  const cases = [
    // MIG of the copy code is below 1 on dSprites by construction: 20 bins cannot hold the 40 orientations or the 32
    // positions, so I(z; v) < H(v) for those factors (about 0.81 and 0.86 of it).
    { truth: dspritesTruth, migCopy: 0.85, rotation: (rng: Rng) => randomRotation(5, rng) },
    { truth: xySquaresTruth, migCopy: 0.98, rotation: () => ROTATE_45 },
  ];
  for (const { truth, migCopy, rotation } of cases) {
    describe(truth.name, () => {
      const rng = new Rng(`${truth.name}:metrics`);
      const trainFactors = factorRows(truth, 5000, rng);
      const testFactors = factorRows(truth, 2500, rng);
      const q = rotation(rng);
      const copy = { train: { codes: standardize(trainFactors), factors: trainFactors }, test: { codes: standardize(testFactors), factors: testFactors } };
      const rotated = { train: { codes: rotate(copy.train.codes, q), factors: trainFactors }, test: { codes: rotate(copy.test.codes, q), factors: testFactors } };
      const flat = { train: { codes: constant(5000, trainFactors.dim), factors: trainFactors }, test: { codes: constant(2500, trainFactors.dim), factors: testFactors } };

      it(`a copy of the factors: MIG > ${migCopy}, DCI disentanglement and completeness > 0.97, informativeness > 0.9, modularity > 0.97`, () => {
        expect(mig(copy.train.codes, copy.train.factors).mig).toBeGreaterThan(migCopy);
        const d = dci(copy.train, copy.test);
        expect(d.disentanglement).toBeGreaterThan(0.97);
        expect(d.completeness).toBeGreaterThan(0.97);
        // 100 shrunken stumps do not quite fit 40 orientation classes: about 0.93 on dSprites, 1 on the 2-factor set.
        expect(d.informativeness).toBeGreaterThan(0.9);
        expect(modularity(copy.train.codes, copy.train.factors).modularity).toBeGreaterThan(0.97);
      });

      it('a rotation of it: MIG lower by 0.4, DCI disentanglement by 0.4, modularity lower, SAP no higher', () => {
        const before = { mig: mig(copy.train.codes, copy.train.factors).mig, d: dci(copy.train, copy.test).disentanglement, m: modularity(copy.train.codes, copy.train.factors).modularity, s: sap(copy.train, copy.test).sap };
        const after = { mig: mig(rotated.train.codes, rotated.train.factors).mig, d: dci(rotated.train, rotated.test).disentanglement, m: modularity(rotated.train.codes, rotated.train.factors).modularity, s: sap(rotated.train, rotated.test).sap };
        expect(before.mig - after.mig).toBeGreaterThan(0.4);
        expect(before.d - after.d).toBeGreaterThan(0.4);
        expect(before.m - after.m).toBeGreaterThan(0.02);
        expect(after.s).toBeLessThanOrEqual(before.s + 1e-9);
      });

      it('a constant code: MIG, SAP, DCI disentanglement and completeness and modularity are 0', () => {
        expect(mig(flat.train.codes, flat.train.factors).mig).toBe(0);
        expect(sap(flat.train, flat.test).sap).toBe(0);
        const d = dci(flat.train, flat.test);
        expect([d.disentanglement, d.completeness]).toEqual([0, 0]);
        expect(modularity(flat.train.codes, flat.train.factors).modularity).toBe(0);
      });
    });
  }

  it('is seeded: the same rows give the same numbers', () => {
    const a = factorRows(xySquaresTruth, 1000, new Rng(3));
    const b = factorRows(xySquaresTruth, 1000, new Rng(3));
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    const codes = rotate(standardize(a), ROTATE_45);
    expect(dci({ codes, factors: a }, { codes, factors: a })).toEqual(dci({ codes: rotate(standardize(b), ROTATE_45), factors: b }, { codes, factors: a }));
  });
});

describe('SAP', () => {
  it("a code that separates two classes scores accuracy 1, a code independent of them the larger class's share or less", () => {
    const x = Float32Array.of(-3, -2, -1.5, -1, 1, 1.5, 2, 3);
    const y = Float32Array.of(0, 0, 0, 0, 1, 1, 1, 1);
    expect(svmAccuracy(x, y, x, y)).toBe(1);
    const noise = Float32Array.of(1, -1, 1, -1, 1, -1, 1, -1);
    expect(svmAccuracy(noise, y, noise, y)).toBeLessThanOrEqual(0.5);
  });

  it('the one-vs-rest SVM reaches the minimum scipy finds for the same objective', () => {
    // scipy.optimize.minimize (Nelder-Mead, then BFGS) of (w^2 + b^2) / 2 + C sum_i s_i max(0, 1 - y_i (w x_i + b))^2,
    // balanced weights n / (3 n_c) = 1 here (4 examples per class); reference values printed by scipy 1.17.
    const x = Float32Array.of(-2, -1.5, -1.2, -0.3, 0.1, 0.4, 0.5, 1.1, 1.7, 2.2, 2.5, -0.8);
    const labels = Int32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 1, 0);
    const weight = Float64Array.of(12 / (3 * 4), 12 / (3 * 4), 12 / (3 * 4));
    const reference: [number, number, number, number][] = [
      [0.01, 0, -0.18299774893508552, -0.05654686914417183],
      [0.01, 1, 0.038886476881784315, -0.06620957481575249],
      [0.01, 2, 0.11465182112009042, -0.0695090313400813],
      [0.5, 0, -0.9362139967633702, -0.4526749032467614],
      [0.5, 1, 0.14429424512247774, -0.33766110674674404],
      [0.5, 2, 0.3895427092022003, -0.40257088626439236],
    ];
    for (const [c, cls, w, b] of reference) {
      const fit = squaredHingeSvm(x, labels, cls, weight, c);
      expect(fit.w).toBeCloseTo(w, 6);
      expect(fit.b).toBeCloseTo(b, 6);
    }
    // Unequal classes (7, 2, 3): the positive class weighs n / (3 n_c), the rest 1, as liblinear's one-vs-rest.
    const unequal = Int32Array.of(0, 0, 0, 0, 0, 0, 2, 2, 1, 2, 1, 0);
    const balanced = Float64Array.of(12 / 21, 12 / 6, 12 / 9);
    const referenceUnequal: [number, number, number][] = [
      [0, -0.7516236129356647, 0.23281859117404635],
      [1, 0.5610055178604634, -0.814224394067285],
      [2, 0.29436667453993215, -0.44279906043295825],
    ];
    for (const [cls, w, b] of referenceUnequal) {
      const fit = squaredHingeSvm(x, unequal, cls, balanced, 0.5);
      expect(fit.w).toBeCloseTo(w, 6);
      expect(fit.b).toBeCloseTo(b, 6);
    }
  });

  it('continuous factors: R^2 per code and factor, hand-worked; a constant code scores 0', () => {
    const factors: Table = { data: Float32Array.of(0, 5, 1, 3, 2, 1, 3, 4, 4, 2), n: 5, dim: 2 };
    const codes: Table = { data: Float32Array.of(0, 0, 1, 0, 2, 0, 3, 0, 4, 0), n: 5, dim: 2 }; // code 0 copies factor 0; code 1 is constant
    const s = sap({ codes, factors }, { codes, factors }, { continuous: true });
    expect(s.scores[0]).toBeCloseTo(1, 6); // code 0, factor 0
    // Code 0 against factor 1 (5 3 1 4 2): sum (z - 2)(v - 3) = -4 + 0 + 0 + 1 - 2 = -5, sum (z - 2)^2 = sum (v - 3)^2 = 10.
    expect(s.scores[1]).toBeCloseTo(25 / 100, 6);
    expect(s.scores[2] + s.scores[3]).toBe(0); // the constant code
    expect(s.sap).toBeCloseTo((1 + 0.25) / 2, 6);
  });
});

describe('beta-VAE and FactorVAE scores', () => {
  it("the beta-VAE score's classifier reaches the probabilities of scipy's minimum of the same objective", () => {
    // scipy.optimize.minimize (BFGS) of mean_i -log softmax(W x_i + b)[y_i] + |W|^2 / (2 C n), C = 1, on features
    // standardized by their mean and population standard deviation; p(class | x) at two query rows.
    const x = Float64Array.of(0.1, 1, 0.3, 0.8, 0.2, 1.4, 1.1, 0.2, 0.9, 0.1, 1.3, 0.5, 0.5, 0.5, 0.6, 0.7, 0.4, 0.2, 1, 1, 0, 0.1, 0.8, 1.2);
    const y = Int32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 2, 0);
    const clf = fitLogistic(x, 12, 2, y, 3);
    const expected = [
      [0.0876984787199444, 0.4344922144779019, 0.47780930680215355],
      [0.6566242869390045, 0.039810232663224525, 0.3035654803977709],
    ];
    [Float64Array.of(0.7, 0.3), Float64Array.of(0.2, 0.9)].forEach((row, i) => {
      const p = clf.probabilities(row);
      for (let k = 0; k < 3; k++) expect(Math.abs(p[k] - expected[i][k])).toBeLessThan(2e-3);
    });
  });

  // The observation is the factor row itself, so `represent` is the code directly: a copy, a rotation or a constant.
  const onFactors = (truth: GroundTruth): GroundTruth => ({ ...truth, observe: (f) => Float32Array.from(f) });
  const settings = { numTrain: 400, numEval: 200 };

  it('score 1 for a copy of the factors, chance and 0 for a constant code', () => {
    for (const truth of [dspritesTruth, xySquaresTruth].map(onFactors)) {
      const K = truth.factorSizes.length;
      const copy = (x: Float32Array) => x;
      const flat = (_: Float32Array, n: number) => new Float32Array(n * K).fill(1);
      expect(betaVaeScore(truth, copy, new Rng(1), settings).evalAccuracy).toBeGreaterThan(0.98);
      expect(factorVaeScore(truth, copy, new Rng(1), settings).evalAccuracy).toBeGreaterThan(0.98);
      // A constant code gives every point the same feature: the classifier can do no better than the most common factor.
      expect(betaVaeScore(truth, flat, new Rng(1), settings).evalAccuracy).toBeLessThan(1 / K + 0.1);
      const fv = factorVaeScore(truth, flat, new Rng(1), settings);
      expect([fv.evalAccuracy, fv.activeDims]).toEqual([0, 0]);
    }
  });

  it('the FactorVAE score of the 2-factor set drops to about 1/2 when both codes mix both factors at 45 degrees', () => {
    const truth = onFactors(xySquaresTruth);
    const mixed = (x: Float32Array, n: number) => rotate({ data: x, n, dim: 2 }, ROTATE_45).data;
    // Fixing one factor shrinks both rotated codes' variance by the same factor of 2, so the argmin is a coin flip.
    expect(factorVaeScore(truth, mixed, new Rng(1), settings).evalAccuracy).toBeLessThan(0.75);
  });
});

describe('disentanglementScores', () => {
  it('runs every metric on sampled examples, names each step, and scores a copy of the 2-factor set near 1', () => {
    const truth: GroundTruth = { ...xySquaresTruth, observe: (f) => Float32Array.from(f) };
    const steps: string[] = [];
    const s = disentanglementScores({ truth, represent: (x) => x, seed: 4, n: 2000, scorePoints: 200, onStep: (step) => steps.push(step) });
    expect(steps).toEqual(['encoding 3000 sampled xy-squares examples', 'MIG and modularity', 'SAP', 'DCI', 'beta-VAE score (300 points x 2 x 64 examples)', 'FactorVAE score (300 points x 64 examples)']);
    expect(s.mig.mig).toBeGreaterThan(0.98);
    expect(s.dci.disentanglement).toBeGreaterThan(0.97);
    expect(s.modularity.modularity).toBeGreaterThan(0.97);
    expect(s.betaVae.score).toBeGreaterThan(0.98);
    expect(s.factorVae.score).toBeGreaterThan(0.98);
    expect([s.mig.numTrain, s.sap.numTest, s.betaVae.numTrain, s.betaVae.numEval]).toEqual([2000, 1000, 200, 100]);
    expect(disentanglementScores({ truth, represent: (x) => x, seed: 4, n: 2000, scorePoints: 200 })).toEqual(s);
  });
});
