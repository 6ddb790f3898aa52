/** The figure commands end to end: train writes every figure and report.html; each command writes its figure and prints its path. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGrid } from './grid.js';
import { runCli } from './helpers.js';

const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');
let dir: string;

function vaekit(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function files(...args: string[]): string[] {
  const r = vaekit(...args, '--json');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { files: string[] };
  for (const f of out.files) expect(existsSync(path.resolve(dir, f)), f).toBe(true);
  return out.files;
}

const png = (f: string) => PNG.sync.read(readFileSync(path.resolve(dir, f)));

/** Every src/href in report.html exists beside it; nothing points off the machine. */
function checkReport(run: string): string[] {
  const html = readFileSync(path.join(dir, run, 'report.html'), 'utf8');
  expect(html).not.toMatch(/(https?:|file:)?\/\/[a-z]/i);
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]));
  for (const ref of refs) {
    expect(path.isAbsolute(ref)).toBe(false);
    expect(existsSync(path.join(dir, run, ref)), ref).toBe(true);
  }
  return refs;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-fig-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Swiss roll run', () => {
  beforeAll(() => {
    const r = vaekit('train', '--preset', 'swiss-roll-vae', '--epochs', '2', '--limit', '600', '--backend', 'cpu', '--out', 'roll');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/report: roll\/report\.html/);
  }, 120_000);

  it('train wrote the loss curve, the scatters and a report that links only existing local files', () => {
    for (const f of ['loss', 'reconstructions', 'samples', 'manifold', 'traversal', 'latent']) {
      expect(existsSync(path.join(dir, 'roll', `${f}.png`)), f).toBe(true);
      expect(readFileSync(path.join(dir, 'roll', `${f}.svg`), 'utf8')).toMatch(/^<svg/);
    }
    const refs = checkReport('roll');
    expect(refs).toContain('latent.png');
    expect(refs).toContain('loss.png');
  });

  it('each figure command writes its file and prints its path; embed can project', () => {
    expect(files('sample', 'roll', '--n', '300', '--backend', 'cpu')).toEqual(['roll/samples.png', 'roll/samples.svg']);
    expect(files('interpolate', 'roll', '--from', '0', '--to', '5', '--slerp', '--backend', 'cpu')[0]).toBe('roll/interpolate-0-5-slerp.png');
    expect(files('traverse', 'roll', '--dims', '1', '--at', '3', '--backend', 'cpu')[0]).toBe('roll/traversal.png');
    expect(files('manifold', 'roll', '--spacing', 'square', '--size', '5', '--backend', 'cpu')[0]).toBe('roll/manifold.png');
    expect(files('embed', 'roll', '--backend', 'cpu')[0]).toBe('roll/latent.png');
    expect(files('reconstruct', 'roll', '--out', 'elsewhere', '--backend', 'cpu')[0]).toBe('elsewhere/reconstructions.png');
    expect(files('report', 'roll')).toEqual(['roll/report.html']);
    expect(checkReport('roll')).toContain('interpolate-0-5-slerp.png');
    const text = vaekit('sample', 'roll', '--backend', 'cpu');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^roll\/samples\.png$/m);
  }, 120_000);

  it('bad flags exit 2 with a message naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['interpolate', 'roll', '--to', '1'], /--from/],
      [['interpolate', 'roll', '--from', '0', '--to', '5000'], /--to: 5000 is not a test example index/],
      [['interpolate', 'roll', '--from', 'x', '--to', '1'], /--from: 'x' is not a non-negative integer/],
      [['traverse', 'roll', '--dims', '0,7'], /--dims: 7 out of range/],
      [['embed', 'roll', '--method', 'lda'], /--method: unknown value 'lda'/],
      [['manifold', 'roll', '--spacing', 'hex'], /--spacing: unknown value 'hex'/],
      [['sample', 'nowhere'], /RUN: 'nowhere' is not a folder/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(dir, ...args, '--backend', 'cpu'); // in-process: milliseconds, not a process start-up each
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});

describe('MNIST run', () => {
  beforeAll(() => {
    const r = vaekit('train', '--preset', 'mnist-vae', '--epochs', '1', '--limit', '600', '--latent', '3', '--hidden', '32', '--backend', 'cpu', '--out', 'digits');
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('train wrote the image grids and a UMAP latent map; no manifold for a 3-D latent', () => {
    // Each grid as it was, with its labels in bands above or left of it.
    const recon = png('digits/reconstructions.png');
    expect(findGrid(recon, (1 + 10 * 29) * 2, (1 + 3 * 29) * 2).left).toBeGreaterThan(0);
    const samples = png('digits/samples.png');
    expect(findGrid(samples, (1 + 8 * 29) * 2, (1 + 8 * 29) * 2).top).toBeGreaterThan(0);
    const traversal = png('digits/traversal.png');
    const at = findGrid(traversal, (1 + 11 * 29) * 2, (1 + 3 * 29) * 2);
    expect(Math.min(at.left, at.top)).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'digits', 'latent-umap.png'))).toBe(true);
    expect(existsSync(path.join(dir, 'digits', 'manifold.png'))).toBe(false);
    checkReport('digits');
  });

  // script(1) runs a command on a pseudo-terminal: the way to meet a progress bar as a person at a terminal does.
  const hasScript = spawnSync('script', ['--version']).status === 0;

  it.skipIf(!hasScript)('on a terminal, embed shows the data loading and a t-SNE bar on stderr; --json stdout stays one JSON object', () => {
    const quote = (s: string) => `'${s}'`;
    const cmd = [process.execPath, bin, 'embed', 'digits', '--method', 'tsne', '--n', '200', '--backend', 'cpu', '--out', 'emb-tty', '--json'].map(quote).join(' ') + ' > emb.json';
    const r = spawnSync('script', ['-qefc', cmd, '/dev/null'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
    // eslint-disable-next-line no-control-regex
    const terminal = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '\r');
    expect(terminal).toContain('loading mnist…');
    // --n 200 of the 100 test examples that --limit 600 leaves: all 100.
    expect(terminal).toMatch(/latent map \(t-SNE, 100 points\) \[.*\] \d+% \| ETA \S+ \| affinities \d+\/100/);
    expect(terminal).toMatch(/latent map \(t-SNE, 100 points\) \[.*\] 100% \| ETA \S+ \| iterations 500\/500/);
    const stdout = readFileSync(path.join(dir, 'emb.json'), 'utf8');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual({ files: ['emb-tty/latent-tsne.png', 'emb-tty/latent-tsne.svg'] });
    // Not a terminal: no bar, no step lines.
    const plain = vaekit('embed', 'digits', '--method', 'tsne', '--n', '200', '--backend', 'cpu', '--out', 'emb-plain', '--json');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toMatch(/ETA|loading mnist/);
    expect(Object.keys(JSON.parse(plain.stdout) as object)).toEqual(['files']);
  }, 120_000);

  it('interpolate writes a row of steps; manifold explains that it needs a 2-D latent', () => {
    const [f] = files('interpolate', 'digits', '--from', '0', '--to', '1', '--steps', '7', '--backend', 'cpu');
    const p = png(f);
    findGrid(p, (1 + 7 * 29) * 2, (1 + 29) * 2);
    expect(files('embed', 'digits', '--method', 'tsne', '--n', '200', '--backend', 'cpu')[0]).toBe('digits/latent-tsne.png');
    const r = vaekit('manifold', 'digits', '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has 3 dimensions; a manifold grid needs 2/);
  }, 120_000);
});
