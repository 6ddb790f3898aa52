/** A run's figures from a model and its dataset: each builder returns named files (PNG, SVG) and writes nothing. */
import { Rng } from '../engine/index.js';
import type { Dataset, DataSplit } from '../data/index.js';
import { checkLabel, labelsFor, lossNames, modelKind, type LossModel, type Model } from '../models/index.js';
import { UsageError } from '../errors.js';
import { decodeCodes, encodeMeans, interpolate, manifoldGrid, project, reconstructRows, repeatLabel, row, samplePrior, traverse, type ProjectionMethod, type Rows, type StepProgress } from '../latent/index.js';
import { factorMutualInfo, factorTraversalFigure, mutualInfoFigure, scorableTruth, type FactorInfo } from './disentangle.js';
import { planFidelityFigures } from './fidelity.js';
import { histogramsSpec, imageGrid, lossCurveSpec, pathOverDataSpec, pointPanelsSpec, renderChart, scatterSpec, type EpochTerms } from '../figures/index.js';

/** One file of a figure, named relative to the run folder. */
export interface FigureFile {
  file: string;
  bytes: Uint8Array | string;
}

/** A figure: its files (the first is the one to show) and what it shows. */
export interface Figure {
  id: string;
  title: string;
  caption: string;
  files: FigureFile[];
}

const isImage = (d: Dataset) => d.kind === 'image';

function splitRows(split: DataSplit, dim: number, n = split.n): Rows {
  const m = Math.min(n, split.n);
  return { data: split.x.subarray(0, m * dim), n: m, dim };
}

/** The first n test labels a conditional model encodes with; undefined for an unconditional model. */
function testLabels(model: Model, dataset: Dataset, n: number): Int32Array | undefined {
  return labelsFor({ model, labels: dataset.test.labels, n, what: `the test split of '${dataset.name}'` });
}

/** The name of each model input of a table with columns: a numeric column's name, or `column = category` in a one-hot block. */
function inputNames(dataset: Dataset): string[] | undefined {
  return dataset.columns?.flatMap((c) => (c.kind === 'numeric' ? [c.name] : c.labels.map((label) => `${c.name} = ${label}`)));
}

/** ' as class k (name)' for a caption; '' without a class. */
function asClass(dataset: Dataset, label: number | undefined): string {
  if (label === undefined) return '';
  const name = dataset.labelNames?.[label];
  return ` as class ${label}${name !== undefined && name !== String(label) ? ` (${name})` : ''}`;
}

/** A class as a grid's row label: 'y = k', with its name when it has one. */
function classText(dataset: Dataset, label: number): string {
  const name = dataset.labelNames?.[label];
  return `y = ${label}${name !== undefined && name !== String(label) ? ` (${name})` : ''}`;
}

/** A traversal value as a column label: signed, one decimal ('-3.0', '0', '+1.5'). */
const signed = (v: number) => (Math.abs(v) < 0.05 ? '0' : `${v > 0 ? '+' : ''}${v.toFixed(1)}`);

/** Images in one figure at most: a grid beyond this is unreadable and its PNG runs to hundreds of megabytes. */
export const MAX_TILES = 10_000;

function checkTiles(tiles: number, what: string): void {
  if (tiles > MAX_TILES) throw new UsageError(`${what}: ${tiles} images in one figure; expected at most ${MAX_TILES}`);
}

function checkIndex(flag: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`${flag}: ${i} is not a test example index in 0..${n - 1}`);
}

function chartFigure(id: string, title: string, caption: string, spec: Parameters<typeof renderChart>[0]): Figure {
  const { svg, png } = renderChart(spec);
  return { id, title, caption, files: [{ file: `${id}.png`, bytes: png }, { file: `${id}.svg`, bytes: svg }] };
}

/** 2-D data points of `rows` (the first two features). */
function firstTwo(rows: Rows): Float32Array {
  if (rows.dim === 2) return rows.data;
  const out = new Float32Array(rows.n * 2); // [n, 2]
  for (let i = 0; i < rows.n; i++) {
    out[i * 2] = rows.data[i * rows.dim];
    out[i * 2 + 1] = rows.data[i * rows.dim + 1];
  }
  return out;
}

