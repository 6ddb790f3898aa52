/** Runs side by side: their config differences, final metrics, loss curves on shared axes and per-run figures in columns. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../engine/index.js';
import { parseConfig, type RunConfig } from '../config/index.js';
import { loadDataset, type Dataset } from '../data/index.js';
import { ModelError, UsageError } from '../errors.js';
import { countActiveUnits, estimateNll } from '../evaluate/index.js';
import { loadModel } from '../io/model-files.js';
import { imageGrid, renderChart } from '../figures/index.js';
import { reconstructRows } from '../latent/index.js';
import { lossNames, modelKind, type Model } from '../models/index.js';
import { latentFigure, samplesFigure, reconstructionFigure } from './figures.js';
import { readHistory } from './run.js';

type Terms = { loss: number; reconstruction: number; kl: number };
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One run as the comparison reports it. */
export interface ComparedRun {
  name: string;
  dir: string;
  /** The sweep axes' values when the run belongs to a sweep. */
  values?: Record<string, Json>;
  epochs: number;
  train?: Terms;
  test?: Terms;
  kind: string;
  /** The third term's name: 'KL', or 'anchor' for the poor man's VAE. */
  klName: string;
  /** Median over the run's epochs of the training rate. */
  samplesPerSecond?: number;
  /** Burda et al.'s active units over the first test examples; null for a model without a posterior. */
  activeUnits: number | null;
  latent: number;
  /** Importance-sampled -log p(x) when asked for (`nll`), else null. */
  nll: { value: number; stdErr: number; k: number; examples: number } | null;
}

/** A metric against a numeric config key (a sweep over a number): one point per run. */
export interface MetricPoint {
  x: number;
  series: string;
  metric: string;
  value: number;
  run: string;
}

/** What `vaekit compare --json` prints and compare.json holds. */
export interface Comparison {
  runs: ComparedRun[];
  /** Config keys whose values differ between the runs, with each run's value (in run order). */
  differences: { key: string; values: (Json | undefined)[] }[];
  /** Set when the runs' data differ and --force compared them anyway. */
  dataWarning?: string;
  /** The numeric key the metrics are charted against, the key that splits them into series, and the points. */
  byNumber?: { key: string; seriesKey?: string; points: MetricPoint[] };
}

