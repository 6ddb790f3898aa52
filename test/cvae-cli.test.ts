/**
 * Issue 6 item 4: every figure and CLI command works for the conditional VAE and the conv presets. Tiny runs on a
 * small MNIST slice, every command run in-process; PNGs decode to the sizes their layout implies, the CVAE's label
 * changes what it decodes, and decode(encode(x), y) is the model's reconstruct(x, y).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/engine/index.js';
import { loadForModel, parseNpy } from '../src/data/index.js';
import { loadModel } from '../src/io/model-files.js';
import { reconstructRows } from '../src/latent/index.js';
import { runCli, tempDir } from './helpers.js';
import { findGrid } from './grid.js';

const tmp = tempDir('cvae-cli');
const dir = tmp.dir;
/** Conv training needs native or cpu; native is much faster where the addon is built. */
let backend = 'native';

/** Runs a command that must succeed, with no tensor left behind; returns its JSON result. */
async function json(...args: string[]) {
  const before = tf.memory().numTensors;
  const r = await runCli(dir, ...args, '--backend', backend, '--json');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  expect(tf.memory().numTensors, `tensors left by ${args[0]}`).toBe(before);
  return JSON.parse(r.stdout);
}

/** A figure command's files: each exists. */
async function files(...args: string[]): Promise<string[]> {
  const out = (await json(...args)) as { files: string[] };
  for (const f of out.files) expect(existsSync(path.join(dir, f)), f).toBe(true);
  return out.files;
}

const png = (f: string) => PNG.sync.read(readFileSync(path.join(dir, f)));
/** Asserts that figure f holds a bare grid of width x height pixels (and label bands around it). */
const grid = (f: string, width: number, height: number) => findGrid(png(f), width, height);
/** Side in pixels of a grid of n 28-pixel tiles with 1-pixel gaps, at `scale`. */
const side = (n: number, scale = 2) => (1 + n * 29) * scale;

async function fails(args: string[], message: RegExp) {
  const r = await runCli(dir, ...args, '--backend', backend);
  expect(r.code, args.join(' ')).toBe(2);
  expect(r.stderr, args.join(' ')).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  try {
    await initBackend('native');
  } catch {
    backend = 'cpu';
  }
  // 300 training and 50 test images; a 2-D latent, so the manifold is drawn too.
  await json('train', '--preset', 'mnist-cvae', '--epochs', '1', '--limit', '300', '--hidden', '32', '--out', 'cv');
}, 120_000);
afterAll(() => tmp.remove());

