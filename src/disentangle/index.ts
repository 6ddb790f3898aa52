/**
 * Disentanglement metrics, as google-research/disentanglement_lib defines them: the beta-VAE and FactorVAE scores,
 * MIG, SAP, DCI and modularity. Pure functions over codes [N, L] and factors [N, K]; `disentanglementScores` runs them
 * all on a ground-truth generator and an encoder.
 */
import { Rng } from '../engine/rng.js';
import type { GroundTruth } from '../data/factors.js';
import { mig } from './mig.js';
import { modularity } from './modularity.js';
import { sap } from './sap.js';
import { dci } from './dci.js';
import { betaVaeScore, factorVaeScore } from './intervention.js';
import { sampleCodes } from './sample.js';
import type { Represent } from './types.js';

export { mig, type MigResult } from './mig.js';
export { modularity, modularityPerCode, type ModularityResult } from './modularity.js';
export { sap, svmAccuracy, squaredHingeSvm, SAP_SVM_C, type SapResult } from './sap.js';
export { dci, dciFromImportance, DCI_BOOSTING, type DciResult } from './dci.js';
export { betaVaeScore, factorVaeScore, INTERVENTION_DEFAULTS, PRUNE_STD, type ScoreResult, type InterventionSettings } from './intervention.js';
export { mutualInfo, mutualInfoMatrix, entropy, discretize, classesOf, MI_BINS } from './mutual-info.js';
export { fitLogistic, LOGISTIC } from './logistic.js';
export { sampleCodes } from './sample.js';
export type { Table, Represent, GroundTruth } from './types.js';

/** disentanglement_lib's points: 10,000 for training MIG, SAP, DCI and modularity, 5,000 for testing SAP and DCI. */
export const DEFAULT_POINTS = 10_000;
/**
 * Points for the beta-VAE and FactorVAE scores' classifiers (evaluation on half as many). disentanglement_lib uses
 * 10,000 (5,000), i.e. 1.9 million encoded examples for the beta-VAE score; vaekit's default is a tenth of that, which
 * moves the scores by about 1 point (their standard error at 500 evaluation points is about 2 points).
 */
export const DEFAULT_SCORE_POINTS = 1_000;

export interface DisentanglementOptions {
  truth: GroundTruth;
  represent: Represent;
  seed: number | string;
  /** Training points of MIG, SAP, DCI and modularity (default 10,000); SAP and DCI test on half as many. */
  n?: number;
  /** Training points of the beta-VAE and FactorVAE scores (default 1,000); they evaluate on half as many. */
  scorePoints?: number;
  /** Called before each step with its name, so a caller can show what is running. */
  onStep?: (step: string) => void;
}

/**
 * Every metric of an encoder on a ground-truth dataset, with the settings each used; seeded, so the same seed gives the
 * same numbers.
 *
 * @example
 * const scores = disentanglementScores({ truth: dspritesTruth, represent: (x, n) => encode(x, n), seed: 0 });
 * scores.mig.mig; scores.dci.disentanglement;
 */
export function disentanglementScores({ truth, represent, seed, n = DEFAULT_POINTS, scorePoints = DEFAULT_SCORE_POINTS, onStep = () => {} }: DisentanglementOptions) {
  const rng = new Rng(`${seed}:disentangle`);
  onStep(`encoding ${n + Math.ceil(n / 2)} sampled ${truth.name} examples`);
  const train = sampleCodes(truth, represent, n, rng);
  const test = sampleCodes(truth, represent, Math.ceil(n / 2), rng);
  onStep('MIG and modularity');
  const migResult = mig(train.codes, train.factors);
  const modularityResult = modularity(train.codes, train.factors);
  onStep('SAP');
  const sapResult = sap(train, test);
  onStep('DCI');
  const dciResult = dci(train, test);
  const settings = { batchSize: 64, numTrain: scorePoints, numEval: Math.ceil(scorePoints / 2) };
  onStep(`beta-VAE score (${settings.numTrain + settings.numEval} points x 2 x 64 examples)`);
  const beta = betaVaeScore(truth, represent, rng, settings);
  onStep(`FactorVAE score (${settings.numTrain + settings.numEval} points x 64 examples)`);
  const factor = factorVaeScore(truth, represent, rng, settings);
  return {
    data: truth.name,
    factors: [...truth.factorNames],
    factorSizes: [...truth.factorSizes],
    latentDim: train.codes.dim,
    seed,
    betaVae: { score: beta.evalAccuracy, ...beta },
    factorVae: { score: factor.evalAccuracy, ...factor },
    mig: { ...migResult, numTrain: n },
    sap: { ...sapResult, numTrain: n, numTest: test.codes.n, classifier: 'one-vs-rest linear SVM per code, squared hinge, C = 0.01, balanced class weights' },
    dci: { ...dciResult, numTrain: n, numTest: test.codes.n, regressor: 'gradient-boosted regression stumps on the factor class index (100 rounds, learning rate 0.1)' },
    modularity: { ...modularityResult, numTrain: n },
  };
}

export type DisentanglementScores = ReturnType<typeof disentanglementScores>;