/**
 * decode of `steps` codes from the mean of test example `from` to that of `to`. A conditional model encodes each
 * endpoint with its own label and decodes the whole path as one class: `label`, or the start example's.
 */
function transition(model: Model, dataset: Dataset, { from, to, steps, method, label }: { from: number; to: number; steps: number; method: 'lerp' | 'slerp'; label?: number }): { decoded: Rows; label?: number } {
  checkIndex('--from', from, dataset.test.n);
  checkIndex('--to', to, dataset.test.n);
  checkTiles(steps, '--steps');
  const d = model.inputDim;
  const pair = new Float32Array(2 * d); // [2, D]
  pair.set(dataset.test.x.subarray(from * d, (from + 1) * d), 0);
  pair.set(dataset.test.x.subarray(to * d, (to + 1) * d), d);
  const all = dataset.test.labels;
  const y = labelsFor({ model, labels: all && Int32Array.of(all[from], all[to]), n: 2, what: `the test split of '${dataset.name}'` });
  const z = encodeMeans(model, { data: pair, n: 2, dim: d }, y);
  const path = interpolate({ zFrom: row(z, 0), zTo: row(z, 1), steps, method });
  const classLabel = y && (checkLabel(model, label) ?? y[0]);
  return { decoded: decodeCodes(model, path, repeatLabel(classLabel, steps)), label: classLabel };
}

/**
 * Seeds 000 and 002's figure: test originals, their reconstructions, and a transition between the first two inputs
 * (`from`, `to`) in `steps` steps. Non-image data: the real points beside their reconstructions (2-D), or histograms.
 * A conditional model reconstructs each example with its own label; the transition is decoded as in {@link transition}.
 */
export function reconstructionFigure(model: Model, dataset: Dataset, { n = 10, from = 0, to = 1, steps = 10, method = 'lerp' as 'lerp' | 'slerp', label }: { n?: number; from?: number; to?: number; steps?: number; method?: 'lerp' | 'slerp'; label?: number } = {}): Figure {
  const d = model.inputDim;
  const x = splitRows(dataset.test, d, isImage(dataset) ? n : 1000);
  const recon = reconstructRows(model, x, testLabels(model, dataset, x.n));
  const given = model.classes === undefined ? '' : ' given its label y';
  if (isImage(dataset)) {
    checkTiles(3 * Math.max(n, steps), '--n, --steps');
    const path = transition(model, dataset, { from, to, steps, method, label });
    const cols = Math.max(n, steps);
    const images = new Float32Array(3 * cols * d); // [3 rows, cols, D]
    images.set(x.data.subarray(0, x.n * d), 0);
    images.set(recon.data, cols * d);
    images.set(path.decoded.data, 2 * cols * d);
    return {
      id: 'reconstructions',
      title: 'Originals, reconstructions, transition',
      caption: `Top: the first ${x.n} test images. Middle: decode(encode(x).mean)${given}. Bottom: decoded codes from test image ${from} to test image ${to} in ${steps} steps (${method})${asClass(dataset, path.label)}.`,
      files: [{ file: 'reconstructions.png', bytes: imageGrid({ images, shape: dataset.shape, rows: 3, cols, labels: { rows: ['original', 'reconstruction', `transition ${from} → ${to}`] } }) }],
    };
  }
  if (d === 2) {
    return chartFigure('reconstructions', 'Data and reconstructions', `${x.n} test points and decode(encode(x).mean)${given} of each.`, pointPanelsSpec({ groups: [{ name: 'test data', xy: x.data }, { name: 'reconstruction', xy: recon.data }] }));
  }
  return chartFigure('reconstructions', 'Data and reconstructions', `Per-feature histograms of ${x.n} test examples and their reconstructions${given}.`, histogramsSpec({ groups: [{ name: 'test data', rows: x.data }, { name: 'reconstruction', rows: recon.data }], dim: d, featureNames: inputNames(dataset) }));
}

/**
 * Decoded prior samples: an image grid, real points beside samples (seed 003), or per-feature histograms. A
 * conditional model draws every sample as class `label` when one is given, and cycles through its classes otherwise.
 */
