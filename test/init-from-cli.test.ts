/** `vaekit train --init-from RUN`: a fresh run that starts from another run's weights, and its refusals. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/index.js';
import { loadModel } from '../src/io/model-files.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('init-from-cli');
afterAll(tmp.remove);
const ARGS = ['--preset', 'swiss-roll-vae', '--limit', '600', '--epochs', '1', '--backend', 'cpu'];

/** The largest absolute difference between two runs' model weights, over every variable. */
function maxDiff(a: string, b: string): number {
  const [ma, mb] = [loadModel(path.join(tmp.dir, a)).model, loadModel(path.join(tmp.dir, b)).model];
  const theirs = new Map(mb.variables().map((v) => [v.name, v.variable.dataSync()]));
  let d = 0;
  for (const v of ma.variables()) {
    const x = v.variable.dataSync();
    const y = theirs.get(v.name)!;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  }
  ma.dispose();
  mb.dispose();
  return d;
}

beforeAll(async () => {
  await initBackend('cpu');
  expect((await runCli(tmp.dir, 'train', ...ARGS, '--out', 'a')).code).toBe(0);
}, 120_000);

describe('vaekit train --init-from', () => {
  it("starts from the run's weights: at a learning rate of 1e-12 one epoch leaves them as they were, and config.json records it", async () => {
    const r = await runCli(tmp.dir, 'train', ...ARGS, '--seed', '7', '--lr', '1e-12', '--init-from', 'a', '--out', 'b');
    expect(r.code).toBe(0);
    // Adam moves each weight by at most about lr per step (5 steps here): the weights are a's, not a fresh draw.
    expect(maxDiff('a', 'b')).toBeLessThan(1e-6);
    expect(JSON.parse(readFileSync(path.join(tmp.dir, 'b', 'config.json'), 'utf8')).train.initFrom).toBe('a');
    const fresh = await runCli(tmp.dir, 'train', ...ARGS, '--seed', '7', '--lr', '1e-12', '--out', 'c');
    expect(fresh.code).toBe(0);
    expect(maxDiff('a', 'c')).toBeGreaterThan(0.01);
  }, 120_000);

  it('refuses another architecture in one line naming the variable and both shapes, and leaves no run folder', async () => {
    const r = await runCli(tmp.dir, 'train', ...ARGS, '--latent', '3', '--init-from', 'a', '--out', 'd');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vaekit: train\.initFrom \(--init-from\) a: its model does not match this vae model: 'encoder\.(mean|logVar)\.(kernel|bias)' is \[(128, )?2\] there, \[(128, )?3\] here; --init-from needs the same architecture/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(tmp.dir, 'd'))).toBe(false);
  }, 120_000);

  it('refuses a folder without a model, and --init-from with --resume', async () => {
    const r = await runCli(tmp.dir, 'train', ...ARGS, '--init-from', 'nowhere', '--out', 'e', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toMatch(/^train\.initFrom \(--init-from\) nowhere: no model found \(expected /);
    expect(existsSync(path.join(tmp.dir, 'e'))).toBe(false);
    const resumed = await runCli(tmp.dir, 'train', '--resume', 'a', '--init-from', 'b');
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/--resume continues a run with its own config; drop --init-from/);
  }, 120_000);
});
