/** Charts as vega-lite specs rendered to SVG by vega and to PNG by resvg with a bundled font: loss curves, scatters, histograms. */
import * as vl from 'vega-lite';
import * as vega from 'vega';
import { Resvg } from '@resvg/resvg-js';
import { VALUE_SCHEME } from './palette.js';
import { FONT, RESVG_FONT } from './text.js';

type Spec = vl.TopLevelSpec;

const CONFIG = {
  font: FONT,
  background: 'white',
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e4e4e4' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** A rendered chart: the SVG text and its PNG at twice the SVG's size. */
export interface Chart {
  svg: string;
  png: Uint8Array;
}

/** A vega-lite spec compiled to a vega spec with vaekit's chart style. */
export function compileChart(spec: Spec): vega.Spec {
  return vl.compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as Spec).spec;
}

/** The fields of vega's View that its own headless SVG export reads (vega-view's renderHeadless and initializeRenderer). */
interface ViewInternals {
  _viewWidth: number;
  _viewHeight: number;
  _origin: [number, number];
  _scenegraph: { root: unknown };
}

interface StringRenderer {
  initialize(el: null, width: number, height: number, origin: [number, number], scale: number): StringRenderer;
  background(color: unknown): StringRenderer;
  render(scene: unknown): StringRenderer;
  svg(): string;
}

/**
 * A vega-lite spec as SVG text, synchronously. vega's `view.toSVG()` is async only because a spec may load data; ours
 * carry their data inline, so `view.run()` evaluates the dataflow at once and we render the scenegraph the way toSVG
 * does. Synchronous rendering lets training write the loss curve between epochs without yielding to the event loop
 * (a test checks the result equals `await view.toSVG()`).
 */
export function chartSvg(spec: Spec): string {
  const view = new vega.View(vega.parse(compileChart(spec)), { renderer: 'none' });
  try {
    view.run();
    const v = view as unknown as ViewInternals;
    const pad = view.padding() as { left: number; right: number; top: number; bottom: number };
    const width = Math.max(0, v._viewWidth + pad.left + pad.right);
    const height = Math.max(0, v._viewHeight + pad.top + pad.bottom);
    // vega's typings omit the string renderer that its headless toSVG uses.
    const Ctor = (vega as unknown as { SVGStringRenderer: new () => StringRenderer }).SVGStringRenderer;
    const renderer = new Ctor().initialize(null, width, height, [v._origin[0] + pad.left, v._origin[1] + pad.top], 1);
    renderer.background(view.background());
    return renderer.render(v._scenegraph.root).svg();
  } finally {
    view.finalize();
  }
}

/** SVG text to PNG bytes at `scale` times its size, drawn with the bundled DejaVu Sans (no system font needed). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const png = new Resvg(svg, { font: RESVG_FONT, fitTo: { mode: 'zoom', value: scale } }).render().asPng();
  return new Uint8Array(png);
}

/**
 * Renders a vega-lite spec to SVG (vega, no DOM) and PNG (resvg).
 *
 * @example
 * const { svg, png } = renderChart(lossCurveSpec(history));
 */
export function renderChart(spec: Spec, { scale = 2 }: { scale?: number } = {}): Chart {
  const svg = chartSvg(spec);
  return { svg, png: svgToPng(svg, scale) };
}

/** Loss terms of one epoch, as train/metrics.ts records them. */
export interface EpochTerms {
  epoch: number;
  train: { loss: number; reconstruction: number; kl: number };
  test: { loss: number; reconstruction: number; kl: number };
}

/**
 * Seed 002's loss curve, extended: one panel per term (loss, reconstruction, KL), train and test lines in each,
 * per-example means against the epoch. `lossName` says what the loss is ('negative ELBO'); `klName` names the third
 * term ('anchor' for the poor man's VAE), and null leaves out the term and the loss panel (an autoencoder's loss is
 * its reconstruction loss, drawn once).
 */