export function samplesFigure(model: Model, dataset: Dataset, { n, seed = 0, label }: { n?: number; seed?: number; label?: number } = {}): Figure {
  const rng = new Rng(`${seed}:samples`);
  const d = model.inputDim;
  checkLabel(model, label);
  const draw = (count: number): Rows => samplePrior(model, count, rng, { label });
  const of = label !== undefined ? ` given label ${label}${dataset.labelNames?.[label] !== undefined ? ` (${dataset.labelNames[label]})` : ''}` : model.classes !== undefined ? `, sample i decoded as class i mod ${model.classes}` : '';
  if (isImage(dataset)) {
    const count = n ?? 64;
    checkTiles(count, '--n');
    const cols = Math.ceil(Math.sqrt(count));
    const rows = Math.ceil(count / cols);
    const s = draw(count);
    const classes = label !== undefined ? `, class ${label}` : model.classes !== undefined ? `, class i mod ${model.classes}` : '';
    const labels = { title: `prior samples, seed ${seed}${classes}` };
    return { id: 'samples', title: 'Prior samples', caption: `decode(z) for ${count} draws ${modelKind(model.config.kind).samples ?? 'z ~ N(0, I)'}${of}.`, files: [{ file: 'samples.png', bytes: imageGrid({ images: s.data, shape: dataset.shape, rows, cols, labels }) }] };
  }
  const count = n ?? Math.min(2000, dataset.test.n);
  const s = draw(count);
  const real = splitRows(dataset.test, d, count);
  if (d === 2) {
    return chartFigure('samples', 'Data and prior samples', `${real.n} test points beside decode(z) for ${count} draws z ~ N(0, I)${of} (seed 003).`, pointPanelsSpec({ groups: [{ name: 'test data', xy: real.data }, { name: 'decoded prior samples', xy: s.data }] }));
  }
  return chartFigure('samples', 'Data and prior samples', `Per-feature histograms of ${real.n} test examples and of ${count} decoded prior samples${of}.`, histogramsSpec({ groups: [{ name: 'test data', rows: real.data }, { name: 'prior samples', rows: s.data }], dim: d, featureNames: inputNames(dataset) }));
}

/**
 * The conditional VAE's class grid: row k holds `cols` prior draws decoded as class k, one row per class. Image data.
 *
 * @example
 * const fig = classGridFigure(cvae, dataset, { cols: 10, seed: 1 }); // class-grid.png, 10 rows for MNIST
 */
export function classGridFigure(model: Model, dataset: Dataset, { cols = 10, seed = 0 }: { cols?: number; seed?: number } = {}): Figure {
  if (model.classes === undefined) throw new UsageError(`the class grid needs a conditional VAE (model.kind cvae); this model is a ${model.config.kind}`);
  if (!isImage(dataset)) throw new UsageError(`the class grid shows images; the data '${dataset.name}' is not image data`);
  const rng = new Rng(`${seed}:class-grid`);
  const k = model.classes;
  const d = model.inputDim;
  const images = new Float32Array(k * cols * d); // [K * cols, D], row-major by class
  for (let c = 0; c < k; c++) images.set(samplePrior(model, cols, rng, { label: c }).data, c * cols * d);
  const names = dataset.labelNames ? `: ${dataset.labelNames.slice(0, k).join(', ')}` : '';
  return {
    id: 'class-grid',
    title: 'Samples by class',
    caption: `Row k: decode(z, y = k) for ${cols} draws z ~ N(0, I), one row per class (${k} classes${names}).`,
    files: [{ file: 'class-grid.png', bytes: imageGrid({ images, shape: dataset.shape, rows: k, cols, labels: { title: `prior samples by class, seed ${seed}`, rows: Array.from({ length: k }, (_, c) => classText(dataset, c)) } }) }],
  };
}

/**
 * The classes a conditional model decodes a code grid with: `label` alone, or every class in turn when none is
 * given; [undefined] for an unconditional model.
 */
function decodeClasses(model: Model, label: number | undefined): (number | undefined)[] {
  if (checkLabel(model, label) !== undefined) return [label];
  return model.classes === undefined ? [undefined] : Array.from({ length: model.classes }, (_, c) => c);
}

