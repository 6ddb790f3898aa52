/** FactorVAE and VQ-VAE from the command line: train by preset, the report, eval (codebook usage, the NLL or its refusal), encode's indices, sample. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('factor-vq-cli');
afterAll(tmp.remove);

type Line = { test: { loss: number; reconstruction: number; kl: number; codebook?: { usage: number; perplexity: number; size: number } } };
const history = (run: string) =>
  readFileSync(path.join(tmp.dir, run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

describe('FactorVAE and VQ-VAE through vaekit', () => {
  it('mnist-vq-vae: trains, reports codebook usage and perplexity, evaluates, refuses the NLL in one line, encodes to indices and samples', { timeout: 240_000 }, async () => {
    const run = 'vq';
    const train = await runCli(tmp.dir, 'train', '--preset', 'mnist-vq-vae', '--epochs', '2', '--limit', '1200', '--out', run, '--backend', 'cpu', '--json');
    expect(train.stderr).not.toMatch(/\n\s+at /);
    expect(train.code).toBe(0);
    const h = history(run);
    expect(h[1].test.reconstruction).toBeLessThan(h[0].test.reconstruction);
    expect(h[1].test.codebook!.size).toBe(256);
    const report = readFileSync(path.join(tmp.dir, run, 'report.html'), 'utf8');
    expect(report).toContain('the loss is the reconstruction + 0.25 × commitment');
    expect(report).toContain('<th>codes used</th><th>perplexity</th>');
    expect(report).toContain('codebook entries drawn uniformly at random');
    const evaluated = await runCli(tmp.dir, 'eval', run, '--backend', 'cpu', '--json');
    expect(evaluated.code).toBe(0);
    const e = JSON.parse(evaluated.stdout);
    // The code is deterministic: the same test loss as the run's last epoch, and the same codebook use.
    expect(e.loss).toBeCloseTo(h[1].test.loss, 3);
    expect(e.codebook).toEqual(h[1].test.codebook);
    expect(e.codebook.usage).toBeGreaterThan(0);
    expect(e.codebook.perplexity).toBeGreaterThan(1);
    expect('activeUnits' in e).toBe(false);
    // 8 vectors, 256 codes: the uniform prior's KL is 8 log 256 nats.
    expect(e.uniformPriorBound).toBeCloseTo(e.reconstruction + 8 * Math.log(256), 6);
    const text = await runCli(tmp.dir, 'eval', run, '--backend', 'cpu');
    expect(text.stdout + text.stderr).toMatch(/codebook: [\d.]+% of the 256 codes used on the test set, perplexity [\d.]+/);
    const nll = await runCli(tmp.dir, 'eval', run, '--nll', '--k', '10', '--nll-examples', '20', '--backend', 'cpu');
    expect(nll.code).toBe(2);
    expect(nll.stderr.trim().split('\n')).toHaveLength(1);
    expect(nll.stderr).toMatch(/the vq-vae model has no posterior q\(z\|x\), its code is deterministic: .*factor-vae.*\); vaekit eval without --nll reports the uniform-prior bound/);
    const encoded = await runCli(tmp.dir, 'encode', run, '--data', 'mnist', '--limit', '5', '--out', 'codes.npy', '--backend', 'cpu', '--json');
    expect(encoded.code).toBe(0);
    const enc = JSON.parse(encoded.stdout);
    expect(enc.codesPerExample).toBe(8);
    expect(enc.indices).toHaveLength(5);
    expect(enc.indices.flat().every((k: number) => Number.isInteger(k) && k >= 0 && k < 256)).toBe(true);
    expect(existsSync(path.join(tmp.dir, 'codes.indices.npy'))).toBe(true);
    const sampled = await runCli(tmp.dir, 'sample', run, '--n', '4', '--out', 'vq-samples', '--backend', 'cpu', '--json');
    expect(sampled.code).toBe(0);
    expect(existsSync(path.join(tmp.dir, 'vq-samples', 'samples.png'))).toBe(true);
  });

  it('dsprites-factor-vae (narrowed): trains with its discriminator, names its loss, and the saved model (no discriminator) evaluates with the VAE’s NLL', { timeout: 240_000 }, async () => {
    const run = 'factor';
    const config = path.join(tmp.dir, 'small-factor.json');
    writeFileSync(config, JSON.stringify({ model: { encoder: { hidden: [64] }, decoder: { hidden: [64] }, discriminator: { hidden: [32, 32] } } }));
    const train = await runCli(tmp.dir, 'train', '--preset', 'dsprites-factor-vae', '--config', config, '--epochs', '2', '--limit', '600', '--out', run, '--backend', 'cpu', '--json');
    expect(train.stderr).not.toMatch(/\n\s+at /);
    expect(train.code).toBe(0);
    const h = history(run);
    expect(h[1].test.reconstruction).toBeLessThan(h[0].test.reconstruction);
    const report = readFileSync(path.join(tmp.dir, run, 'report.html'), 'utf8');
    expect(report).toContain('the loss is the reconstruction + KL + 10 × TC');
    const weights = JSON.parse(readFileSync(path.join(tmp.dir, run, 'model', 'model.json'), 'utf8'));
    expect(JSON.stringify(weights)).not.toContain('discriminator.dense');
    const state = JSON.parse(readFileSync(path.join(tmp.dir, run, 'checkpoints', 'epoch-0002', 'state.json'), 'utf8'));
    expect(state.tensors.some((t: { name: string }) => t.name === 'auxiliary/discriminator.dense0.kernel')).toBe(true);
    const nll = await runCli(tmp.dir, 'eval', run, '--nll', '--k', '10', '--nll-examples', '20', '--backend', 'cpu', '--json');
    expect(nll.code).toBe(0);
    const e = JSON.parse(nll.stdout);
    expect(e.nll).toBeGreaterThan(0);
    // The test loss is the VAE's (reconstruction + KL), as in training's evaluation.
    expect(e.loss).toBeCloseTo(e.reconstruction + e.kl, 2);
    expect(e.activeUnits).toBeGreaterThanOrEqual(0);
  });
});
