/** Synthetic against real tabular data as charts: per-column marginals side by side, and the correlation difference as a heat map. */
import type * as vl from 'vega-lite';
import { heatmapSpec } from './heatmap.js';

type Spec = vl.TopLevelSpec;

/** One column's marginals: the values of a numeric column, or the category shares of a categorical one. */
export type MarginalPanel =
  | { name: string; kind: 'numeric'; real: ArrayLike<number>; synthetic: ArrayLike<number>; note?: string }
  | { name: string; kind: 'categorical'; labels: string[]; real: number[]; synthetic: number[]; note?: string };

/** Bins of a numeric panel, over the range of both samples together so their bars line up. */
const BINS = 20;
/** Categories drawn per categorical panel; the rest are summed into 'other'. */
const MAX_CATEGORIES = 10;
const GROUPS = ['real', 'synthetic'];
const GROUP_COLOURS = ['#4e79a7', '#e15759'];

interface Bar {
  group: string;
  start: number;
  end: number;
  share: number;
}

/** The share of each sample in BINS equal bins over [min, max] of both (one bin of width 1 when they are all equal). */
function histogram(real: ArrayLike<number>, synthetic: ArrayLike<number>): Bar[] {
  let [lo, hi] = [Infinity, -Infinity];
  for (const s of [real, synthetic]) for (let i = 0; i < s.length; i++) [lo, hi] = [Math.min(lo, s[i]), Math.max(hi, s[i])];
  const bins = hi > lo ? BINS : 1;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const start = hi > lo ? lo : lo - 0.5;
  return [real, synthetic].flatMap((s, g) => {
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < s.length; i++) counts[Math.min(bins - 1, Math.floor((s[i] - start) / width))]++;
    return counts.map((c, b) => ({ group: GROUPS[g], start: start + b * width, end: start + (b + 1) * width, share: c / s.length }));
  });
}

/** The categories of a panel as drawn: the most frequent (real and synthetic together) in their own order, the rest as 'other'. */
function categoryBars(p: Extract<MarginalPanel, { kind: 'categorical' }>): { group: string; category: string; share: number }[] {
  const order = p.labels.map((_, k) => k).sort((a, b) => p.real[b] + p.synthetic[b] - (p.real[a] + p.synthetic[a]));
  const kept = p.labels.length > MAX_CATEGORIES ? new Set(order.slice(0, MAX_CATEGORIES - 1)) : new Set(order);
  return [p.real, p.synthetic].flatMap((shares, g) => {
    const bars = p.labels.flatMap((label, k) => (kept.has(k) ? [{ group: GROUPS[g], category: label, share: shares[k] }] : []));
    const other = shares.reduce((s, v, k) => (kept.has(k) ? s : s + v), 0);
    return kept.size < p.labels.length ? [...bars, { group: GROUPS[g], category: 'other', share: other }] : bars;
  });
}

/**
 * One small panel per column, real and synthetic together: overlaid histograms (shares of each sample in 20 shared
 * bins) for a numeric column, paired bars of category shares for a categorical one (at most 10 categories; the rest
 * summed as 'other'). Panels are titled with the column's name and its `note` (e.g. 'KS 0.06').
 *
 * @example
 * renderChart(marginalsSpec({ panels: [{ name: 'age', kind: 'numeric', real, synthetic, note: 'KS 0.06' }] }));
 */
export function marginalsSpec({ panels, title, columns = 4 }: { panels: MarginalPanel[]; title?: string; columns?: number }): Spec {
  const color = { field: 'group', type: 'nominal', sort: GROUPS, scale: { domain: GROUPS, range: GROUP_COLOURS }, title: null };
  const panelSpec = (p: MarginalPanel) => {
    const heading = { text: p.note ? `${p.name} (${p.note})` : p.name, fontSize: 11, anchor: 'middle' as const };
    if (p.kind === 'numeric') {
      return {
        title: heading,
        width: 170,
        height: 110,
        data: { values: histogram(p.real, p.synthetic) },
        mark: { type: 'bar', opacity: 0.55, binSpacing: 0 },
        encoding: {
          x: { field: 'start', type: 'quantitative', title: null, scale: { zero: false } },
          x2: { field: 'end' },
          y: { field: 'share', type: 'quantitative', stack: null, title: 'share', axis: { format: '.0%' } },
          y2: { datum: 0 },
          color,
        },
      };
    }
    return {
      title: heading,
      width: 170,
      height: 110,
      data: { values: categoryBars(p) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'category', type: 'nominal', sort: null, title: null, axis: { labelAngle: -40, labelLimit: 70 } },
        xOffset: { field: 'group', sort: GROUPS },
        y: { field: 'share', type: 'quantitative', title: 'share', axis: { format: '.0%' } },
        color,
      },
    };
  };
  // Each panel has its own axes and its own offset of paired bars (bands differ with the number of categories).
  const resolve = { scale: { x: 'independent', y: 'independent', xOffset: 'independent' } };
  return { ...(title ? { title } : {}), columns: Math.min(columns, panels.length), concat: panels.map(panelSpec), resolve } as Spec;
}

/**
 * The correlation difference (synthetic - real) of the numeric columns as a heat map on a diverging scale symmetric
 * about 0 (blue: weaker or more negative in the synthetic data, red: stronger or more positive), names on both axes.
 *
 * @example
 * renderChart(correlationDiffSpec({ names: ['a', 'b'], diff: [[0, -0.4], [-0.4, 0]] }));
 */
export function correlationDiffSpec({ names, diff, title }: { names: string[]; diff: number[][]; title?: string }): Spec {
  // Cells shrink with many columns so the map stays under about 600 pixels; values are printed in cells of 24 and up.
  const cell = Math.max(12, Math.min(40, Math.floor(600 / Math.max(1, names.length))));
  return heatmapSpec({ values: diff.flat(), rows: names, cols: names, title, valueTitle: 'synthetic - real', cell, signed: true });
}