describe('the conditional VAE', () => {
  it('train draws every figure, labels threaded through: class grid, reconstructions, a manifold and a traversal per class, the latent map', () => {
    grid('cv/class-grid.png', side(10), side(10));
    grid('cv/reconstructions.png', side(10), side(3));
    grid('cv/samples.png', side(8), side(8));
    // Ten 10 x 10 grids, five to a row, a blank tile between them; scale 1.
    grid('cv/manifold.png', side(5 * 11 - 1, 1), side(2 * 11 - 1, 1));
    // One block of rows (dimensions 0 and 1) per class.
    grid('cv/traversal.png', side(11), side(20));
    expect(existsSync(path.join(dir, 'cv', 'latent.png'))).toBe(true);
    const captions = JSON.parse(readFileSync(path.join(dir, 'cv', 'figures.json'), 'utf8')) as { id: string; caption: string }[];
    expect(captions.find((f) => f.id === 'latent')?.caption).toMatch(/q\(z\|x, y\)/);
  });

  it('every figure command runs, and --label picks the class decoded', async () => {
    grid((await files('sample', 'cv', '--label', '3', '--n', '9'))[0], side(3), side(3));
    grid((await files('reconstruct', 'cv', '--n', '4', '--from', '2', '--to', '3', '--steps', '5'))[0], side(5), side(3));
    const [a] = await files('interpolate', 'cv', '--from', '0', '--to', '1', '--steps', '6', '--out', 'as-0');
    const [b] = await files('interpolate', 'cv', '--from', '0', '--to', '1', '--steps', '6', '--label', '1', '--out', 'as-1');
    grid(a, side(6), side(1));
    expect(Buffer.compare(png(a).data, png(b).data)).not.toBe(0);
    grid((await files('traverse', 'cv', '--at', '2', '--steps', '7'))[0], side(7), side(2));
    grid((await files('traverse', 'cv', '--dims', '1', '--label', '4'))[0], side(11), side(1));
    const [m3] = await files('manifold', 'cv', '--label', '3', '--size', '5', '--out', 'm3');
    const [m8] = await files('manifold', 'cv', '--label', '8', '--size', '5', '--out', 'm8');
    grid(m3, side(5, 1), side(5, 1));
    expect(Buffer.compare(png(m3).data, png(m8).data)).not.toBe(0);
    expect(await files('embed', 'cv')).toEqual(['cv/latent.png', 'cv/latent.svg']);
    const report = await runCli(dir, 'report', 'cv', '--json');
    expect(JSON.parse(report.stdout).files).toEqual(['cv/report.html']);
    const html = readFileSync(path.join(dir, 'cv', 'report.html'), 'utf8');
    for (const f of ['class-grid.png', 'manifold.png', 'traversal.png', 'latent.png']) expect(html).toContain(f);
  });

  it('eval estimates -log p(x|y) and counts active units of q(z|x, y)', async () => {
    const e = await json('eval', 'cv', '--nll', '--k', '10');
    expect(e.nllOf).toBe('-log p(x|y)');
    expect(e.nllExamples).toBe(50);
    expect(Number.isFinite(e.nll) && e.nll > 0).toBe(true);
    expect(e.activeUnitVariances).toHaveLength(2);
    const text = await runCli(dir, 'eval', 'cv', '--nll', '--k', '5', '--nll-examples', '5', '--backend', backend);
    expect(text.stdout).toMatch(/NLL, -log p\(x\|y\)/);
  });

  it('anomaly and denoise condition each example on its label', async () => {
    const a = await json('anomaly', 'cv', '--data', 'mnist', '--limit', '40', '--anomaly-labels', '1', '--out', 'anomaly');
    expect(a.n).toBe(40);
    expect(existsSync(path.join(dir, 'anomaly', 'anomaly-roc.png'))).toBe(true);
    const nll = await json('anomaly', 'cv', '--data', 'mnist', '--limit', '10', '--score', 'nll', '--k', '5', '--threshold', '500', '--out', 'anomaly-nll');
    expect(nll.flagged).toBeGreaterThanOrEqual(0);
    const d = await json('denoise', 'cv', '--data', 'mnist', '--limit', '20', '--noise', 'gaussian:0.3', '--out', 'dn');
    grid(d.files[0], side(10), side(3));
  });

  it('encode writes the labels beside the codes; decode with them gives reconstruct(x, y); another label decodes something else', async () => {
    const enc = await json('encode', 'cv', '--data', 'mnist', '--limit', '12', '--out', 'codes.npy');
    expect(enc.labelsFile).toBe('codes.labels.npy');
    await json('decode', 'cv', '--codes', 'codes.npy', '--labels', 'codes.labels.npy', '--out', 'dec');
    await json('decode', 'cv', '--codes', 'codes.npy', '--label', '0', '--out', 'dec0');
    await json('decode', 'cv', '--codes', 'codes.npy', '--label', '1', '--out', 'dec1');
    const read = (f: string) => parseNpy(readFileSync(path.join(dir, f)), f).data;
    const { model, metadata } = loadModel(path.join(dir, 'cv'));
    const ex = loadForModel({ name: 'mnist', inputShape: metadata.inputShape, preprocessing: metadata.preprocessing, limit: 12 });
    const expected = reconstructRows(model, { data: ex.x, n: 12, dim: 784 }, ex.labels).data;
    model.dispose();
    const decoded = read('dec/decoded.npy'); // raw units: pixels 0..255
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(decoded[i] / 255 - expected[i]));
    expect(worst).toBeLessThan(1e-5);
    const [d0, d1] = [read('dec0/decoded.npy'), read('dec1/decoded.npy')];
    let diff = 0;
    for (let i = 0; i < d0.length; i++) diff += Math.abs(d0[i] - d1[i]) / d0.length;
    expect(diff).toBeGreaterThan(0.1); // mean pixel change on the 0..255 scale
    const decodedPng = png('dec0/decoded.png'); // decode's grid has no labels
    expect([decodedPng.width, decodedPng.height]).toEqual([side(10), side(2)]);
  });

  it('a class the model lacks, or a decode without one, is a usage error', async () => {
    await fails(['sample', 'cv', '--label', '10'], /--label 10: out of range; expected a class in 0\.\.9/);
    await fails(['manifold', 'cv', '--label', '12'], /--label 12: out of range/);
    await fails(['decode', 'cv', '--codes', 'codes.npy', '--out', 'never'], /--label: required for a conditional VAE/);
    await fails(['encode', 'cv', '--data', 'mnist', '--limit', '3', '--label', '11', '--out', 'never.npy'], /--label 11: out of range/);
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
    expect(existsSync(path.join(dir, 'never.npy'))).toBe(false);
  });
});

describe.each([
  ['mnist-conv-vae', 'conv', 2],
  ['mnist-conv-ae', 'cae', 16],
])('the %s preset', (preset, run, latent) => {
  beforeAll(async () => {
    // 48 training and 8 test images: conv training is slow off the native backend.
    await json('train', '--preset', preset, '--epochs', '1', '--limit', '48', '--batch-size', '16', '--out', run);
  }, 120_000);

  it('train draws its figures and every command runs', async () => {
    grid(`${run}/reconstructions.png`, side(10), side(3));
    grid(`${run}/traversal.png`, side(11), side(Math.min(latent, 10)));
    grid((await files('sample', run, '--n', '4'))[0], side(2), side(2));
    await files('reconstruct', run, '--n', '3');
    grid((await files('interpolate', run, '--from', '0', '--to', '7', '--steps', '4'))[0], side(4), side(1));
    await files('traverse', run, '--at', '1', '--dims', '0,1');
    await files('embed', run, '--n', '8');
    await json('anomaly', run, '--data', 'mnist', '--limit', '10', '--out', `${run}-anomaly`);
    await json('denoise', run, '--data', 'mnist', '--limit', '5', '--noise', 'mask:0.3', '--out', `${run}-dn`);
    const enc = await json('encode', run, '--data', 'mnist', '--limit', '5', '--out', `${run}-codes.npy`);
    expect(enc.labelsFile).toBeUndefined();
    await json('decode', run, '--codes', `${run}-codes.npy`, '--out', `${run}-dec`);
    if (latent === 2) {
      grid((await files('manifold', run, '--size', '4'))[0], side(4, 1), side(4, 1));
      const e = await json('eval', run, '--nll', '--k', '5');
      expect(e.nllOf).toBe('-log p(x)');
    } else {
      await fails(['manifold', run], /has 16 dimensions; a manifold grid needs 2/);
      expect((await json('eval', run)).n).toBe(8);
      await fails(['eval', run, '--nll'], /the autoencoder model has no posterior/);
    }
    await fails(['sample', run, '--label', '1'], /--label 1: only a conditional VAE/);
  }, 60_000);
});
