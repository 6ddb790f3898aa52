/**
 * The report's disentanglement section: the factor x code mutual-information heat map, a traversal of the code that
 * captures each factor most, and the metrics table rows, from a model and its disentanglement scores.
 */
import { Rng } from '../engine/index.js';
import { groundTruthFor, type Dataset, type GroundTruth } from '../data/index.js';
import { modelKind, type Model } from '../models/index.js';
import { DEFAULT_POINTS, mig, sampleCodes, type DisentanglementScores, type MigResult } from '../disentangle/index.js';
import { decodeCodes, encodeMeans, row, traverse } from '../latent/index.js';
import { heatmapSpec, imageGrid, renderChart } from '../figures/index.js';
import type { Figure } from './figures.js';

/** What the heat map and the per-factor traversal read: the factors, the latent size and MIG's matrix. */
export type FactorInfo = Pick<DisentanglementScores, 'data' | 'factors' | 'latentDim'> & { mig: MigResult & { numTrain: number } };

/** The file the scores are kept in, in the run folder, for the report to read. */
export const DISENTANGLEMENT_FILE = 'disentanglement.json';

/**
 * I(z_l; v_k) / H(v_k) for each factor (row) and code (column): the normalized mutual information MIG reads, as a heat map.
 *
 * @example
 * const fig = mutualInfoFigure(scores); // fig.files: disentangle-mi.png, disentangle-mi.svg
 */
export function mutualInfoFigure(scores: FactorInfo): Figure {
  const { normalized, K, L } = normalizedMutualInfo(scores);
  const spec = heatmapSpec({
    values: normalized,
    rows: scores.factors,
    cols: Array.from({ length: L }, (_, l) => `z${l}`),
    valueTitle: 'I(z; v) / H(v)',
    rowTitle: 'factor',
    colTitle: 'latent dimension (encoder mean)',
  });
  const { svg, png } = renderChart(spec);
  const caption = `Mutual information between each factor of ${scores.data} (rows) and each latent dimension's encoder mean, discretized into ${scores.mig.bins} bins (columns), divided by the factor's entropy; ${scores.mig.numTrain} sampled examples. A disentangled code has one bright cell per row and per column. MIG ${scores.mig.mig.toFixed(3)} (${K} factors).`;
  return { id: 'disentangle-mi', title: 'Factor x code mutual information', caption, files: [{ file: 'disentangle-mi.png', bytes: png }, { file: 'disentangle-mi.svg', bytes: svg }] };
}

/** The MIG matrix transposed to [K, L] and divided by each factor's entropy. */
function normalizedMutualInfo(scores: FactorInfo): { normalized: Float64Array; K: number; L: number } {
  const K = scores.factors.length;
  const L = scores.latentDim;
  const normalized = new Float64Array(K * L); // [K, L]
  for (let k = 0; k < K; k++) {
    const h = scores.mig.factorEntropy[k];
    for (let l = 0; l < L; l++) normalized[k * L + l] = h > 0 ? scores.mig.mutualInfo[l * K + k] / h : 0;
  }
  return { normalized, K, L };
}

/** For each factor, the latent dimension with the most mutual information about it. */
export function codeOfFactor(scores: FactorInfo): number[] {
  const { normalized, K, L } = normalizedMutualInfo(scores);
  return Array.from({ length: K }, (_, k) => {
    let best = 0;
    for (let l = 1; l < L; l++) if (normalized[k * L + l] > normalized[k * L + best]) best = l;
    return best;
  });
}

/**
 * One row per factor: the latent dimension that captures the factor most varied over [-range, range], the others
 * held at the encoder mean of one sampled example (seeded); rows are labelled 'factor: z_l'.
 *
 * @example
 * const fig = factorTraversalFigure(model, dspritesTruth, scores, { seed: 0 });
 */
