/**
 * The report's synthetic data fidelity section for tabular runs: the marginals and correlation-difference figures,
 * the summary kept beside them as fidelity.json, and the section's HTML.
 */
import type { Dataset } from '../data/index.js';
import type { Model } from '../models/index.js';
import { fidelityData, fidelitySummary, type FidelityData, type FidelitySummary } from '../evaluate/index.js';
import { correlationDiffSpec, marginalsSpec, renderChart, type MarginalPanel } from '../figures/index.js';
import type { Figure, PlannedFigure } from './figures.js';

/** The summary's file in the run folder, read by the report. */
export const FIDELITY_FILE = 'fidelity.json';
/** Marginal panels drawn at most; the table lists every column. */
export const MAX_MARGINAL_PANELS = 12;
/** Columns of the correlation heat map at most: 900 cells of 20 pixels, no longer labelled with their values. */
export const MAX_HEATMAP_COLUMNS = 30;

/** Figures of the section have ids starting with this; the report shows them in the section. */
export const FIDELITY_PREFIX = 'fidelity-';

/** What fidelity.json holds: the summary and the seed its synthetic rows were drawn with. */
export type FidelityRecord = FidelitySummary & { seed: number | string };

const fixed = (v: number) => v.toFixed(2);

/** Column j of [n, dim] rows. */
function column(x: Float32Array, dim: number, j: number): Float32Array {
  const out = new Float32Array(x.length / dim);
  for (let i = 0; i < out.length; i++) out[i] = x[i * dim + j];
  return out;
}

/**
 * The per-column marginals, real against synthetic, of the first {@link MAX_MARGINAL_PANELS} columns; its files
 * carry the summary (fidelity.json), so it is written, replaced and listed with the figure.
 */
export function marginalsFigure(data: FidelityData, summary: FidelityRecord): Figure {
  const shown = data.columns.slice(0, MAX_MARGINAL_PANELS);
  const panels = shown.map((c, j): MarginalPanel => {
    const s = summary.columns[j];
    const note = `${s.statistic.toUpperCase()} ${fixed(s.value)}`;
    if (c.kind === 'numeric') return { name: c.name, kind: 'numeric', real: column(data.real, data.dim, c.index), synthetic: column(data.synthetic, data.dim, c.index), note };
    if (s.kind !== 'categorical') throw new Error(`fidelity summary: column '${c.name}' is categorical in the data but ${s.kind} in the summary`);
    return { name: c.name, kind: 'categorical', labels: c.labels, real: s.real.frequencies, synthetic: s.synthetic.frequencies, note };
  });
  const { svg, png } = renderChart(marginalsSpec({ panels }));
  const more = data.columns.length > shown.length ? ` The first ${shown.length} of ${data.columns.length} columns are drawn; the table lists all.` : '';
  const caption = `Per-column distributions of ${summary.n.real} test rows (real) and ${summary.n.synthetic} rows decoded from prior draws (synthetic, seed ${summary.seed}), in the data's units: shares of each in 20 shared bins for a numeric column, category shares for a categorical one (at most 10 categories, the rest as 'other'). Panel titles give the KS statistic or the total variation.${more}`;
  return {
    id: `${FIDELITY_PREFIX}marginals`,
    title: 'Marginals, real and synthetic',
    caption,
    files: [{ file: `${FIDELITY_PREFIX}marginals.png`, bytes: png }, { file: `${FIDELITY_PREFIX}marginals.svg`, bytes: svg }, { file: FIDELITY_FILE, bytes: JSON.stringify(summary, null, 2) + '\n' }],
  };
}

/** The correlation difference of the numeric columns as a heat map; undefined with fewer than two numeric columns. */
export function correlationFigure(summary: FidelitySummary): Figure | undefined {
  const { names, diff, maxAbs, frobenius, numericColumns } = summary.correlation;
  if (names.length < 2) return undefined;
  const k = Math.min(names.length, MAX_HEATMAP_COLUMNS);
  const shown = diff.slice(0, k).map((row) => row.slice(0, k));
  const { svg, png } = renderChart(correlationDiffSpec({ names: names.slice(0, k), diff: shown }));
  const largest = Math.max(...shown.flat().map(Math.abs));
  const some = k < numericColumns ? ` The first ${k} of ${numericColumns} numeric columns are drawn; the largest |difference| over all is ${fixed(maxAbs)}.` : '';
  const caption = `Pearson correlation of each pair of numeric columns in the synthetic rows minus that in the real ones; red: stronger or more positive in the synthetic data, blue: weaker or more negative, white: kept. The colour scale runs symmetric about 0 to the largest |difference| drawn (${fixed(largest)}); Frobenius norm of the difference ${fixed(frobenius)}.${some}`;
  const id = `${FIDELITY_PREFIX}correlation`;
  return { id, title: 'Correlation difference (synthetic - real)', caption, files: [{ file: `${id}.png`, bytes: png }, { file: `${id}.svg`, bytes: svg }] };
}