/**
 * A traversal (seed 001): each row varies one latent dimension over [-range, range], the others held at `base`
 * (zero by default). A conditional model decodes as class `label`, or, without one, repeats the rows for every class
 * (class-major). Non-image data: the decoded paths drawn over the data.
 */
export function traversalFigure(model: Model, dataset: Dataset, { dims, range = 3, steps = 11, base, label }: { dims?: number[]; range?: number; steps?: number; base?: Float32Array; label?: number } = {}): Figure {
  const L = model.latentDim;
  const chosen = dims ?? Array.from({ length: Math.min(L, 10) }, (_, i) => i);
  const classes = decodeClasses(model, label);
  checkTiles(classes.length * chosen.length * steps, '--dims, --steps');
  const z = traverse({ latentDim: L, dims: chosen, range, steps, base });
  const decoded: Rows = { data: new Float32Array(classes.length * z.n * model.inputDim), n: classes.length * z.n, dim: model.inputDim }; // [classes * dims * steps, D]
  classes.forEach((c, i) => decoded.data.set(decodeCodes(model, z, repeatLabel(c, z.n)).data, i * z.n * model.inputDim));
  const held = base ? 'the code given' : 'zero';
  const byClass = model.classes === undefined ? '' : classes.length === 1 ? `; decoded${asClass(dataset, classes[0])}` : `; one block of rows per class, 0 to ${classes.length - 1} from the top`;
  const caption = `Rows: latent dimensions ${chosen.join(', ')}; columns: values ${z.values[0].toFixed(1)} to ${z.values.at(-1)!.toFixed(1)}; the other dimensions held at ${held}${byClass}.`;
  if (isImage(dataset)) {
    const rowLabels = classes.flatMap((c) => chosen.map((dim) => (classes.length > 1 ? `y${c} z${dim}` : `z${dim}`)));
    const labels = { title: `one latent dimension per row, the others at ${held}`, rows: rowLabels, cols: Array.from(z.values, signed) };
    return { id: 'traversal', title: 'Latent traversal', caption, files: [{ file: 'traversal.png', bytes: imageGrid({ images: decoded.data, shape: dataset.shape, rows: classes.length * chosen.length, cols: steps, labels }) }] };
  }
  const xy = firstTwo(decoded);
  const seriesOf = (i: number) => {
    const r = Math.floor(i / steps);
    const c = classes[Math.floor(r / chosen.length)];
    return `${c === undefined || classes.length === 1 ? '' : `y${c} `}z${chosen[r % chosen.length]}`;
  };
  const path = Array.from({ length: decoded.n }, (_, i) => ({ x: xy[i * 2], y: xy[i * 2 + 1], step: z.values[i % steps], series: seriesOf(i) }));
  const seriesName = classes.length * chosen.length <= 8 ? 'dimension' : undefined;
  const data = firstTwo(splitRows(dataset.test, model.inputDim, 2000));
  return chartFigure('traversal', 'Latent traversal', caption + ' Grey: test data.', pathOverDataSpec({ data, path, stepName: 'value', seriesName }));
}

/**
 * Images of `blocks` equal grids (side x side tiles of `d` values each) laid out `perRow` blocks to a row, with one
 * blank tile of the padding grey between blocks: the tiles of one image grid [rows * cols, D].
 */
function blockTiles(blocks: Float32Array[], side: number, d: number, perRow: number): { images: Float32Array; rows: number; cols: number } {
  const across = Math.min(perRow, blocks.length);
  const down = Math.ceil(blocks.length / across);
  const cols = across * (side + 1) - 1;
  const rows = down * (side + 1) - 1;
  const images = new Float32Array(rows * cols * d).fill(0.5); // [rows * cols, D]
  blocks.forEach((block, b) => {
    const r0 = Math.floor(b / across) * (side + 1);
    const c0 = (b % across) * (side + 1);
    for (let r = 0; r < side; r++) images.set(block.subarray(r * side * d, (r + 1) * side * d), ((r0 + r) * cols + c0) * d);
  });
  return { images, rows, cols };
}

