/** Figures decode to the expected size and layout; each tile equals the rendered decoded tensor; charts render. */
import { beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import * as vega from 'vega';
import { initBackend, Rng, tf } from '../engine/index.js';
import { buildModel, type Model } from '../models/index.js';
import { resolveConfig } from '../config/index.js';
import type { Dataset } from '../data/index.js';
import { decodeCodes, encodeMeans, interpolate, manifoldGrid, row, traverse } from '../latent/index.js';
import { drawFigures, planRunFigures } from '../report/figures.js';
import { interpolationFigure, latentFigure, lossFigure, manifoldFigure, reconstructionFigure, runFigures, samplesFigure, traversalFigure, reportHtml, type Figure, type FigureProgress } from '../report/index.js';
import { chartSvg, compileChart, imageGrid, lossCurveSpec, renderChart, scatterSpec, tileOrigin, toByte } from './index.js';
import { findGrid, ink } from '../../test/grid.js';

const H = 6;
const W = 5;
const D = H * W;

/** A small image dataset: 40 train and 12 test greyscale 6x5 images with labels 0..2. */
function imageDataset(): Dataset {
  const rng = new Rng(4);
  const split = (n: number) => ({ x: rng.uniformArray(n * D), n, labels: Int32Array.from({ length: n }, (_, i) => i % 3) });
  return { name: 'tiny', kind: 'image', shape: [H, W, 1], labelNames: ['a', 'b', 'c'], train: split(40), test: split(12), preprocessing: { kind: 'none' }, source: 'test' };
}

/** A small 2-D point dataset with a position per point, like the Swiss roll. */
function pointDataset(): Dataset {
  const rng = new Rng(5);
  const split = (n: number) => ({ x: rng.normalArray(n * 2), n, aux: { position: rng.uniformArray(n, 4, 14) } });
  return { name: 'points', kind: 'points', shape: [2], train: split(50), test: split(30), preprocessing: { kind: 'none' }, source: 'test' };
}

function tinyModel(latent: number, inputDim: number): Model {
  const config = resolveConfig({ preset: 'mnist-vae', overrides: { model: { latent, encoder: { hidden: [8] }, decoder: { hidden: [8] } } } });
  return buildModel(config.model, inputDim, new Rng(7));
}

function decodePng(bytes: Uint8Array | string): PNG {
  expect(typeof bytes).not.toBe('string');
  return PNG.sync.read(Buffer.from(bytes as Uint8Array));
}

/**
 * Asserts that tile (r, c) of a grid PNG shows `image` ([H, W] greyscale in [0, 1]) at magnification `scale`, the
 * bare grid's top-left corner at `at` (after the label bands).
 */
function expectTile(png: PNG, r: number, c: number, image: Float32Array, { scale = 2, at = { left: 0, top: 0 } }: { scale?: number; at?: { left: number; top: number } } = {}): void {
  const bare = tileOrigin({ shape: [H, W, 1], scale }, r, c);
  const [ox, oy] = [at.left + bare.x, at.top + bare.y];
  const got: number[] = [];
  const want: number[] = [];
  for (let y = 0; y < H * scale; y++) {
    for (let x = 0; x < W * scale; x++) {
      const i = ((oy + y) * png.width + ox + x) * 4; // pngjs decodes to RGBA
      got.push(png.data[i], png.data[i + 1], png.data[i + 2]);
      const v = toByte(image[Math.floor(y / scale) * W + Math.floor(x / scale)]);
      want.push(v, v, v);
    }
  }
  expect(got).toEqual(want);
}

const pngOf = (f: Figure) => decodePng(f.files[0].bytes);

beforeAll(async () => {
  await initBackend('cpu');
});

describe('imageGrid', () => {
  it('lays images out row by row with a 1-pixel separator, magnified', () => {
    const images = new Rng(1).uniformArray(7 * D);
    const png = decodePng(imageGrid({ images, shape: [H, W, 1], rows: 2, cols: 4 }));
    expect([png.width, png.height]).toEqual([(1 + 4 * (W + 1)) * 2, (1 + 2 * (H + 1)) * 2]);
    for (let i = 0; i < 7; i++) expectTile(png, Math.floor(i / 4), i % 4, images.subarray(i * D, (i + 1) * D));
    expect(png.data[0]).toBe(toByte(0.5)); // separator
    const rgb = decodePng(imageGrid({ images: Float32Array.from([1, 0, 0, 0, 0, 1]), shape: [1, 2, 3], rows: 1, cols: 1, scale: 1, pad: 0 }));
    expect(Array.from(rgb.data.subarray(0, 8))).toEqual([255, 0, 0, 255, 0, 0, 255, 255]);
  });

  it('labels: a title, row and column labels in white bands above and left; the grid and its tiles unchanged', () => {
    const shape = [20, 16, 1];
    const d = 20 * 16;
    const images = new Rng(2).uniformArray(6 * d);
    const bare = decodePng(imageGrid({ images, shape, rows: 2, cols: 3 }));
    const png = decodePng(imageGrid({ images, shape, rows: 2, cols: 3, labels: { title: 'prior samples, seed 3', rows: ['original', ''], cols: ['-3.0', '', '+3.0'] } }));
    const { left, top } = findGrid(png, bare.width, bare.height);
    expect(left).toBeGreaterThan(30); // 'original' at 14 px
    expect(top).toBeGreaterThan(2 * 14); // a title line and a line of column labels
    for (let y = 0; y < bare.height; y++) {
      const row = (yy: number, p: PNG, x0: number) => Array.from(p.data.subarray(((yy * p.width) + x0) * 4, ((yy * p.width) + x0 + bare.width) * 4));
      expect(row(top + y, png, left)).toEqual(row(y, bare, 0));
    }
    const pitch = 17 * 2; // (W + pad) * scale
    const rowPitch = 21 * 2;
    const colBand = (c: number) => ink(png, left + (1 + c * 17) * 2, Math.round(top / 2), left + (1 + c * 17) * 2 + pitch - 2, top);
    expect(colBand(0)).toBeGreaterThan(10);
    expect(colBand(1)).toBe(0);
    expect(colBand(2)).toBeGreaterThan(10);
    const rowBand = (r: number) => ink(png, 0, top + 2 + r * rowPitch, left, top + 2 + (r + 1) * rowPitch);
    expect(rowBand(0)).toBeGreaterThan(20);
    expect(rowBand(1)).toBe(0);
    expect(ink(png, 0, 0, png.width, Math.round(top / 2) - 4), 'the title').toBeGreaterThan(50);
    expect(ink(png, 0, top, left, top + 2) + ink(png, left + bare.width, top, png.width, png.height), 'nothing outside the label places').toBe(0);
    // tileOrigin with the same labels knows where the grid moved.
    expect(tileOrigin({ shape, labels: { title: 'prior samples, seed 3', rows: ['original', ''], cols: ['-3.0', '', '+3.0'] } }, 1, 2)).toEqual({ x: left + (1 + 2 * 17) * 2, y: top + (1 + 21) * 2 });
  });

  it('clips values outside [0, 1]', () => {
    expect([toByte(-0.2), toByte(1.7), toByte(NaN), toByte(0.5)]).toEqual([0, 255, 0, 128]);
  });
});

describe('image figures', () => {
  let model: Model;
  let dataset: Dataset;
  beforeAll(() => {
    model = tinyModel(2, D);
    dataset = imageDataset();
  });

  it('reconstructions: originals, reconstructions, a transition whose ends are decode(z_from) and decode(z_to)', () => {
    const before = tf.memory().numTensors;
    const fig = reconstructionFigure(model, dataset, { n: 10, from: 3, to: 5, steps: 10 });
    expect(tf.memory().numTensors).toBe(before);
    const png = pngOf(fig);
    const at = findGrid(png, (1 + 10 * (W + 1)) * 2, (1 + 3 * (H + 1)) * 2);
    for (const r of [0, 1, 2]) expect(ink(png, 0, at.top + (1 + r * (H + 1)) * 2, at.left, at.top + (1 + (r + 1) * (H + 1)) * 2), `row label ${r}`).toBeGreaterThan(10);
    const x = dataset.test.x;
    const recon = tf.tidy(() => model.reconstruct(tf.tensor2d(x.subarray(0, 10 * D), [10, D])).dataSync() as Float32Array);
    for (const c of [0, 4, 9]) {
      expectTile(png, 0, c, x.subarray(c * D, (c + 1) * D), { at });
      expectTile(png, 1, c, recon.subarray(c * D, (c + 1) * D), { at });
    }
    const z = encodeMeans(model, { data: x, n: dataset.test.n, dim: D });
    const ends = decodeCodes(model, { data: Float32Array.from([...row(z, 3), ...row(z, 5)]), n: 2, dim: 2 });
    expectTile(png, 2, 0, row(ends, 0), { at });
    expectTile(png, 2, 9, row(ends, 1), { at });
    const mid = decodeCodes(model, interpolate({ zFrom: row(z, 3), zTo: row(z, 5), steps: 10 }));
    expectTile(png, 2, 4, row(mid, 4), { at });
  });

  it('samples: tile i is the i-th decoded prior draw of the seeded stream', () => {
    const fig = samplesFigure(model, dataset, { n: 12, seed: 3 });
    const png = pngOf(fig);
    const at = findGrid(png, (1 + 4 * (W + 1)) * 2, (1 + 3 * (H + 1)) * 2);
    expect(at.top, 'a title band').toBeGreaterThan(14);
    expect(ink(png, 0, 0, png.width, at.top), 'the title').toBeGreaterThan(50);
    const s = tf.tidy(() => model.sample(12, new Rng('3:samples')).dataSync() as Float32Array);
    for (const i of [0, 5, 11]) expectTile(png, Math.floor(i / 4), i % 4, s.subarray(i * D, (i + 1) * D), { at });
  });

  it('traversal: row r, column c is decode of the code with dimension dims[r] at values[c]', () => {
    const fig = traversalFigure(model, dataset, { dims: [1, 0], range: 2, steps: 5 });
    const png = pngOf(fig);
    const at = findGrid(png, (1 + 5 * (W + 1)) * 2, (1 + 2 * (H + 1)) * 2);
    for (const r of [0, 1]) expect(ink(png, 0, at.top + (1 + r * (H + 1)) * 2, at.left, at.top + (1 + (r + 1) * (H + 1)) * 2), `'z${1 - r}' beside row ${r}`).toBeGreaterThan(5);
    const colBand = (c: number) => ink(png, at.left + (1 + c * (W + 1)) * 2, at.top - 16, at.left + (1 + (c + 1) * (W + 1)) * 2, at.top);
    expect(colBand(0) + colBand(4), "the values '-2.0' and '+2.0' above the end columns").toBeGreaterThan(20);
    const t = traverse({ latentDim: 2, dims: [1, 0], range: 2, steps: 5 });
    const decoded = decodeCodes(model, t);
    for (const [r, c] of [[0, 0], [0, 4], [1, 2]]) expectTile(png, r, c, row(decoded, r * 5 + c), { at });
  });

  it('manifold: a size x size grid at magnification 1, tile (r, c) = decode of the grid code', () => {
    const fig = manifoldFigure(model, dataset, { size: 4 })!;
    const png = pngOf(fig);
    const at = findGrid(png, 1 + 4 * (W + 1), 1 + 4 * (H + 1));
    expect(ink(png, 0, 0, png.width, at.top), 'the title').toBeGreaterThan(50);
    const decoded = decodeCodes(model, manifoldGrid({ size: 4 }));
    for (const [r, c] of [[0, 0], [3, 1], [2, 3]]) expectTile(png, r, c, row(decoded, r * 4 + c), { scale: 1, at });
    expect(manifoldFigure(tinyModel(3, D), dataset)).toBeUndefined();
  });

  it('interpolation: one row of steps; the ends decode the two test codes', () => {
    const fig = interpolationFigure(model, dataset, { from: 0, to: 7, steps: 6, method: 'slerp' });
    expect(fig.files[0].file).toBe('interpolate-0-7-slerp.png');
    const png = pngOf(fig);
    const at = findGrid(png, (1 + 6 * (W + 1)) * 2, (1 + (H + 1)) * 2);
    expect(ink(png, 0, at.top, at.left, png.height), "'slerp' left of the row").toBeGreaterThan(10);
    expect(ink(png, 0, 0, at.left + 20, at.top), "'test 0' above the first column").toBeGreaterThan(10);
    expect(ink(png, at.left + (6 * (W + 1) - 10) * 2, 0, png.width, at.top), "'test 7' above the last column").toBeGreaterThan(10);
    const recon = tf.tidy(() => model.reconstruct(tf.tensor2d(Float32Array.from([...dataset.test.x.subarray(0, D), ...dataset.test.x.subarray(7 * D, 8 * D)]), [2, D])).dataSync() as Float32Array);
    expectTile(png, 0, 0, recon.subarray(0, D), { at });
    expectTile(png, 0, 5, recon.subarray(D, 2 * D), { at });
    expect(() => interpolationFigure(model, dataset, { from: 0, to: 12 })).toThrow(RangeError);
  });

  it('every run figure leaks no tensors and the latent scatter has a legend of the label names', () => {
    const history = [1, 2, 3].map((epoch) => ({ epoch, train: { loss: 10 / epoch, reconstruction: 8 / epoch, kl: 2 }, test: { loss: 11 / epoch, reconstruction: 9 / epoch, kl: 2 } }));
    const before = tf.memory().numTensors;
    const figures = runFigures({ model, dataset, history, modelConfig: { kind: 'vae' }, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(figures.map((f) => f.id)).toEqual(['loss', 'reconstructions', 'samples', 'manifold', 'traversal', 'latent']);
    const latent = figures.at(-1)!;
    const svg = latent.files.find((f) => f.file.endsWith('.svg'))!.bytes as string;
    for (const name of ['label', 'a', 'b', 'c', 'z0', 'z1']) expect(svg).toContain(`>${name}<`);
    expect(decodePng(latent.files[0].bytes).width).toBeGreaterThan(400);
  });
});

describe('drawing progress', () => {
  it("drawFigures reports each planned figure as it starts, the UMAP map's epochs, and the end", () => {
    const model = tinyModel(3, D);
    const history = [{ epoch: 1, train: { loss: 2, reconstruction: 1, kl: 1 }, test: { loss: 2, reconstruction: 1, kl: 1 } }];
    const plan = planRunFigures({ model, dataset: imageDataset(), history, modelConfig: { kind: 'vae' }, seed: 1 });
    const seen: Parameters<FigureProgress>[0][] = [];
    const figures = drawFigures(plan, (p) => seen.push(p));
    expect(figures.map((f) => f.id)).toEqual(['loss', 'reconstructions', 'samples', 'traversal', 'latent-umap']);
    const starts = seen.filter((p) => p.step === undefined);
    expect(starts.map((p) => [p.index, p.name])).toEqual([[0, 'loss curves'], [1, 'reconstructions'], [2, 'prior samples'], [3, 'traversal'], [4, 'latent map (UMAP, 12 points)'], [5, 'done']]);
    const epochs = seen.filter((p) => p.step?.phase === 'epochs').map((p) => p.step!);
    expect(epochs.length).toBeGreaterThan(10);
    expect(epochs.at(-1)!.done).toBe(epochs.at(-1)!.total);
    expect(seen.every((p) => p.count === 5)).toBe(true);
    model.dispose();
  });
});

describe('point figures', () => {
  it('Swiss-roll-like data get scatters: data beside samples, latent coloured by position, projections for L > 2', () => {
    const dataset = pointDataset();
    const model = tinyModel(3, 2);
    const before = tf.memory().numTensors;
    const samples = samplesFigure(model, dataset, { n: 40 });
    expect(samples.files.map((f) => f.file)).toEqual(['samples.png', 'samples.svg']);
    const svg = samples.files[1].bytes as string;
    expect(svg).toContain('>test data<');
    expect(svg).toContain('>decoded prior samples<');
    const latent = latentFigure(model, dataset, { method: 'pca' });
    expect(latent.id).toBe('latent-pca');
    expect(latent.files[1].bytes as string).toContain('>position t<');
    expect(traversalFigure(model, dataset).files[0].file).toBe('traversal.png');
    expect(reconstructionFigure(model, dataset).files[0].file).toBe('reconstructions.png');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('tabular figures', () => {
  it('data of more than two features get per-feature histograms of data beside samples and reconstructions', () => {
    const rng = new Rng(8);
    const split = (n: number) => ({ x: rng.normalArray(n * 4), n });
    const dataset: Dataset = { name: 'table', kind: 'tabular', shape: [4], train: split(20), test: split(25), preprocessing: { kind: 'none' }, source: 'test' };
    const model = tinyModel(2, 4);
    for (const fig of [samplesFigure(model, dataset, { n: 30 }), reconstructionFigure(model, dataset)]) {
      const svg = fig.files[1].bytes as string;
      for (const t of ['feature 0', 'feature 3', 'test data', 'count']) expect(svg, fig.id).toContain(`>${t}<`);
    }
    model.dispose();
  });
});

describe('charts', () => {
  it('the synchronous SVG equals vega’s own async toSVG', async () => {
    const history = [1, 2, 3, 4, 5].map((epoch) => ({ epoch, train: { loss: 100 / epoch, reconstruction: 90 / epoch, kl: 10 }, test: { loss: 101 / epoch, reconstruction: 91 / epoch, kl: 10 } }));
    for (const spec of [lossCurveSpec(history), scatterSpec({ xy: Float32Array.from([0, 1, 2, 3]), labels: Int32Array.from([0, 1]), labelNames: ['x', 'y'] })]) {
      const view = new vega.View(vega.parse(compileChart(spec)), { renderer: 'none' });
      const expected = await view.toSVG();
      view.finalize();
      expect(chartSvg(spec)).toBe(expected);
    }
  });

  it('the loss curve has one panel per term with integer epochs, and renders to a PNG at twice the SVG size', () => {
    const history = [1, 2, 3].map((epoch) => ({ epoch, train: { loss: 100 / epoch, reconstruction: 90 / epoch, kl: 10 }, test: { loss: 101 / epoch, reconstruction: 91 / epoch, kl: 10 } }));
    const fig = lossFigure(history, { kind: 'poor-man-vae' });
    const svg = fig.files[1].bytes as string;
    for (const t of ['loss (reconstruction + anchor)', 'reconstruction', 'anchor', 'train', 'test', 'epoch']) expect(svg).toContain(`>${t}<`);
    expect(svg).not.toContain('negative ELBO'); // the poor man's loss is not an ELBO
    expect(svg).not.toMatch(/>1\.5</); // no fractional epoch ticks
    const { png } = renderChart(lossCurveSpec(history, { lossName: 'reconstruction + anchor', klName: 'anchor' }));
    const decoded = decodePng(png);
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(decoded.width).toBe(2 * width);
  });

  it('an autoencoder’s loss curve is one panel of its reconstruction loss, with no KL', () => {
    const history = [1, 2].map((epoch) => ({ epoch, train: { loss: 50 / epoch, reconstruction: 50 / epoch, kl: 0 }, test: { loss: 52 / epoch, reconstruction: 52 / epoch, kl: 0 } }));
    const svg = lossFigure(history, { kind: 'autoencoder' }).files[1].bytes as string;
    expect(svg).toContain('>reconstruction loss<');
    expect(svg).not.toMatch(/>KL|ELBO|>loss \(/);
    const threePanels = lossFigure(history, { kind: 'vae' }).files[1].bytes as string;
    const width = (s: string) => Number(/width="(\d+)"/.exec(s)![1]);
    expect(width(svg)).toBeLessThan(width(threePanels) / 2);
  });
});

describe('report.html', () => {
  it('names the loss for the model: an autoencoder’s table has no KL column', () => {
    const history = [{ epoch: 1, train: { loss: 3, reconstruction: 3, kl: 0 }, test: { loss: 4, reconstruction: 4, kl: 0 }, samplesPerSecond: 10, epochSeconds: 1 }];
    const html = reportHtml({ title: 'ae', config: {}, history, figures: [], loss: { loss: 'reconstruction loss', regularizer: undefined } });
    expect(html).toContain('<tr><th>reconstruction loss</th><th>reconstruction loss</th></tr>');
    expect(html).toContain('<td>1</td><td>3.000</td><td>4.000</td>');
    expect(html).not.toMatch(/KL|ELBO/);
    expect(reportHtml({ title: 'vae', config: {}, history, figures: [] })).toContain('the loss is the negative ELBO (the reconstruction and KL terms beside it)');
  });

  it('escapes text, links only relative files and names no external URL', () => {
    const html = reportHtml({
      title: 'run <1>',
      config: { model: { kind: 'vae' } },
      history: [{ epoch: 1, train: { loss: 1, reconstruction: 0.5, kl: 0.5 }, test: { loss: 2, reconstruction: 1, kl: 1 }, samplesPerSecond: 10, epochSeconds: 1 }],
      figures: [{ id: 'loss', title: 'Loss', caption: 'a & b', image: 'loss.png', others: ['loss.svg'] }],
    });
    expect(html).toContain('run &lt;1&gt;');
    expect(html).toContain('<img src="loss.png"');
    expect(html).toContain('a &amp; b');
    expect(html).not.toMatch(/(https?:)?\/\/[a-z]/i);
  });
});
