/** `vaekit anomaly RUN --data D`: a score per example, a threshold from the training scores, flags, a histogram, and ROC/AUC when labels say which are anomalies. */
import type { Command } from 'commander';
import { Rng } from '../engine/index.js';
import { datasetFor } from './common.js';
import { ANOMALY_SCORES, MAX_NLL_SAMPLES, anomalyScores, quantile, rocCurve, type AnomalyScore, type RocCurve } from '../evaluate/index.js';
import { exampleSize } from '../data/index.js';
import { renderChart, rocSpec, scoreHistogramSpec } from '../figures/index.js';
import { writeFigures, writeReport, type Figure } from '../report/index.js';
import { UsageError } from '../errors.js';
import { fmt } from './output.js';
import { number, oneOf, positiveInt } from './parse.js';
import { labelsFor } from '../models/index.js';
import { checkOutDir, exampleLabels, examplesFor, modelDataOptions, withRun, writeFiles, type ModelDataFlags } from './model-data.js';

/** Training examples scored for the quantile threshold: enough for a stable 0.99 quantile, bounded for speed. */
export const THRESHOLD_EXAMPLES = 5000;

interface AnomalyFlags extends ModelDataFlags {
  score?: AnomalyScore;
  quantile?: number;
  threshold?: number;
  anomalyLabels?: string;
  k?: number;
  out?: string;
}

const SCORE_NAMES: Record<AnomalyScore, string> = {
  elbo: 'negative ELBO',
  reconstruction: 'reconstruction squared error',
  nll: 'negative log-likelihood (importance sampled)',
};

/** Which examples are anomalies: labels in `--anomaly-labels`, or label 1 of a 0/1 label column. */
function anomalousFrom(labels: Int32Array | undefined, labelNames: string[] | undefined, spec: string | undefined, data: string): boolean[] | undefined {
  if (!labels || !labelNames) {
    if (spec !== undefined) throw new UsageError(`--anomaly-labels ${spec}: the data '${data}' has no labels (give --label-column for a CSV)`);
    return undefined;
  }
  let chosen: string[];
  if (spec !== undefined) {
    chosen = spec.split(',').map((s) => s.trim());
    const unknown = chosen.filter((c) => !labelNames.includes(c));
    if (unknown.length > 0) throw new UsageError(`--anomaly-labels: ${unknown.join(', ')} not among the labels of '${data}' (${labelNames.join(', ')})`);
  } else if (labelNames.length === 2 && labelNames[0] === '0' && labelNames[1] === '1') {
    chosen = ['1'];
  } else {
    return undefined;
  }
  const set = new Set(chosen.map((c) => labelNames.indexOf(c)));
  return Array.from(labels, (l) => set.has(l));
}

function scoresCsv(scores: Float64Array, flagged: boolean[], anomalous: boolean[] | undefined, labels: Int32Array | undefined, labelNames: string[] | undefined): string {
  const header = ['index', 'score', 'flag', ...(labels ? ['label'] : []), ...(anomalous ? ['anomaly'] : [])].join(',');
  const lines = Array.from(scores, (s, i) =>
    [i, s, flagged[i] ? 1 : 0, ...(labels ? [labelNames?.[labels[i]] ?? labels[i]] : []), ...(anomalous ? [anomalous[i] ? 1 : 0] : [])].join(','),
  );
  return [header, ...lines].join('\n') + '\n';
}

function chartFigure(id: string, title: string, caption: string, spec: Parameters<typeof renderChart>[0]): Figure {
  const { svg, png } = renderChart(spec);
  return { id, title, caption, files: [{ file: `${id}.png`, bytes: png }, { file: `${id}.svg`, bytes: svg }] };
}

