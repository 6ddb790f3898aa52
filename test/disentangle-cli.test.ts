/**
 * `vaekit disentangle` end to end on tiny runs (in-process): the JSON holds every metric with its settings, the
 * figures decode, the report gains its section, results are seeded, and bad input gets one-line errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../src/engine/index.js';
import { runCli, tempDir } from './helpers.js';
import { findGrid } from './grid.js';

const tmp = tempDir('disentangle-cli');
const dir = tmp.dir;
afterAll(() => tmp.remove());

/** Runs a command that must succeed, with no tensor left behind; returns its JSON result. */
async function json(...args: string[]) {
  const before = tf.memory().numTensors;
  const r = await runCli(dir, ...args, '--backend', 'cpu', '--json');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  expect(tf.memory().numTensors, `tensors left by ${args[0]}`).toBe(before);
  return JSON.parse(r.stdout);
}

/** Runs a command that must fail with a usage error: exit 2, one line on stderr matching `message`, no stack. */
async function fails(args: string[], message: RegExp) {
  const r = await runCli(dir, ...args, '--backend', 'cpu');
  expect(r.code, args.join(' ')).toBe(2);
  expect(r.stderr, args.join(' ')).toMatch(message);
  expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('backend')), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const SMALL = ['--n', '600', '--score-points', '60'];

beforeAll(async () => {
  const tiny = ['--epochs', '1', '--limit', '400', '--hidden', '32'];
  await json('train', '--data', 'xy-squares', '--model', 'vae', '--latent', '3', ...tiny, '--out', 'xy');
  await json('train', '--data', 'xy-squares', '--model', 'autoencoder', '--latent', '3', ...tiny, '--out', 'ae');
  await json('train', '--data', 'mnist', '--model', 'vae', '--latent', '3', ...tiny, '--out', 'mn');
}, 300_000);

describe('train on data with factors', () => {
  it('draws the mutual-information heat map and the traversal per factor, for a model with an encoder mean only', () => {
    const ids = (run: string) => (JSON.parse(readFileSync(path.join(dir, run, 'figures.json'), 'utf8')) as { id: string }[]).map((f) => f.id);
    expect(ids('xy')).toEqual(expect.arrayContaining(['disentangle-mi', 'disentangle-traversal']));
    expect(PNG.sync.read(readFileSync(path.join(dir, 'xy', 'disentangle-mi.png'))).width).toBeGreaterThan(200);
    expect(ids('ae')).not.toContain('disentangle-mi'); // a deterministic code
    expect(ids('mn')).not.toContain('disentangle-mi'); // no factors
    // No metrics yet: the figures sit among the others, with no Disentanglement section.
    expect(readFileSync(path.join(dir, 'xy', 'report.html'), 'utf8')).not.toContain('<h2>Disentanglement</h2>');
  });
});