/**
 * The decoded manifold of a 2-D latent space over Gaussian quantiles (or a square); undefined for other latent sizes.
 * A conditional model decodes the grid as class `label`; without one (image data) it draws a smaller grid per class,
 * five to a row, in one image.
 */
/** Whether a model has a latent manifold to draw: a 2-D latent. */
export const hasManifold = (model: Model): boolean => model.latentDim === 2;

export function manifoldFigure(model: Model, dataset: Dataset, { size, spacing = 'quantiles', range = 3, label }: { size?: number; spacing?: 'quantiles' | 'square'; range?: number; label?: number } = {}): Figure | undefined {
  if (!hasManifold(model)) return undefined;
  const classes = decodeClasses(model, label);
  const perClass = classes.length > 1;
  if (perClass && !isImage(dataset)) throw new UsageError(`--label: a conditional VAE on data that is not images draws one class's manifold at a time; give --label k with k in 0..${classes.length - 1}`);
  const side = size ?? (perClass ? 10 : isImage(dataset) ? 20 : 15);
  checkTiles(classes.length * side * side, '--size');
  const grid = manifoldGrid({ size: side, spacing, range });
  const decodedBy = classes.map((c) => decodeCodes(model, grid, repeatLabel(c, grid.n)));
  const how = spacing === 'quantiles' ? 'at the N(0, 1) quantiles (i + 0.5) / ' + side : `evenly over [-${range}, ${range}]`;
  const which = perClass ? `; one grid per class, 0 to ${classes.length - 1} in reading order` : asClass(dataset, classes[0]) && `, decoded${asClass(dataset, classes[0])}`;
  const caption = `decode(z) on a ${side} x ${side} grid of codes ${how}; z0 grows to the right, z1 upwards${which}.`;
  if (isImage(dataset)) {
    const { images, rows, cols } = perClass ? blockTiles(decodedBy.map((r) => r.data), side, model.inputDim, 5) : { images: decodedBy[0].data, rows: side, cols: side };
    const labels = { title: `decode(z): z0 grows →, z1 grows ↑${perClass ? ', one grid per class' : ''}` };
    return { id: 'manifold', title: 'Latent manifold', caption, files: [{ file: 'manifold.png', bytes: imageGrid({ images, shape: dataset.shape, rows, cols, scale: 1, labels }) }] };
  }
  const decoded = decodedBy[0];
  const xy = firstTwo(decoded);
  const path = Array.from({ length: decoded.n }, (_, i) => ({ x: xy[i * 2], y: xy[i * 2 + 1], step: grid.data[i * 2], series: `z1=${grid.data[i * 2 + 1].toFixed(2)}` }));
  const data = firstTwo(splitRows(dataset.test, model.inputDim, 2000));
  return chartFigure('manifold', 'Latent manifold', caption + ' Lines join codes of equal z1; colour is z0. Grey: test data.', {
    ...pathOverDataSpec({ data, path, stepName: 'z0' }),
  });
}

/**
 * The latent means of test examples: the codes themselves for a 2-D latent, otherwise a 2-D projection (`method`),
 * coloured by label (seed 002's t-SNE figure) or by position along the Swiss roll. A conditional model encodes each
 * example with its own label, so the map shows what the code holds besides the class. `onProgress` hears how far a
 * t-SNE or UMAP projection has got.
 */
