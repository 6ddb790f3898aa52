/**
 * Using a trained model from the CLI on generated data: tabular training, anomaly scores with ROC AUC, encode -> decode
 * round trip against the model's reconstruct, denoising training that resumes exactly, PSNR gains on noisy MNIST, and
 * bad flags exiting 2 with messages that name the flag. Commands run in-process through `main` (a spawned process
 * costs seconds of start-up each; test/cli.test.ts covers the spawned binary).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTabular } from '../examples/make-tabular.js';
import { tf } from '../src/engine/index.js';
import { invertPreprocessing, loadForModel, parseNpy, writeNpy } from '../src/data/index.js';
import { loadModel } from '../src/io/model-files.js';
import { reconstructRows } from '../src/latent/index.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('use-model');
const dir = tmp.dir;

/** Runs the CLI in-process with `dir` as the working folder; returns the exit code and what it printed. */
const vaekit = (...args: string[]) => runCli(dir, ...args);

async function json(...args: string[]) {
  const r = await vaekit(...args, '--json');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const TABULAR = ['--model', 'vae', '--likelihood', 'gaussian', '--latent', '2', '--hidden', '32,16', '--batch-size', '64', '--backend', 'cpu'];

beforeAll(async () => {
  const { train, test } = makeTabular({ n: 800, seed: 3 });
  writeFileSync(path.join(dir, 'train.csv'), train);
  writeFileSync(path.join(dir, 'test.csv'), test);
  await json('train', '--data', 'train.csv', ...TABULAR, '--epochs', '25', '--out', 'tab');
}, 300_000);
afterAll(() => tmp.remove());

describe('tabular data end to end', () => {
  it('trains, evaluates and reports on a generated CSV', async () => {
    const e = await json('eval', 'tab', '--backend', 'cpu');
    expect(e.n).toBe(160);
    expect(e.activeUnits).toBeGreaterThanOrEqual(1);
    // 8 standardized features: predicting their mean scores 1 and more (the test rows include anomalies); the
    // reconstruction explains a good part of that. Over data seeds 1-5 and both normal samplers vaekit has used, this
    // model scored 0.11-0.54 (local optima of a 2-D code; the ELBO varied far less), so the bound leaves that room.
    expect(e.reconstructionError.mse).toBeLessThan(0.6);
    expect(existsSync(path.join(dir, 'tab', 'report.html'))).toBe(true);
  });

  it('anomaly: scores every row, flags above the training quantile, and separates the anomalous cluster', async () => {
    const before = tf.memory().numTensors;
    const r = await json('anomaly', 'tab', '--data', 'test.csv', '--label-column', 'anomaly', '--backend', 'cpu');
    expect(tf.memory().numTensors, 'tensors left by the anomaly command').toBe(before);
    expect(r.n).toBe(400);
    expect(r.anomalies).toBe(40);
    expect(r.quantile).toBe(0.99);
    expect(r.thresholdExamples).toBe(640);
    expect(r.auc).toBeGreaterThan(0.9);
    const rows = readFileSync(path.join(dir, 'tab', 'anomaly-scores.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('index,score,flag,label,anomaly');
    expect(rows.length).toBe(401);
    const parsed = rows.slice(1).map((l) => l.split(',').map(Number));
    expect(parsed.filter((c) => c[2] === 1).length).toBe(r.flagged);
    for (const c of parsed) expect(c[2]).toBe(c[1] > r.threshold ? 1 : 0);
    for (const f of ['anomaly-scores.png', 'anomaly-roc.png', 'anomaly-roc.svg']) expect(existsSync(path.join(dir, 'tab', f))).toBe(true);
    expect(readFileSync(path.join(dir, 'tab', 'report.html'), 'utf8')).toContain('anomaly-roc.png');

    const given = await json('anomaly', 'tab', '--data', 'test.csv', '--label-column', 'anomaly', '--threshold', '15', '--score', 'reconstruction', '--out', 'given', '--backend', 'cpu');
    expect(given.threshold).toBe(15);
    expect(given.quantile).toBeUndefined();
    expect(given.files.every((f: string) => f.startsWith('given'))).toBe(true);
    expect(given.auc).toBeGreaterThan(0.9);
  });

  it('encode then decode round-trips to the model\'s reconstruction, in the file\'s units', async () => {
    const e = await json('encode', 'tab', '--data', 'test.csv', '--label-column', 'anomaly', '--out', 'codes.npy', '--backend', 'cpu');
    expect(e.latent).toBe(2);
    expect(e.ratio).toBe(4); // 8 float32 features -> 2 float32 latents
    const codes = parseNpy(readFileSync(path.join(dir, 'codes.npy')), 'codes.npy');
    expect(codes.shape).toEqual([400, 2]);
    const d = await json('decode', 'tab', '--codes', 'codes.npy', '--out', 'decoded', '--backend', 'cpu');
    expect(d.n).toBe(400);
    const decoded = parseNpy(readFileSync(path.join(dir, 'decoded', 'decoded.npy')), 'decoded.npy');
    expect(decoded.shape).toEqual([400, 8]);

    const before = tf.memory().numTensors;
    const { model, metadata } = loadModel(path.join(dir, 'tab'));
    try {
      const ex = loadForModel({ name: path.join(dir, 'test.csv'), inputShape: metadata.inputShape, preprocessing: metadata.preprocessing, labelColumn: 'anomaly' });
      const recon = invertPreprocessing(reconstructRows(model, { data: ex.x, n: ex.n, dim: 8 }).data, 8, metadata.preprocessing);
      let worst = 0;
      for (let i = 0; i < recon.length; i++) worst = Math.max(worst, Math.abs(recon[i] - decoded.data[i]));
      expect(worst).toBeLessThan(1e-4);
      // The reported error is of that same reconstruction, in model (standardized) units.
      let sse = 0;
      const reconModel = reconstructRows(model, { data: ex.x, n: ex.n, dim: 8 }).data;
      for (let i = 0; i < reconModel.length; i++) sse += (reconModel[i] - ex.x[i]) ** 2;
      expect(e.reconstructionError.sse).toBeCloseTo(sse / 400, 3);
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('denoising training records its noise and resumes to the same metrics as an uninterrupted run', async () => {
    const args = ['--data', 'train.csv', ...TABULAR, '--denoise', 'gaussian:0.3', '--limit', '300'];
    await json('train', ...args, '--epochs', '3', '--out', 'straight');
    await json('train', ...args, '--epochs', '2', '--out', 'resumed');
    await json('train', '--resume', 'resumed', '--epochs', '3', '--backend', 'cpu');
    const lines = (run: string) => readFileSync(path.join(dir, run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const [a, b] = [lines('straight'), lines('resumed')];
    expect(b.map((m) => m.epoch)).toEqual([1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      expect(b[i].train).toEqual(a[i].train);
      expect(b[i].test).toEqual(a[i].test);
    }
    const config = JSON.parse(readFileSync(path.join(dir, 'straight', 'config.json'), 'utf8'));
    expect(config.train.denoise).toEqual({ kind: 'gaussian', std: 0.3 });
  }, 300_000);
});

describe('denoising noisy MNIST', () => {
  it('a small denoising model raises PSNR over the noisy input', async () => {
    await json('train', '--preset', 'mnist-vae', '--limit', '1200', '--epochs', '3', '--hidden', '64', '--batch-size', '64', '--denoise', 'gaussian:0.5', '--backend', 'cpu', '--out', 'dn');
    const r = await json('denoise', 'dn', '--data', 'mnist', '--limit', '200', '--noise', 'gaussian:0.5', '--backend', 'cpu');
    expect(r.n).toBe(200);
    expect(r.noise).toBe('gaussian:0.5');
    expect(r.denoised.psnr).toBeGreaterThan(r.noisy.psnr + 1);
    expect(r.denoised.mse).toBeLessThan(r.noisy.mse);
    expect(r.noisy.ssim).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'dn', 'denoise.png'))).toBe(true);
  }, 300_000);
});

describe('bad flags and data exit 2 with a message naming them', () => {
  const cases: [string[], RegExp][] = [
    [['anomaly', 'tab', '--backend', 'cpu'], /required option '--data/],
    [['anomaly', 'tab', '--data', 'test.csv', '--quantile', '1.5'], /--quantile: 1.5 is out of range; expected a quantile in \[0, 1\]/],
    [['anomaly', 'tab', '--data', 'test.csv', '--score', 'likelihood'], /--score: unknown value 'likelihood'; expected one of elbo, reconstruction, nll/],
    [['anomaly', 'tab', '--data', 'test.csv', '--quantile', '0.9', '--threshold', '3'], /--quantile and --threshold: give one, not both/],
    [['anomaly', 'tab', '--data', 'train.csv', '--anomaly-labels', '1', '--backend', 'cpu'], /--anomaly-labels 1: the data 'train.csv' has no labels/],
    [['anomaly', 'tab', '--data', 'test.csv', '--label-column', 'anomaly', '--anomaly-labels', '7', '--backend', 'cpu'], /--anomaly-labels: 7 not among the labels of 'test.csv' \(0, 1\)/],
    [['anomaly', 'tab', '--data', 'mnist', '--backend', 'cpu'], /--data mnist: examples have shape \[28, 28, 1\] \(784 values\) but the model expects \[8\] \(8 values\)/],
    [['anomaly', 'tab', '--data', 'test.csv', '--backend', 'cpu'], /test\.csv: has 9 feature columns, expected the model's 8 \(x1, x2, .*, x8\)/],
    [['denoise', 'tab', '--data', 'test.csv', '--noise', 'blur:2'], /--noise: 'blur:2' is not a noise; expected gaussian:STD, salt-pepper:P or mask:P/],
    [['denoise', 'tab', '--data', 'test.csv', '--backend', 'cpu'], /--noise: required/],
    [['encode', 'tab', '--data', 'test.csv', '--out', 'codes.txt'], /--out codes.txt: expected a .npy file name/],
    [['decode', 'tab', '--codes', 'train.csv', '--out', 'x', '--backend', 'cpu'], /train.csv: expected the .npy magic/],
    [['train', '--data', 'train.csv', '--image-size', '0x5'], /--image-size: '0x5' is not an image size/],
    [['train', '--data', 'train.csv', '--denoise', 'mask:2'], /--denoise: 'mask:2': the probability must be a number in \[0, 1\]/],
  ];
  it.each(cases)('%j', async (args, message) => {
    const r = await vaekit(...args, ...(args.includes('--backend') ? [] : ['--backend', 'cpu']));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('decode refuses codes of the wrong width, naming the file and the expected shape', async () => {
    writeFileSync(path.join(dir, 'wide.npy'), writeNpy({ shape: [3, 5], data: new Float32Array(15) }));
    const r = await vaekit('decode', 'tab', '--codes', 'wide.npy', '--out', 'x', '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wide.npy: codes of shape \(3, 5\); the model's latent codes are \[n, 2\]/);
  });
});