describe('vaekit disentangle', () => {
  let result: Record<string, any>;
  beforeAll(async () => {
    result = await json('disentangle', 'xy', ...SMALL);
  }, 120_000);

  it('prints every metric with its settings', () => {
    expect(result.data).toBe('xy-squares');
    expect(result.factors).toEqual(['posX', 'posY']);
    expect(result.latentDim).toBe(3);
    const scores = [result.betaVae.score, result.factorVae.score, result.mig.mig, result.sap.sap, result.dci.disentanglement, result.dci.completeness, result.dci.informativeness, result.modularity.modularity];
    for (const s of scores) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect([result.betaVae.batchSize, result.betaVae.numTrain, result.betaVae.numEval]).toEqual([64, 60, 30]);
    expect([result.factorVae.numTrain, result.factorVae.numVarianceEstimate, result.factorVae.pruneStd]).toEqual([60, 10000, 0.05]);
    expect([result.mig.bins, result.mig.numTrain, result.modularity.bins]).toEqual([20, 600, 20]);
    expect([result.sap.numTrain, result.sap.numTest, result.dci.numTest]).toEqual([600, 300, 300]);
    expect(result.dci.boosting).toEqual({ rounds: 100, learningRate: 0.1, depth: 1 });
    expect(result.rows.map((r: { metric: string }) => r.metric)).toEqual(['beta-VAE score', 'FactorVAE score', 'MIG', 'SAP', 'DCI disentanglement', 'DCI completeness', 'DCI informativeness', 'modularity']);
  });

  it('MIG is the mean over factors of the top-two gap of its own MI matrix, over the factor entropy', () => {
    const { mutualInfo, factorEntropy } = result.mig as { mutualInfo: number[]; factorEntropy: number[] };
    const K = 2;
    const gaps = factorEntropy.map((h, k) => {
      const col = [0, 1, 2].map((l) => mutualInfo[l * K + k]).sort((a, b) => b - a);
      return (col[0] - col[1]) / h;
    });
    expect(result.mig.mig).toBeCloseTo((gaps[0] + gaps[1]) / 2, 10);
    // 13 equally likely positions: H = log 13, up to the sample.
    for (const h of factorEntropy) expect(Math.abs(h - Math.log(13))).toBeLessThan(0.02);
  });

  it('writes the scores, the heat map and the traversal into the run, and the report gains its section', () => {
    const files = result.files as string[];
    for (const f of ['disentanglement.json', 'disentangle-mi.png', 'disentangle-mi.svg', 'disentangle-traversal.png', 'report.html']) {
      expect(files).toContain(path.join('xy', f));
      expect(existsSync(path.join(dir, 'xy', f)), f).toBe(true);
    }
    const heat = PNG.sync.read(readFileSync(path.join(dir, 'xy', 'disentangle-mi.png')));
    expect(heat.width).toBeGreaterThan(200);
    // The heat map's cells: at least two distinct colours beside the white background and the black text.
    const colours = new Set<number>();
    for (let i = 0; i < heat.data.length; i += 4) colours.add((heat.data[i] << 16) | (heat.data[i + 1] << 8) | heat.data[i + 2]);
    expect(colours.size).toBeGreaterThan(10);
    // One row per factor, 11 columns of 16x16 tiles with 1-pixel gaps, drawn at scale 2.
    findGrid(PNG.sync.read(readFileSync(path.join(dir, 'xy', 'disentangle-traversal.png'))), (1 + 11 * 17) * 2, (1 + 2 * 17) * 2);
    const html = readFileSync(path.join(dir, 'xy', 'report.html'), 'utf8');
    expect(html).toMatch(/<h2>Disentanglement<\/h2>[\s\S]*<td>MIG<\/td>[\s\S]*disentangle-mi\.png[\s\S]*<h2>Figures<\/h2>/);
    expect(JSON.parse(readFileSync(path.join(dir, 'xy', 'disentanglement.json'), 'utf8')).mig.mig).toBe(result.mig.mig);
  });

  it('is seeded: the same seed gives the same numbers; --out leaves the run folder as it was', async () => {
    const again = await json('disentangle', 'xy', ...SMALL, '--out', 'again');
    for (const key of ['betaVae', 'factorVae', 'mig', 'sap', 'dci', 'modularity']) expect(again[key], key).toEqual(result[key]);
    expect(existsSync(path.join(dir, 'again', 'disentanglement.json'))).toBe(true);
    const other = await json('disentangle', 'xy', ...SMALL, '--seed', '7', '--out', 'seven');
    expect(other.mig.mutualInfo).not.toEqual(result.mig.mutualInfo);
    expect(JSON.parse(readFileSync(path.join(dir, 'xy', 'disentanglement.json'), 'utf8')).mig).toEqual(result.mig);
  });
});

describe('vaekit disentangle: bad input', () => {
  it('refuses data without factors, a model without an encoder mean and data of the wrong shape, in one line', async () => {
    await fails(['disentangle', 'mn', ...SMALL], /^vaekit: disentangle needs data with known factors \(dsprites, xy-squares\); mn was trained on mnist$/m);
    await fails(['disentangle', 'ae', ...SMALL], /the autoencoder model has no encoder mean .*: vae, poor-man-vae/);
    await fails(['disentangle', 'xy', '--data', 'dsprites'], /--data dsprites: examples of shape \[64, 64, 1\], but the model of xy takes \[16, 16, 1\]/);
    await fails(['disentangle', 'xy', '--data', 'mnist'], /--data: unknown value 'mnist'; expected one of dsprites, xy-squares/);
    await fails(['disentangle', 'xy', '--n', '0'], /--n/);
  });
});