export function latentFigure(model: Model, dataset: Dataset, { method = 'pca', n, seed = 0, onProgress }: { method?: ProjectionMethod; n?: number; seed?: number; onProgress?: (p: StepProgress) => void } = {}): Figure {
  const count = latentCount(dataset, method, n);
  const z = encodeMeans(model, splitRows(dataset.test, model.inputDim, count), testLabels(model, dataset, count));
  const direct = model.latentDim === 2;
  const xy = direct ? z.data : model.latentDim === 1 ? oneDim(z.data) : project(z, { method, rng: new Rng(`${seed}:${method}`), onProgress }).data;
  const names = { pca: 'PCA', tsne: 't-SNE', umap: 'UMAP' } as const;
  const of = model.classes === undefined ? '' : ' of q(z|x, y), each example encoded with its label';
  const how = direct ? 'the 2-D latent means' : model.latentDim === 1 ? 'the 1-D latent mean against the example index' : `a ${names[method]} projection of the ${model.latentDim}-D latent means`;
  const labels = dataset.test.labels?.subarray(0, count);
  const position = dataset.test.aux?.position?.subarray(0, count);
  const by = labels ? ', coloured by label' : position ? ', coloured by position along the roll (the angle t)' : '';
  const axis = direct || model.latentDim === 1 ? ['z0', 'z1'] : [`${names[method]} 1`, `${names[method]} 2`];
  const id = direct || model.latentDim === 1 ? 'latent' : `latent-${method}`;
  const spec = scatterSpec({ xy, labels, labelNames: dataset.labelNames, value: labels ? undefined : position, valueName: 'position t', xTitle: axis[0], yTitle: model.latentDim === 1 ? 'example' : axis[1] });
  const title = direct || model.latentDim === 1 ? 'Latent space' : `Latent space (${names[method]})`;
  return chartFigure(id, title, `${count} test examples: ${how}${of}${by}.`, spec);
}

/** The number of test examples a latent map shows: `n`, or 2000 (1000 for t-SNE), at most the test split. */
function latentCount(dataset: Dataset, method: ProjectionMethod, n?: number): number {
  return Math.min(n ?? (method === 'tsne' ? 1000 : 2000), dataset.test.n);
}

/** What a latent map involves, for progress lines: 'latent map (UMAP, 2000 points)'. */
export function latentStepName(model: Model, dataset: Dataset, method: ProjectionMethod, n?: number): string {
  const names = { pca: 'PCA', tsne: 't-SNE', umap: 'UMAP' } as const;
  return model.latentDim > 2 ? `latent map (${names[method]}, ${latentCount(dataset, method, n)} points)` : 'latent map';
}

function oneDim(z: Float32Array): Float32Array {
  const out = new Float32Array(z.length * 2); // [n, 2]: (z, index)
  z.forEach((v, i) => {
    out[i * 2] = v;
    out[i * 2 + 1] = i;
  });
  return out;
}

/** Seed 002's loss curve with test loss and the terms, named for the model (registry.ts lossNames: 'anchor' for the poor man's VAE). */
export function lossFigure(history: EpochTerms[], modelConfig: LossModel): Figure {
  const { loss, regularizer } = lossNames(modelConfig);
  const terms = regularizer === undefined ? `the ${loss}` : `the loss (${loss}), its reconstruction and ${regularizer} terms`;
  const caption = `Per-example means each epoch of ${terms}: train (running mean over the epoch, training mode) and test (evaluation mode).`;
  return chartFigure('loss', 'Loss curves', caption, lossCurveSpec(history, { lossName: loss, klName: regularizer ?? null }));
}

/**
 * decode of `steps` codes between test examples `from` and `to`: a row of images, or a path over the data. A
 * conditional model decodes the path as class `label`, or as the start example's class.
 */
export function interpolationFigure(model: Model, dataset: Dataset, { from, to, steps = 10, method = 'lerp', label }: { from: number; to: number; steps?: number; method?: 'lerp' | 'slerp'; label?: number }): Figure {
  const { decoded, label: classLabel } = transition(model, dataset, { from, to, steps, method, label });
  const id = `interpolate-${from}-${to}${method === 'slerp' ? '-slerp' : ''}`;
  const caption = `decode(z) for ${steps} codes from the mean of test example ${from} to that of test example ${to} (${method === 'slerp' ? 'spherical' : 'linear'})${asClass(dataset, classLabel)}.`;
  if (isImage(dataset)) {
    const labels = { rows: [method], cols: Array.from({ length: steps }, (_, i) => (i === 0 ? `test ${from}` : i === steps - 1 ? `test ${to}` : '')) };
    return { id, title: 'Interpolation', caption, files: [{ file: `${id}.png`, bytes: imageGrid({ images: decoded.data, shape: dataset.shape, rows: 1, cols: steps, labels }) }] };
  }
  const xy = firstTwo(decoded);
  const points = Array.from({ length: steps }, (_, i) => ({ x: xy[i * 2], y: xy[i * 2 + 1], step: i }));
  return chartFigure(id, 'Interpolation', caption + ' Grey: test data.', pathOverDataSpec({ data: firstTwo(splitRows(dataset.test, model.inputDim, 2000)), path: points }));
}