export function factorTraversalFigure(model: Model, truth: GroundTruth, scores: FactorInfo, { seed = 0, range = 3, steps = 11 }: { seed?: number | string; range?: number; steps?: number } = {}): Figure {
  const dims = codeOfFactor(scores);
  const x = truth.observe(truth.sampleFactors(1, new Rng(`${seed}:factor-traversal`)), 1);
  const base = row(encodeMeans(model, { data: x, n: 1, dim: model.inputDim }), 0);
  const z = traverse({ latentDim: model.latentDim, dims, range, steps, base });
  const decoded = decodeCodes(model, z); // [K * steps, D]
  const labels = {
    title: 'the code of each factor varied, the others at one example\'s code',
    rows: dims.map((l, k) => `${truth.factorNames[k]}: z${l}`),
    cols: Array.from(z.values, (v) => (Math.abs(v) < 0.05 ? '0' : `${v > 0 ? '+' : ''}${v.toFixed(1)}`)),
  };
  const caption = `Row k: the latent dimension with the most mutual information about factor k (the heat map's brightest cell in that row) varied over [-${range}, ${range}], the other dimensions held at the encoder mean of one sampled ${truth.name} example. Two factors captured by the same dimension repeat it.`;
  return { id: 'disentangle-traversal', title: 'Traversal per factor', caption, files: [{ file: 'disentangle-traversal.png', bytes: imageGrid({ images: decoded.data, shape: [...truth.shape], rows: dims.length, cols: steps, labels }) }] };
}

/** The metrics as table rows (name, value, what it was computed with), for the report and the CLI. */
export function disentanglementRows(scores: DisentanglementScores): { metric: string; value: number; settings: string }[] {
  const { betaVae, factorVae, mig, sap, dci, modularity } = scores;
  return [
    { metric: 'beta-VAE score', value: betaVae.score, settings: `eval accuracy; ${betaVae.numTrain} train / ${betaVae.numEval} eval points of ${betaVae.batchSize} pairs; ${betaVae.classifier}` },
    { metric: 'FactorVAE score', value: factorVae.score, settings: `eval accuracy of the majority vote; ${factorVae.numTrain} / ${factorVae.numEval} points of ${factorVae.batchSize}; ${factorVae.activeDims} of ${scores.latentDim} codes with std >= ${factorVae.pruneStd} over ${factorVae.numVarianceEstimate} examples` },
    { metric: 'MIG', value: mig.mig, settings: `${mig.bins} bins; ${mig.numTrain} points` },
    { metric: 'SAP', value: sap.sap, settings: `${sap.numTrain} train / ${sap.numTest} test points; ${sap.classifier}` },
    { metric: 'DCI disentanglement', value: dci.disentanglement, settings: `${dci.numTrain} train / ${dci.numTest} test points; ${dci.regressor}` },
    { metric: 'DCI completeness', value: dci.completeness, settings: 'the same importance matrix' },
    { metric: 'DCI informativeness', value: dci.informativeness, settings: 'test accuracy of the regressor rounded to the nearest class' },
    { metric: 'modularity', value: modularity.modularity, settings: `${modularity.bins} bins; ${modularity.numTrain} points` },
  ];
}

/**
 * The ground truth of a run's data when its model can be scored on it: data with known factors, an unconditional
 * model with an encoder mean, and examples of the model's shape; undefined otherwise.
 */
export function scorableTruth(model: Model, dataset: Pick<Dataset, 'name' | 'shape'>): GroundTruth | undefined {
  const truth = groundTruthFor(dataset.name);
  if (!truth || model.classes !== undefined || modelKind(model.config.kind).posterior === 'none') return undefined;
  return truth.shape.join('x') === dataset.shape.join('x') ? truth : undefined;
}

/**
 * MIG's mutual-information matrix alone, on the `n` examples `vaekit disentangle` samples first with the same seed,
 * so the heat map drawn at the end of training is the one the command redraws.
 *
 * @example
 * const info = factorMutualInfo(model, dspritesTruth, { seed: 1 }); mutualInfoFigure(info);
 */
export function factorMutualInfo(model: Model, truth: GroundTruth, { seed, n = DEFAULT_POINTS }: { seed: number | string; n?: number }): FactorInfo {
  const represent = (x: Float32Array, m: number) => encodeMeans(model, { data: x, n: m, dim: model.inputDim }).data;
  const { codes, factors } = sampleCodes(truth, represent, n, new Rng(`${seed}:disentangle`));
  return { data: truth.name, factors: [...truth.factorNames], latentDim: codes.dim, mig: { ...mig(codes, factors), numTrain: n } };
}