export function lossCurveSpec(history: EpochTerms[], { lossName = 'negative ELBO', klName = 'KL' }: { lossName?: string; klName?: string | null } = {}): Spec {
  type Term = readonly ['loss' | 'reconstruction' | 'kl', string];
  const terms: Term[] =
    klName === null
      ? [['reconstruction', lossName]]
      : [
          ['loss', `loss (${lossName})`],
          ['reconstruction', 'reconstruction'],
          ['kl', klName],
        ];
  const lastEpoch = Math.max(1, ...history.map((m) => m.epoch));
  const panel = (key: Term[0], term: string) => {
    const values = history.flatMap((m) => (['train', 'test'] as const).map((split) => ({ epoch: m.epoch, split, value: m[split][key] })));
    // The first epoch's running mean can dwarf the rest; past a few epochs, scale the axis to epochs 2.. and clip it.
    const later = values.filter((v) => v.epoch >= 2).map((v) => v.value).filter(Number.isFinite);
    const all = values.map((v) => v.value).filter(Number.isFinite);
    const trim = history.length >= 4 && later.length > 0 && Math.max(...all) > Math.max(...later) + 2 * (Math.max(...later) - Math.min(...later) || 1);
    const lo = Math.min(...(trim ? later : all));
    const hi = Math.max(...(trim ? later : all));
    const margin = (hi - lo || Math.abs(hi) || 1) * 0.05;
    return {
      title: { text: term, ...(trim ? { subtitle: 'epoch 1 above the scale' } : {}), fontSize: 12, subtitleFontSize: 10, anchor: 'middle' as const },
      width: 220,
      height: 170,
      data: { values },
      mark: { type: 'line', point: true, clip: trim },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', scale: { domain: [1, Math.max(2, lastEpoch)], nice: false }, axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', scale: { zero: false, domain: [lo - margin, hi + margin] }, title: 'per example' },
        color: { field: 'split', type: 'nominal', sort: ['train', 'test'], scale: { domain: ['train', 'test'], range: ['#1f77b4', '#d62728'] }, title: null },
      },
    };
  };
  return { title: 'Loss per example', hconcat: terms.map(([key, term]) => panel(key, term)) } as Spec;
}

/** Ten class colours (d3's category10): each keeps enough contrast on white, unlike Tableau 10's pale grey and pink. */
const CATEGORY = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export interface ScatterOptions {
  /** [n, 2] row-major. */
  xy: Float32Array;
  /** Class per point, with names for the legend. */
  labels?: Int32Array;
  labelNames?: string[];
  /** A continuous value per point (the Swiss roll's position) shown with a sequential colour scale. */
  value?: Float32Array;
  valueName?: string;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Width and height of the plot area in pixels (default 360). */
  size?: number;
}

/**
 * A 2-D scatter coloured by class (with a legend, seed 002's t-SNE figure) or by a continuous value (viridis).
 *
 * @example
 * const spec = scatterSpec({ xy, labels, labelNames: ['0', ..., '9'], title: 'latent means (t-SNE)' });
 */
export function scatterSpec(opts: ScatterOptions): Spec {
  const { xy, labels, labelNames, value, title, size = 360 } = opts;
  const n = xy.length / 2;
  const values = Array.from({ length: n }, (_, i) => ({
    x: xy[i * 2],
    y: xy[i * 2 + 1],
    ...(labels ? { label: labelNames?.[labels[i]] ?? String(labels[i]) } : {}),
    ...(value ? { value: value[i] } : {}),
  }));
  const color = labels
    ? { field: 'label', type: 'nominal', title: 'label', sort: labelNames, scale: { range: CATEGORY } }
    : value
      ? { field: 'value', type: 'quantitative', title: opts.valueName ?? 'value', scale: { scheme: VALUE_SCHEME } }
      : { value: '#4e79a7' };
  return {
    ...(title ? { title } : {}),
    width: size,
    height: size,
    data: { values },
    mark: { type: 'circle', size: n > 2000 ? 6 : 14, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'x', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'y', scale: { zero: false } },
      color,
    },
  } as Spec;
}

/** Named groups of 2-D points, e.g. real data and decoded prior samples. */
export interface PointGroup {
  name: string;
  /** [n, 2] row-major. */
  xy: Float32Array;
}

/**
 * Groups of 2-D points side by side on shared axes (seed 003: the real roll beside decoded prior samples), one panel each.
 */