/**
 * The fidelity figures of a tabular run, to be drawn as a plan's steps: the synthetic rows and the summary are made
 * once, when the first of them is drawn. None for other data.
 */
function fidelitySteps(model: Model, dataset: Dataset, seed: number | string): PlannedFigure[] {
  if (dataset.kind !== 'tabular' || dataset.test.n === 0) return [];
  let made: { data: FidelityData; summary: FidelityRecord } | undefined;
  const make = () => {
    if (made) return made;
    const data = fidelityData({ model, dataset, seed });
    return (made = { data, summary: { ...fidelitySummary(data), seed } });
  };
  return [
    { name: 'synthetic data fidelity', draw: () => marginalsFigure(make().data, make().summary) },
    { name: 'correlation difference', draw: () => correlationFigure(make().summary) },
  ];
}

/** Adds the fidelity figures of a tabular run to a plan (nothing for other data). */
export function planFidelityFigures(plan: PlannedFigure[], model: Model, dataset: Dataset, seed: number | string): void {
  plan.push(...fidelitySteps(model, dataset, seed));
}

/**
 * The fidelity figures of a tabular run, drawn (the marginals carry fidelity.json); [] for other data.
 *
 * @example
 * writeFigures(runDir, fidelityFigures(model, dataset, config.train.seed));
 */
export function fidelityFigures(model: Model, dataset: Dataset, seed: number | string): Figure[] {
  return fidelitySteps(model, dataset, seed).flatMap((step) => step.draw() ?? []);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number) => (Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 0.01) ? x.toPrecision(3) : x.toFixed(Math.abs(x) >= 100 ? 1 : 3));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** fidelity.json as read back, when it has the fields the section shows. */
export function readFidelityRecord(json: unknown): FidelityRecord | undefined {
  const r = json as Partial<FidelityRecord> | undefined;
  return r && Array.isArray(r.columns) && r.correlation && typeof r.correlation.numericColumns === 'number' && r.n ? (r as FidelityRecord) : undefined;
}

/**
 * The section's HTML: one table row per column (the statistic, and the real and synthetic mean and sd, or the share
 * of the real data's most frequent category), the correlation summary, and `figures` (already rendered).
 */
export function fidelitySectionHtml(f: FidelityRecord, figures: string): string {
  const rows = f.columns.map((c) => {
    let real: string;
    let synthetic: string;
    if (c.kind === 'numeric') {
      real = `${num(c.real.mean)} (sd ${num(c.real.std)})`;
      synthetic = `${num(c.synthetic.mean)} (sd ${num(c.synthetic.std)})`;
    } else {
      const top = c.real.frequencies.indexOf(Math.max(...c.real.frequencies));
      const topSynthetic = c.synthetic.frequencies.indexOf(Math.max(...c.synthetic.frequencies));
      real = `${esc(c.labels[top])} ${pct(c.real.frequencies[top])}`;
      synthetic = `${esc(c.labels[top])} ${pct(c.synthetic.frequencies[top])}${topSynthetic === top ? '' : `; most: ${esc(c.labels[topSynthetic])} ${pct(c.synthetic.frequencies[topSynthetic])}`}`;
    }
    return `<tr><td style="text-align: left">${esc(c.name)}</td><td>${c.statistic === 'ks' ? 'KS' : 'TV'}</td><td>${c.value.toFixed(3)}</td><td>${real}</td><td>${synthetic}</td></tr>`;
  });
  const { maxAbs, frobenius, numericColumns } = f.correlation;
  const corr =
    numericColumns < 2
      ? '<p>Fewer than two numeric columns: no correlations to compare.</p>'
      : `<p>Correlations of the ${numericColumns} numeric columns: largest |synthetic - real| ${maxAbs.toFixed(3)}, Frobenius norm of the difference ${frobenius.toFixed(3)}.</p>`;
  return `<h2>Synthetic data fidelity</h2>
<table>
<thead><tr><th>column</th><th>statistic</th><th>value</th><th>real</th><th>synthetic</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p>${f.n.real} test rows against ${f.n.synthetic} rows decoded from prior draws (seed ${esc(String(f.seed))}), both in the data's units. KS: the largest gap between the two empirical CDFs of a numeric column; TV: half the summed absolute difference of a categorical column's category shares. Both run from 0 (the same distribution) to 1 (no overlap). Real and synthetic: mean (sd) of a numeric column; a categorical column's share of the real data's most frequent category.</p>
${corr}
${figures}
`;
}