/**
 * A figure `runFigures` will draw, deferred so a caller can say how many are coming before the drawing starts: its
 * name for progress lines, and the drawing, which may report its own progress (a t-SNE or UMAP map takes seconds).
 */
export interface PlannedFigure {
  name: string;
  draw: (onProgress?: (p: StepProgress) => void) => Figure | undefined;
}

/** Progress of drawing planned figures: figure `index` of `count` (index = count when all are drawn), and its own step. */
export type FigureProgress = (p: { index: number; count: number; name: string; step?: StepProgress }) => void;

type RunFigureOptions = { model: Model; dataset: Dataset; history: EpochTerms[]; modelConfig: LossModel; seed?: number; method?: ProjectionMethod };

/**
 * Every figure that applies to a model and its data, in the order a report shows them, not yet drawn.
 *
 * @example
 * const plan = planRunFigures({ model, dataset, history, modelConfig: config.model, seed: 1 }); // plan.length figures to draw
 */
export function planRunFigures({ model, dataset, history, modelConfig, seed = 0, method }: RunFigureOptions): PlannedFigure[] {
  const plan: PlannedFigure[] = [];
  if (history.length > 0) plan.push({ name: 'loss curves', draw: () => lossFigure(history, modelConfig) });
  // A conditional VAE adds its class grid; the other figures encode with each example's label and decode per class.
  if (model.classes !== undefined && isImage(dataset)) plan.push({ name: 'class grid', draw: () => classGridFigure(model, dataset, { seed }) });
  if (dataset.test.n >= 2) plan.push({ name: 'reconstructions', draw: () => reconstructionFigure(model, dataset) });
  plan.push({ name: 'prior samples', draw: () => samplesFigure(model, dataset, { seed }) });
  // The manifold is drawn for a 2-D latent only; a conditional model on non-image data has no one manifold to show
  // without choosing a class.
  if (hasManifold(model) && !(model.classes !== undefined && !isImage(dataset))) plan.push({ name: 'manifold', draw: () => manifoldFigure(model, dataset) });
  plan.push({ name: 'traversal', draw: () => traversalFigure(model, dataset) });
  factorFigures(plan, model, dataset, seed);
  planFidelityFigures(plan, model, dataset, seed);
  const projection = method ?? (model.latentDim > 2 ? 'umap' : 'pca');
  plan.push({ name: latentStepName(model, dataset, projection), draw: (onProgress) => latentFigure(model, dataset, { seed, method: projection, onProgress }) });
  return plan;
}

/** Data with known factors: the factor x code mutual-information heat map and a traversal per factor (src/report/disentangle.ts). */
function factorFigures(plan: PlannedFigure[], model: Model, dataset: Dataset, seed: number): void {
  const truth = scorableTruth(model, dataset);
  if (!truth) return;
  let info: FactorInfo | undefined;
  const factorInfo = () => (info ??= factorMutualInfo(model, truth, { seed }));
  plan.push({ name: 'factor mutual information', draw: () => mutualInfoFigure(factorInfo()) });
  plan.push({ name: 'traversal per factor', draw: () => factorTraversalFigure(model, truth, factorInfo(), { seed }) });
}

/**
 * Every figure that applies to a model and its data, in the order a report shows them.
 *
 * @example
 * const figures = runFigures({ model, dataset, history, modelConfig: config.model, seed: 1 });
 */
export function runFigures(opts: RunFigureOptions): Figure[] {
  return drawFigures(planRunFigures(opts));
}

/** Draws planned figures in order (a figure that turns out not to apply is left out), telling `onFigure` how far it has got. */
export function drawFigures(plan: PlannedFigure[], onFigure?: FigureProgress): Figure[] {
  const count = plan.length;
  const figures = plan.flatMap(({ name, draw }, index) => {
    onFigure?.({ index, count, name });
    return draw(onFigure && ((step) => onFigure({ index, count, name, step }))) ?? [];
  });
  onFigure?.({ index: count, count, name: 'done' });
  return figures;
}