export function pointPanelsSpec({ groups, title, xTitle = 'x1', yTitle = 'x2', size = 300 }: { groups: PointGroup[]; title?: string; xTitle?: string; yTitle?: string; size?: number }): Spec {
  const values = groups.flatMap((g) => Array.from({ length: g.xy.length / 2 }, (_, i) => ({ group: g.name, x: g.xy[i * 2], y: g.xy[i * 2 + 1] })));
  return {
    ...(title ? { title } : {}),
    data: { values },
    facet: { column: { field: 'group', type: 'nominal', sort: groups.map((g) => g.name), title: null } },
    spec: {
      width: size,
      height: size,
      mark: { type: 'circle', size: 8, opacity: 0.6 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle, scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } },
        color: { field: 'group', type: 'nominal', sort: groups.map((g) => g.name), scale: { range: ['#4e79a7', '#e15759', '#59a14f'] }, legend: null },
      },
    },
  } as Spec;
}

/**
 * A path of decoded points (an interpolation, a traversal, a manifold grid) drawn over the real data in grey,
 * coloured by `step` (continuous) and split into series by `series` (one line per traversed dimension).
 */
export function pathOverDataSpec({ data, path, title, xTitle = 'x1', yTitle = 'x2', stepName = 'step', seriesName, size = 360 }: {
  /** [n, 2] real points, drawn faintly. */
  data: Float32Array;
  /** Decoded points in order. */
  path: { x: number; y: number; step: number; series?: string }[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
  stepName?: string;
  /** Legend title of the series: shown as marker shapes when given (a few series), otherwise series are only lines. */
  seriesName?: string;
  size?: number;
}): Spec {
  const background = Array.from({ length: data.length / 2 }, (_, i) => ({ x: data[i * 2], y: data[i * 2 + 1] }));
  const x = { field: 'x', type: 'quantitative', title: xTitle, scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } };
  const hasSeries = path.some((p) => p.series !== undefined);
  return {
    ...(title ? { title } : {}),
    width: size,
    height: size,
    layer: [
      { data: { values: background }, mark: { type: 'circle', size: 6, color: '#c8c8c8', opacity: 0.6 }, encoding: { x, y } },
      {
        data: { values: path },
        mark: { type: 'line', color: '#555', strokeWidth: 1, opacity: 0.7 },
        encoding: { x, y, order: { field: 'step' }, ...(hasSeries ? { detail: { field: 'series' } } : {}) },
      },
      {
        data: { values: path },
        mark: { type: 'point', filled: true, size: 40, opacity: 1 },
        encoding: {
          x,
          y,
          color: { field: 'step', type: 'quantitative', title: stepName, scale: { scheme: 'viridis' } },
          ...(hasSeries && seriesName ? { shape: { field: 'series', type: 'nominal', title: seriesName } } : {}),
        },
      },
    ],
  } as Spec;
}

/**
 * Per-feature histograms of groups of rows (real data beside decoded samples or reconstructions), for data that are
 * not images and not 2-D: one small panel per feature (the first `maxFeatures`), groups overlaid.
 */
export function histogramsSpec({ groups, dim, featureNames, title, maxFeatures = 12 }: {
  groups: { name: string; rows: Float32Array }[];
  dim: number;
  featureNames?: string[];
  title?: string;
  maxFeatures?: number;
}): Spec {
  const shown = Math.min(dim, maxFeatures);
  const names = Array.from({ length: shown }, (_, j) => featureNames?.[j] ?? `feature ${j}`);
  const values = groups.flatMap((g) => {
    const n = g.rows.length / dim;
    const out: { group: string; feature: string; value: number }[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < shown; j++) out.push({ group: g.name, feature: names[j], value: g.rows[i * dim + j] });
    return out;
  });
  return {
    ...(title ? { title } : {}),
    data: { values },
    facet: { field: 'feature', type: 'nominal', sort: names, title: null },
    columns: Math.min(4, shown),
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 160,
      height: 110,
      mark: { type: 'bar', opacity: 0.55, binSpacing: 0 },
      encoding: {
        x: { field: 'value', type: 'quantitative', bin: { maxbins: 30 }, title: null },
        y: { aggregate: 'count', type: 'quantitative', stack: null, title: 'count' },
        color: { field: 'group', type: 'nominal', sort: groups.map((g) => g.name), scale: { range: ['#4e79a7', '#e15759', '#59a14f'] }, title: null },
      },
    },
  } as Spec;
}
