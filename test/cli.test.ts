/** The CLI end to end in a temp dir: train the Swiss roll VAE, then eval and summary; --json parses; bad input exits 2 without a stack. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../src/config/index.js';
import { runCli } from './helpers.js';

const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');
let dir: string;

function vaekit(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaekit train, eval, summary', () => {
  let trained: { run: string; epochs: number; backend: string; test: { loss: number; reconstruction: number; kl: number }; samplesPerSecond: number; seconds: number };

  beforeAll(() => {
    const r = vaekit('train', '--preset', 'swiss-roll-vae', '--epochs', '3', '--backend', 'cpu', '--out', 'roll', '--json');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(0);
    trained = JSON.parse(r.stdout);
  }, 120_000);

  it('train --json reports the run, epochs, backend, test terms and speed', () => {
    expect(trained.run).toBe('roll');
    expect(trained.epochs).toBe(3);
    expect(trained.backend).toBe('cpu');
    const { loss, reconstruction, kl } = trained.test;
    expect(loss).toBeCloseTo(reconstruction + kl, 4); // beta = 1
    expect(kl).toBeGreaterThan(0);
    expect(trained.samplesPerSecond).toBeGreaterThan(0);
    expect(trained.seconds).toBeGreaterThan(0); // the whole command's wall time
    const lines = readFileSync(path.join(dir, 'roll', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3]);
    expect(lines[2].test.loss).toBe(loss);
    expect(lines[2].train.loss).toBeLessThan(lines[0].train.loss);
    const config = JSON.parse(readFileSync(path.join(dir, 'roll', 'config.json'), 'utf8'));
    expect(config.backend).toBe('cpu');
    expect(config.preset).toBe('swiss-roll-vae');
    expect(existsSync(path.join(dir, 'roll', 'model', 'weights.bin'))).toBe(true);
    expect(existsSync(path.join(dir, 'roll', 'run.lock'))).toBe(false);
  });

  it('eval --json gives the test ELBO terms and reconstruction error', () => {
    const r = vaekit('eval', 'roll', '--backend', 'cpu', '--json');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.n).toBe(2000);
    expect(e.loss).toBeCloseTo(e.reconstruction + e.kl, 4);
    // Another seeded draw of z than training's own evaluation, so close but not identical.
    expect(Math.abs(e.loss - trained.test.loss)).toBeLessThan(0.5);
    expect(e.reconstructionError.mse).toBeGreaterThan(0);
    expect(e.reconstructionError.sse).toBeCloseTo(2 * e.reconstructionError.mse, 6);
  });

  it('summary lists layers and parameter counts', () => {
    const r = vaekit('summary', 'roll', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    // 2-128-128 encoder, two 128->2 heads, 2-128-128-128 decoder, 128->2 output: counted by hand.
    const expected = (2 * 128 + 128) + (128 * 128 + 128) + 2 * (128 * 2 + 2) + (2 * 128 + 128) + 2 * (128 * 128 + 128) + (128 * 2 + 2);
    expect(s.totalParams).toBe(expected);
    expect(s.layers.reduce((a: number, l: { params: number }) => a + l.params, 0)).toBe(expected);
    const text = vaekit('summary', 'roll');
    expect(text.stdout).toMatch(/Total params: 51,078/);
    expect(text.stdout).toMatch(/^Non-trainable params: 0$/m); // no BatchNorm, so no BatchNorm statistics to name
  });

  it('resume with more epochs continues the run', () => {
    const r = vaekit('train', '--resume', 'roll', '--epochs', '4', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).epochs).toBe(4);
    const lines = readFileSync(path.join(dir, 'roll', 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
  }, 60_000);

  it('refuses to train into a folder that holds a run', () => {
    const r = vaekit('train', '--preset', 'swiss-roll-vae', '--out', 'roll', '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds a run/);
  });

  it('a plain run says it is drawing the figures (on stderr) and ends with its total time; its BatchNorm statistics show in summary', () => {
    const r = vaekit('train', '--preset', 'mnist-vae-bn', '--data', 'swiss-roll', '--limit', '300', '--epochs', '1', '--backend', 'cpu', '--out', 'bn');
    expect(r.code).toBe(0);
    const figures = Number(/report: \S+ \((\d+) figures\)/.exec(r.stdout)?.[1]);
    expect(r.stderr).toContain(`drawing ${figures} figures`);
    expect(r.stdout).not.toMatch(/drawing/);
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^done: bn in \d+\.\d s \(model in /);
    // mnist-vae-bn's encoder has BatchNorm after each hidden layer: a running mean and a running variance per unit.
    const { hidden } = findPreset('mnist-vae-bn')?.config.model.encoder as { hidden: number[] };
    const statistics = 2 * hidden.reduce((a, b) => a + b, 0);
    expect(vaekit('summary', 'bn').stdout).toMatch(new RegExp(`^Non-trainable params: ${statistics} \\(BatchNorm running statistics\\)$`, 'm'));
  }, 120_000);

  it('presets lists every preset with a description', () => {
    const r = vaekit('presets', '--json');
    const names = JSON.parse(r.stdout).map((p: { name: string }) => p.name);
    expect(names).toEqual(['poor-man-vae', 'mnist-vae-bn', 'swiss-roll-vae', 'mnist-ae', 'mnist-vae', 'mnist-vae-pytorch', 'iwae-paper', 'mnist-conv-vae', 'fashion-conv-vae', 'dsprites-conv-vae', 'images64-conv-vae', 'mnist-conv-ae', 'mnist-cvae', 'dsprites-beta-tcvae', 'dsprites-dip-vae', 'mnist-info-vae', 'mnist-wae-mmd', 'mnist-rae', 'dsprites-factor-vae', 'mnist-vq-vae', 'mnist-vamp-prior', 'mnist-planar-flow', 'mnist-radial-flow', 'mnist-iaf', 'iwae-paper-2layer', 'iwae-paper-2layer-k50', 'mnist-rae-gp']);
  });
});

describe('bad input: a clear message, exit code 2, no stack trace, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    ['zero epochs', ['train', '--epochs', '0'], /--epochs: '0' is not a positive integer/],
    ['negative batch size', ['train', '--batch-size', '-5'], /--batch-size: '-5' is not a positive integer/],
    ['zero latent size', ['train', '--latent', '0'], /--latent: '0' is not a positive integer/],
    ['lr <= 0', ['train', '--lr', '0'], /--lr: 0 is out of range/],
    ['unknown preset', ['train', '--preset', 'gan'], /unknown preset 'gan'/],
    ['unknown backend', ['train', '--backend', 'gpu'], /--backend: unknown value 'gpu'/],
    ['unknown model', ['train', '--model', 'gan'], /--model: unknown value 'gan'/],
    ['missing data file', ['train', '--data', 'nope.csv', '--backend', 'cpu'], /nope\.csv/],
    ['missing config file', ['train', '--config', 'nope.json'], /--config nope\.json: cannot read the file/],
    ['eval of a folder that is not a run', ['eval', '.'], /not a vaekit run folder/],
    ['summary of a missing folder', ['summary', 'nowhere'], /no model found/],
  ];
  // In-process (runCli: milliseconds, not a process start-up each); the config file case below runs the real binary.
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await runCli(dir, ...args, ...(args[0] === 'train' ? ['--out', 'never'] : []));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(path.join(dir, 'never'))).toBe(false);
    });
  }

  it('a config file with a bad value names the key', () => {
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ model: { kind: 'vae', latent: -3, encoder: {}, decoder: {}, likelihood: { kind: 'bernoulli' } } }));
    const r = vaekit('train', '--config', 'bad.json', '--out', 'never');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.latent/);
  });
});
