/** Chart specs of anomaly detection: score histograms of normal against flagged examples, and the ROC curve. */
import type * as vl from 'vega-lite';

type Spec = vl.TopLevelSpec;

/**
 * A histogram of anomaly scores, normal and flagged examples in two colours, with the threshold as a vertical rule.
 *
 * @example
 * renderChart(scoreHistogramSpec({ scores, flagged, threshold, scoreName: 'negative ELBO' }));
 */
export function scoreHistogramSpec({ scores, flagged, threshold, scoreName = 'score', title }: {
  scores: ArrayLike<number>;
  flagged: ArrayLike<boolean>;
  threshold: number;
  scoreName?: string;
  title?: string;
}): Spec {
  const values = Array.from({ length: scores.length }, (_, i) => ({ score: scores[i], group: flagged[i] ? 'flagged' : 'normal' }));
  const x = { field: 'score', type: 'quantitative', title: scoreName };
  return {
    title: title ?? `Anomaly scores (threshold ${threshold.toPrecision(4)})`,
    width: 420,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: 'bar', opacity: 0.7, binSpacing: 0 },
        encoding: {
          x: { ...x, bin: { maxbins: 50 } },
          y: { aggregate: 'count', type: 'quantitative', stack: null, title: 'examples' },
          color: { field: 'group', type: 'nominal', sort: ['normal', 'flagged'], scale: { domain: ['normal', 'flagged'], range: ['#4e79a7', '#e15759'] }, title: null },
        },
      },
      { data: { values: [{ score: threshold }] }, mark: { type: 'rule', color: '#333', strokeDash: [4, 3] }, encoding: { x } },
    ],
  } as Spec;
}

/**
 * The ROC curve (true against false positive rate) with the chance diagonal; the AUC in the title.
 *
 * @example
 * renderChart(rocSpec({ fpr, tpr, auc }));
 */
export function rocSpec({ fpr, tpr, auc, title }: { fpr: number[]; tpr: number[]; auc: number; title?: string }): Spec {
  const values = fpr.map((f, i) => ({ fpr: f, tpr: tpr[i], order: i }));
  const x = { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } };
  const y = { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } };
  return {
    title: title ?? `ROC curve (AUC ${auc.toFixed(4)})`,
    width: 300,
    height: 300,
    layer: [
      { data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] }, mark: { type: 'line', color: '#aaa', strokeDash: [4, 3] }, encoding: { x, y } },
      { data: { values }, mark: { type: 'line', color: '#d62728', interpolate: 'linear' }, encoding: { x, y, order: { field: 'order' } } },
    ],
  } as Spec;
}