async function runAnomaly(run: string, flags: AnomalyFlags): Promise<void> {
  if (flags.quantile !== undefined && flags.threshold !== undefined) throw new UsageError('--quantile and --threshold: give one, not both');
  checkOutDir('--out', flags.out);
  if (flags.k !== undefined && flags.score !== 'nll') throw new UsageError(`--k ${flags.k}: the number of importance samples applies with --score nll only`);
  const score = flags.score ?? 'elbo';
  await withRun(run, flags, (r) => {
    const { out, config, model } = r;
    const ex = examplesFor(flags, r);
    const anomalous = anomalousFrom(ex.labels, ex.labelNames, flags.anomalyLabels, flags.data!);
    const seed = config.train.seed;
    // A conditional VAE scores x given its label, -log p(x|y): each example's own label, or --label for all.
    const labels = exampleLabels(flags, ex, r);
    const scores = anomalyScores({ model, x: ex.x, labels, score, rng: new Rng(`${seed}:anomaly`), k: flags.k });
    let threshold = flags.threshold;
    const q = flags.quantile ?? 0.99;
    let trainScored = 0;
    if (threshold === undefined) {
      const dataset = datasetFor(config, r);
      const d = exampleSize(dataset);
      trainScored = Math.min(dataset.train.n, THRESHOLD_EXAMPLES);
      const trainLabels = labelsFor({ model, labels: dataset.train.labels, n: trainScored, what: `the training split of '${dataset.name}'`, label: flags.label });
      const trainScores = anomalyScores({ model, x: dataset.train.x.subarray(0, trainScored * d), labels: trainLabels, score, rng: new Rng(`${seed}:anomaly-train`), k: flags.k });
      threshold = quantile(trainScores, q);
    }
    const flagged = Array.from(scores, (s) => s > threshold!);
    const nFlagged = flagged.filter(Boolean).length;
    let roc: RocCurve | undefined;
    if (anomalous) {
      try {
        roc = rocCurve({ scores, anomalous });
      } catch (err) {
        if (err instanceof RangeError) throw new UsageError(`--data ${flags.data}: ${err.message}`);
        throw err;
      }
    }
    const thresholdText = flags.threshold !== undefined ? `given threshold ${fmt(threshold)}` : `the ${q} quantile of ${trainScored} training examples' scores, ${fmt(threshold)}`;
    const figures: Figure[] = [
      chartFigure('anomaly-scores', 'Anomaly scores', `${SCORE_NAMES[score]} of ${ex.n} examples of ${ex.source}; flagged above ${thresholdText} (dashed).`,
        scoreHistogramSpec({ scores, flagged, threshold, scoreName: SCORE_NAMES[score] })),
    ];
    if (roc) {
      figures.push(chartFigure('anomaly-roc', 'ROC curve', `${roc.positives} anomalies against ${roc.negatives} normal examples of ${ex.source}, scored by ${SCORE_NAMES[score]}; AUC ${roc.auc.toFixed(4)}.`,
        rocSpec({ fpr: roc.fpr, tpr: roc.tpr, auc: roc.auc })));
    }
    const csv = { file: 'anomaly-scores.csv', bytes: scoresCsv(scores, flagged, anomalous, ex.labels, ex.labelNames) };
    let files: string[];
    if (flags.out) {
      files = writeFiles(flags.out, [csv, ...figures.flatMap((f) => f.files)]);
    } else {
      files = [...writeFiles(run, [csv]), ...writeFigures(run, figures)];
      writeReport(run);
    }
    const result = {
      run,
      data: flags.data,
      n: ex.n,
      score,
      threshold,
      ...(flags.threshold === undefined ? { quantile: q, thresholdExamples: trainScored } : {}),
      flagged: nFlagged,
      ...(roc ? { auc: roc.auc, anomalies: roc.positives } : {}),
      files,
    };
    out.result(result, () => {
      out.info(`${ex.n} examples of ${ex.source} scored by ${SCORE_NAMES[score]}${labels ? `, each given ${flags.label !== undefined ? `class ${flags.label}` : 'its label y'} (a conditional VAE: -log p(x|y))` : ''}`);
      out.info(`threshold: ${thresholdText}`);
      out.info(`flagged: ${nFlagged} of ${ex.n} (${((100 * nFlagged) / ex.n).toFixed(2)}%)`);
      if (roc) out.info(`ROC AUC: ${roc.auc.toFixed(4)} (${roc.positives} anomalies, ${roc.negatives} normal)`);
      files.forEach((f) => out.info(f));
    });
  });
}

/** Registers `vaekit anomaly`. */
export function registerAnomaly(program: Command): void {
  modelDataOptions(
    program
      .command('anomaly')
      .description("score examples by how badly a run's model explains them; flag those above a threshold; ROC AUC when labels mark anomalies")
      .argument('<run>', 'run folder')
      .option('--score <kind>', `the anomaly score: ${ANOMALY_SCORES.join(', ')} (default elbo)`, oneOf('--score', ANOMALY_SCORES))
      .option('--quantile <q>', `threshold: this quantile of the scores of (up to ${THRESHOLD_EXAMPLES}) training examples (default 0.99)`, number('--quantile', { min: 0, max: 1, what: 'a quantile in [0, 1]' }))
      .option('--threshold <x>', 'threshold: flag scores above this value', number('--threshold'))
      .option('--anomaly-labels <labels>', 'label values that mark anomalies, comma-separated (default: label 1 of a 0/1 label column)')
      .option('--k <n>', `importance samples per example for --score nll (default 100, at most ${MAX_NLL_SAMPLES}: time grows with k)`, positiveInt('--k', { max: MAX_NLL_SAMPLES }))
      .option('--out <dir>', 'write the CSV and figures into this folder instead of the run folder'),
  ).action((run: string, flags: AnomalyFlags) => runAnomaly(run, flags));
}