/** A figure for the page: PNG bytes and a caption. */
interface PageImage {
  png: Uint8Array;
  caption: string;
  /** An image grid (drawn pixel for pixel) rather than a chart. */
  grid?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf of a config as a dotted key (arrays are leaves). */
function flatten(v: unknown, prefix = '', out: Record<string, Json> = {}): Record<string, Json> {
  if (isObject(v)) for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  else if (v !== undefined) out[prefix] = v as Json;
  return out;
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A run folder's config, with an error naming the folder when it is not a run. */
function runConfig(dir: string): RunConfig {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`RUN: '${dir}' is not a folder; expected a run folder or a sweep folder`);
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) throw new ModelError(`${dir}: not a vaekit run folder (no config.json) nor a sweep folder (no sweep.json)`);
  try {
    return parseConfig(JSON.parse(readFileSync(file, 'utf8')), file);
  } catch (err) {
    throw new ModelError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The run folders behind the arguments: a sweep folder stands for its runs, in the sweep's order. */
export function expandRuns(args: string[]): { dir: string; values?: Record<string, Json>; sweep?: string; axes?: string[] }[] {
  return args.flatMap((arg) => {
    const sweepFile = path.join(arg, 'sweep.json');
    if (!existsSync(sweepFile)) return [{ dir: arg }];
    const record = JSON.parse(readFileSync(sweepFile, 'utf8')) as { axes: { key: string }[]; runs: { name: string; values: Record<string, Json> }[] };
    const present = record.runs.filter((r) => existsSync(path.join(arg, r.name, 'model', 'model.json')));
    if (present.length === 0) throw new ModelError(`${arg}: the sweep has no trained run yet`);
    return present.map((r) => ({ dir: path.join(arg, r.name), values: r.values, sweep: arg, axes: record.axes.map((a) => a.key) }));
  });
}

/** Data with a fixed split whatever the seed; any other data is generated or split from the run's seed. */
const FIXED_SPLIT = new Set(['mnist', 'fashion-mnist']);

/** The data a run trains on, as compared: the data section, and the seed where it generates or splits the data. */
const dataKey = (c: RunConfig) => JSON.stringify({ ...c.data, ...(FIXED_SPLIT.has(c.data.name) ? {} : { seed: c.train.seed }) });

function describeData(c: RunConfig): string {
  const d = c.data as Record<string, unknown>;
  return [String(d.name), ...Object.entries(d).filter(([k, v]) => k !== 'name' && v !== undefined && !isObject(v)).map(([k, v]) => `${k} ${JSON.stringify(v)}`), ...(FIXED_SPLIT.has(c.data.name) ? [] : [`seed ${c.train.seed}`])].join(', ');
}

/** The numeric key to chart metrics against, and the key splitting them into series, from the sweep axes or the differences. */
function chartKeys(keys: string[], valuesOf: (key: string) => (Json | undefined)[]): { key: string; seriesKey?: string } | undefined {
  const distinct = (k: string) => new Set(valuesOf(k).map((v) => JSON.stringify(v))).size;
  const numeric = keys.filter((k) => valuesOf(k).every((v) => typeof v === 'number') && distinct(k) > 1);
  if (numeric.length === 0 || keys.length > 2) return undefined;
  // Two numeric axes: the one with more values along x, the other as series.
  const key = numeric.reduce((a, b) => (distinct(b) > distinct(a) ? b : a));
  const others = keys.filter((k) => k !== key);
  return { key, seriesKey: others[0] };
}

export interface CompareOptions {
  runs: string[];
  /** Compare runs on different data anyway (the page says so at the top). */
  force?: boolean;
  /** Importance samples per example for an NLL estimate on the first `nllExamples` test examples; 0 or absent: none. */
  nllK?: number;
  nllExamples?: number;
}

/** A built comparison: the data (compare.json) and the page's figures, drawn from each run's model and data. */
export interface ComparePage {
  comparison: Comparison;
  html: string;
  images: Record<string, Uint8Array>;
}

/**
 * Compares runs (run folders, or sweep folders standing for their runs): refuses runs on different data unless
 * `force`; loads each model to reconstruct the same test images, decode the same prior draws and map its latents.
 *
 * @example
 * const { comparison, html } = compareRuns({ runs: ['runs/latent-study'] });
 */
export function compareRuns(opts: CompareOptions): ComparePage {
  const entries = expandRuns(opts.runs);
  if (entries.length < 2) throw new UsageError(`compare: ${entries.length} run given (${opts.runs.join(' ')}); expected at least two runs, or a sweep folder with two or more trained runs`);
  const names = entries.map((e) => (e.sweep ? path.basename(e.dir) : path.basename(path.resolve(e.dir))));
  const configs = entries.map((e) => runConfig(e.dir));
  const dataKeys = new Set(configs.map(dataKey));
  let dataWarning: string | undefined;
  if (dataKeys.size > 1) {
    const first = configs.findIndex((c) => dataKey(c) !== dataKey(configs[0]));
    const what = `${entries[0].dir} (${describeData(configs[0])}) and ${entries[first].dir} (${describeData(configs[first])})`;
    if (!opts.force) throw new UsageError(`compare: the runs trained on different data: ${what}; their losses are not comparable (pass --force to compare them anyway)`);
    dataWarning = `These runs trained on different data, so their losses are not comparable: ${what}.`;
  }
  const flat = configs.map((c) => flatten({ ...c, backend: undefined }));
  const allKeys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const differences = allKeys
    .filter((k) => new Set(flat.map((f) => JSON.stringify(f[k]))).size > 1)
    .map((key) => ({ key, values: flat.map((f) => f[key]) }));

  const datasets = new Map<string, Dataset>();
  const images: Record<string, Uint8Array> = {};
  const columns: { recon: PageImage; samples: PageImage; latent: PageImage }[] = [];
  const runs: ComparedRun[] = entries.map((e, i) => {
    const config = configs[i];
    const history = readHistory(e.dir);
    const last = history.at(-1);
    const key = dataKey(config);
    if (!datasets.has(key)) datasets.set(key, loadDataset({ ...config.data, seed: config.train.seed }));
    const dataset = datasets.get(key)!;
    const { model } = loadModel(e.dir);
    try {
      columns.push(runFigures(model, dataset, config.train.seed));
      return {
        name: names[i],
        dir: e.dir,
        ...(e.values ? { values: e.values } : {}),
        epochs: last?.epoch ?? 0,
        train: last?.train,
        test: last?.test,
        kind: config.model.kind,
        klName: lossNames(config.model).regularizer ?? 'none',
        samplesPerSecond: median(history.map((m) => (m as { samplesPerSecond: number }).samplesPerSecond)),
        activeUnits: activeUnits(model, dataset),
        latent: model.latentDim,
        nll: opts.nllK ? nllOf(model, dataset, opts.nllK, opts.nllExamples ?? 500, config.train.seed) : null,
      };
    } finally {
      model.dispose();
    }
  });

  // The chart against a number: the sweep's axes when every run comes from one sweep, else the differing keys.
  const sweep = entries.every((e) => e.sweep && e.sweep === entries[0].sweep) ? entries[0].axes : undefined;
  const keyValues = (k: string) => (sweep ? entries.map((e) => e.values?.[k]) : flat.map((f) => f[k]));
  const keys = chartKeys(sweep ?? differences.map((d) => d.key).filter((k) => k !== 'preset'), keyValues);
  let byNumber: Comparison['byNumber'];
  if (keys) {
    const points: MetricPoint[] = runs.flatMap((r, i) => {
      const x = keyValues(keys.key)[i] as number;
      const series = keys.seriesKey ? String(keyValues(keys.seriesKey)[i]) : 'all runs';
      const metrics: [string, number | null | undefined][] = [
        ['test loss', r.test?.loss],
        ['test reconstruction', r.test?.reconstruction],
        // An autoencoder has no third term (its recorded kl is 0): no point rather than a misleading one.
        [`test ${r.klName}`, r.klName === 'none' ? undefined : r.test?.kl],
        ['active units', r.activeUnits],
        ...(r.nll ? [['NLL', r.nll.value] as [string, number]] : []),
      ];
      return metrics.filter((m): m is [string, number] => typeof m[1] === 'number' && Number.isFinite(m[1])).map(([metric, value]) => ({ x, series, metric, value, run: r.name }));
    });
    byNumber = { key: keys.key, ...(keys.seriesKey ? { seriesKey: keys.seriesKey } : {}), points };
  }
  const comparison: Comparison = { runs, differences, ...(dataWarning ? { dataWarning } : {}), ...(byNumber ? { byNumber } : {}) };

  const loss = renderChart(lossCompareSpec(runs.map((r, i) => ({ name: r.name, history: readHistory(entries[i].dir) }))) as never).png;
  images['compare-loss.png'] = loss;
  if (byNumber) images['compare-metrics.png'] = renderChart(metricsSpec(byNumber) as never).png;
  columns.forEach((c, i) => {
    images[`compare-${i + 1}-reconstructions.png`] = c.recon.png;
    images[`compare-${i + 1}-samples.png`] = c.samples.png;
    images[`compare-${i + 1}-latent.png`] = c.latent.png;
  });
  const html = compareHtml(comparison, images, columns);
  return { comparison, html, images };
}

/** The first test examples (at most 2,000) a run's active units are counted on; the same for every run. */
const AU_EXAMPLES = 2000;

function activeUnits(model: Model, dataset: Dataset): number | null {
  if (modelKind(model.config.kind).posterior === 'none') return null;
  const n = Math.min(AU_EXAMPLES, dataset.test.n);
  const labels = model.classes !== undefined ? dataset.test.labels?.subarray(0, n) : undefined;
  return countActiveUnits({ model, x: dataset.test.x.subarray(0, n * model.inputDim), labels }).activeUnits;
}

function nllOf(model: Model, dataset: Dataset, k: number, examples: number, seed: number): ComparedRun['nll'] {
  if (modelKind(model.config.kind).posterior === 'none') return null;
  const n = Math.min(examples, dataset.test.n);
  const labels = model.classes !== undefined ? dataset.test.labels?.subarray(0, n) : undefined;
  const r = estimateNll({ model, x: dataset.test.x.subarray(0, n * model.inputDim), k, rng: new Rng(`${seed}:nll`), labels });
  return { value: r.nll, stdErr: r.nllStdErr, k, examples: n };
}

/** Images compared: the first 8 test examples. */
const RECON_N = 8;

/** One run's column: the same test images with its reconstructions, prior samples from one seed, the latent map. */
function runFigures(model: Model, dataset: Dataset, seed: number): { recon: PageImage; samples: PageImage; latent: PageImage } {
  const d = model.inputDim;
  let recon: PageImage;
  if (dataset.kind === 'image') {
    const n = Math.min(RECON_N, dataset.test.n);
    const x = { data: dataset.test.x.subarray(0, n * d), n, dim: d };
    const labels = model.classes !== undefined ? dataset.test.labels?.subarray(0, n) : undefined;
    const r = reconstructRows(model, x, labels);
    const images = new Float32Array(2 * n * d); // [2 rows, n, D]
    images.set(x.data, 0);
    images.set(r.data, n * d);
    recon = { grid: true, png: imageGrid({ images, shape: dataset.shape, rows: 2, cols: n }), caption: `test images 0-${n - 1} (top) and decode(encode(x).mean) (bottom)` };
  } else {
    const f = reconstructionFigure(model, dataset);
    recon = { png: f.files[0].bytes as Uint8Array, caption: f.caption };
  }
  // One seed for every run: the same draws of z wherever the latent sizes agree.
  const s = samplesFigure(model, dataset, { n: dataset.kind === 'image' ? 36 : undefined, seed: 0 });
  const l = latentFigure(model, dataset, { method: 'pca', n: 1000, seed });
  return { recon, samples: { grid: dataset.kind === 'image', png: s.files[0].bytes as Uint8Array, caption: s.caption.replace(/\.$/, '') + ` (seed 0 for every run)` }, latent: { png: l.files[0].bytes as Uint8Array, caption: l.caption } };
}

/** Loss, reconstruction and the third term per epoch, one line per run, each panel one axis for all runs (test split). */
export function lossCompareSpec(runs: { name: string; history: { epoch: number; test: Terms; train: Terms }[] }[]): object {
  const terms = [['loss', 'test loss'], ['reconstruction', 'test reconstruction'], ['kl', 'test KL / anchor']] as const;
  const values = runs.flatMap((r) => r.history.flatMap((m) => terms.map(([key, term]) => ({ run: r.name, epoch: m.epoch, term, value: m.test[key] }))));
  return {
    title: 'Test loss per epoch, every run on the same axes',
    data: { values },
    facet: { column: { field: 'term', type: 'nominal', sort: terms.map((t) => t[1]), title: null } },
    spec: {
      width: 230,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: 'per example' },
        color: { field: 'run', type: 'nominal', sort: runs.map((r) => r.name), title: 'run' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Each metric against the swept number (seed 001's figure): one panel per metric, one line per series. */
export function metricsSpec(byNumber: NonNullable<Comparison['byNumber']>): object {
  const xs = byNumber.points.map((p) => p.x);
  const log = xs.every((x) => x > 0) && Math.max(...xs) / Math.min(...xs) >= 16;
  const metrics = [...new Set(byNumber.points.map((p) => p.metric))];
  return {
    title: `Final metrics against ${byNumber.key}`,
    data: { values: byNumber.points },
    facet: { column: { field: 'metric', type: 'nominal', sort: metrics, title: null } },
    spec: {
      width: 200,
      height: 170,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: byNumber.key, scale: log ? { type: 'log', base: 2 } : { zero: false }, axis: { values: [...new Set(xs)].sort((a, b) => a - b), ...(xs.every(Number.isInteger) ? { format: 'd' } : {}) } },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        color: { field: 'series', type: 'nominal', title: byNumber.seriesKey ?? null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : Math.abs(x) >= 100 ? x.toFixed(2) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toFixed(4));
const dataUri = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
const show = (v: Json | undefined) => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));

/** The page: one file, every image inline, no script and nothing fetched. */
function compareHtml(c: Comparison, images: Record<string, Uint8Array>, columns: { recon: PageImage; samples: PageImage; latent: PageImage }[]): string {
  const head = c.runs.map((r) => `<th>${esc(r.name)}</th>`).join('');
  const diffRows = c.differences.map((d) => `<tr><td>${esc(d.key)}</td>${d.values.map((v) => `<td>${esc(show(v))}</td>`).join('')}</tr>`).join('\n');
  const metricRows = c.runs
    .map((r) => {
      const cells = [r.train?.loss, r.train?.reconstruction, r.train?.kl, r.test?.loss, r.test?.reconstruction, r.test?.kl].map((v) => `<td>${num(v)}</td>`).join('');
      const nll = r.nll ? `${num(r.nll.value)} ± ${num(r.nll.stdErr)} (k ${r.nll.k}, ${r.nll.examples} ex.)` : '–';
      return `<tr><td>${esc(r.name)}</td><td>${r.epochs}</td>${cells}<td>${esc(r.klName)}</td><td>${nll}</td><td>${r.activeUnits ?? '–'} / ${r.latent}</td><td>${r.samplesPerSecond === undefined ? '–' : Math.round(r.samplesPerSecond)}</td></tr>`;
    })
    .join('\n');
  const img = (name: string, alt: string) => `<img src="${dataUri(images[name])}" alt="${esc(alt)}" style="max-width:100%">`;
  const row = (what: 'recon' | 'samples' | 'latent', title: string) =>
    `<tr><th class="rowhead">${title}</th>${columns.map((col, i) => `<td><img src="${dataUri(col[what].png)}" alt="${esc(title)} of ${esc(c.runs[i].name)}"${col[what].grid ? ' class="grid"' : ''}><div class="cap">${esc(col[what].caption)}</div></td>`).join('')}</tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vaekit compare: ${esc(c.runs.map((r) => r.name).join(', '))}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
td, th { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; vertical-align: top; font-size: 0.9rem; }
td:first-child, th.rowhead { text-align: left; }
.warning { background: #fff3cd; border: 1px solid #e0b000; padding: 0.75rem; font-weight: bold; }
.figs td { text-align: center; }
.figs img { max-width: 360px; }
.figs img.grid { image-rendering: pixelated; width: 260px; }
.cap { font-size: 0.75rem; color: #555; max-width: 260px; margin: 0.25rem auto; }
</style></head><body>
${c.dataWarning ? `<p class="warning" data-testid="data-warning">Warning: ${esc(c.dataWarning)}</p>\n` : ''}<h1>Comparing ${c.runs.length} runs</h1>
<h2>Config differences</h2>
${c.differences.length ? `<table><tr><th>key</th>${head}</tr>\n${diffRows}</table>` : '<p>The configs are identical.</p>'}
<h2>Final metrics</h2>
<p>Per-example means at the last epoch; NLL only where asked for (<code>vaekit compare --nll</code>); active units over the first ${AU_EXAMPLES} test examples (Burda et al., variance of the posterior mean &gt; 0.01); samples/s the median over epochs.</p>
<table><tr><th>run</th><th>epochs</th><th>train loss</th><th>train rec.</th><th>train KL/anchor</th><th>test loss</th><th>test rec.</th><th>test KL/anchor</th><th>term</th><th>NLL</th><th>active units</th><th>samples/s</th></tr>
${metricRows}</table>
<h2>Loss curves</h2>
${img('compare-loss.png', 'test loss curves of every run')}
${c.byNumber ? `<h2>Metrics against ${esc(c.byNumber.key)}</h2>\n${img('compare-metrics.png', `final metrics against ${c.byNumber.key}`)}` : ''}
<h2>Figures by run</h2>
<table class="figs"><tr><th></th>${head}</tr>
${row('recon', 'the same test images reconstructed')}
${row('samples', 'prior samples, same seed')}
${row('latent', 'latent map (PCA)')}
</table>
<p class="cap">vaekit compare, ${new Date().toISOString()}</p>
</body></html>
`;
}
