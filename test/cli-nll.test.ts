/** `vaekit eval --nll` and `vaekit train --objective iwae` end to end: JSON fields, flag validation (exit 2, no stack). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');
let dir: string;

function vaekit(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-cli-nll-'));
  const r = vaekit('train', '--preset', 'swiss-roll-vae', '--epochs', '1', '--limit', '600', '--objective', 'iwae', '--k', '3', '--backend', 'cpu', '--out', 'roll', '--json');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaekit train --objective iwae', () => {
  it('records the objective in the run config and the model', () => {
    const config = JSON.parse(readFileSync(path.join(dir, 'roll', 'config.json'), 'utf8'));
    expect(config.model.objective).toEqual({ kind: 'iwae', k: 3 });
    const model = JSON.parse(readFileSync(path.join(dir, 'roll', 'model', 'model.json'), 'utf8'));
    expect(model.config.objective).toEqual({ kind: 'iwae', k: 3 });
  });
});

describe('vaekit eval --nll', () => {
  it('--json adds nll, nllStdErr, k and activeUnits', () => {
    const r = vaekit('eval', 'roll', '--nll', '--k', '50', '--nll-examples', '40', '--backend', 'cpu', '--json');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.k).toBe(50);
    expect(e.nllExamples).toBe(40);
    expect(Number.isFinite(e.nll)).toBe(true);
    expect(e.nllStdErr).toBeGreaterThan(0);
    expect(e.activeUnits).toBeGreaterThanOrEqual(0);
    expect(e.activeUnits).toBeLessThanOrEqual(2);
    expect(e.latent).toBe(2);
    expect(e.activeUnitVariances).toHaveLength(2);
  });

  it('prints the NLL and active units in the human output', () => {
    const r = vaekit('eval', 'roll', '--nll', '--k', '5', '--nll-examples', '10', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/active units: \d of 2/);
    expect(r.stdout).toMatch(/NLL, -log p\(x\) \(importance sampled, k=5\): -?\d+\.\d+ \+- \d/);
    expect(r.stdout).toMatch(/negative IWAE bound \(k = 3\)/);
  });
});

describe('bad flags: a clear message, exit code 2, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['--k 0', ['eval', 'roll', '--nll', '--k', '0'], /--k: '0' is not a positive integer/],
    ['--k 2.5', ['eval', 'roll', '--nll', '--k', '2.5'], /--k: '2.5' is not a positive integer/],
    ['--k without --nll', ['eval', 'roll', '--k', '10'], /--k 10: the number of importance samples applies with --nll only/],
    ['--nll-examples 0', ['eval', 'roll', '--nll', '--nll-examples', '0'], /--nll-examples: '0' is not a positive integer/],
    ['--objective for an autoencoder', ['train', '--preset', 'mnist-ae', '--objective', 'iwae', '--out', 'never'], /only a VAE has an ELBO or IWAE objective/],
    ['--k with the elbo objective', ['train', '--preset', 'mnist-vae', '--k', '5', '--out', 'never'], /applies to --objective iwae, miwae, ciwae or piwae only/],
    ['unknown objective', ['train', '--objective', 'vimco', '--out', 'never'], /--objective: unknown value 'vimco'/],
    ['train --k 0', ['train', '--objective', 'iwae', '--k', '0', '--out', 'never'], /--k: '0' is not a positive integer/],
    ['--objective iwae with beta', ['train', '--objective', 'iwae', '--beta', '0.5', '--out', 'never'], /--beta 0\.5 \(model\.beta\): the IWAE objective is defined for beta = 1/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await runCli(dir, ...args); // in-process: milliseconds, not a process start-up each
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(path.join(dir, 'never'))).toBe(false);
    });
  }

  it('--nll on an autoencoder run says it has no posterior', () => {
    const t = vaekit('train', '--preset', 'swiss-roll-vae', '--model', 'autoencoder', '--epochs', '1', '--limit', '200', '--backend', 'cpu', '--out', 'ae');
    expect(t.code).toBe(0);
    const r = vaekit('eval', 'ae', '--nll', '--k', '5', '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the autoencoder model has no posterior/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
