/**
 * The life of a run folder through the CLI (in-process): a full disk at every write point of a run is one line and
 * `--resume` then finishes the run exactly; runs that stopped before their first checkpoint are reused; temporary
 * files of dead processes go at start; `--resume --epochs` below the run's epochs says so; failed `--out` writes
 * leave no folder; a corrupt latest checkpoint is passed over loudly and a NaN stop names the last good checkpoint.
 * The full disk is injected: node:fs's writes to a chosen path fail with ENOSPC halfway (or EACCES, EROFS, EIO).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, tempDir } from './helpers.js';

/** The injected fault: the `skip`+1-th file opened (or appended to) whose path matches `target` runs out of space. */
const fault = vi.hoisted(() => ({ target: undefined as RegExp | undefined, skip: 0, hits: 0, code: 'ENOSPC' }));

vi.mock('node:fs', async (importOriginal) => {
  // The test's own writes go through this mock too; only paths matching fault.target fail.
  const fs = await importOriginal<typeof import('node:fs')>();
  const failing = new Set<number>();
  const enospc = (file: string) => Object.assign(new Error(`${fault.code}: the write failed, write '${file}'`), { code: fault.code, syscall: 'write', path: file });
  const hit = (file: string) => fault.target !== undefined && fault.target.test(file) && fault.hits++ === fault.skip;
  const openSync = ((file: string, ...rest: unknown[]) => {
    const fd = (fs.openSync as (...a: unknown[]) => number)(file, ...rest);
    if (hit(String(file))) failing.add(fd);
    return fd;
  }) as typeof fs.openSync;
  const writeSync = ((fd: number, data: Uint8Array | string, ...rest: unknown[]) => {
    if (!failing.has(fd)) return (fs.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    failing.delete(fd);
    // Half of what was asked is written, then the disk is full.
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    fs.writeSync(fd, bytes.subarray(0, Math.floor(bytes.length / 2)));
    throw enospc(`fd ${fd}`);
  }) as typeof fs.writeSync;
  const appendFileSync = ((file: string, data: string, ...rest: unknown[]) => {
    if (!hit(String(file))) return (fs.appendFileSync as (...a: unknown[]) => void)(file, data, ...rest);
    fs.appendFileSync(file, String(data).slice(0, 7));
    throw enospc(String(file));
  }) as typeof fs.appendFileSync;
  const writeFileSync = ((file: string, data: string | Uint8Array, ...rest: unknown[]) => {
    if (!hit(String(file))) return (fs.writeFileSync as (...a: unknown[]) => void)(file, data, ...rest);
    fs.writeFileSync(file, typeof data === 'string' ? data.slice(0, 7) : data.subarray(0, 7));
    throw enospc(String(file));
  }) as typeof fs.writeFileSync;
  const mocked = { ...fs, openSync, writeSync, appendFileSync, writeFileSync };
  return { ...mocked, default: mocked };
});

const tmp = tempDir('run-folder');
afterAll(tmp.remove);
const cwd = tmp.dir;
const ARGS = ['--preset', 'swiss-roll-vae', '--limit', '300', '--epochs', '2', '--backend', 'cpu', '--seed', '5'];

beforeEach(() => {
  fault.target = undefined;
  fault.skip = 0;
  fault.hits = 0;
  fault.code = 'ENOSPC';
});

/** The loss fields of each epoch of a run's metrics.jsonl (timings differ by nature). */
function losses(run: string) {
  return readFileSync(path.join(cwd, run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const m = JSON.parse(l);
      return { epoch: m.epoch, train: m.train, test: m.test };
    });
}

/** Every path under `dir` (relative), folders included. */
function tree(dir: string): string[] {
  return readdirSync(path.join(cwd, dir), { recursive: true, encoding: 'utf8' }).sort();
}

/** A process id that is certainly not running: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

let whole: ReturnType<typeof losses>;
beforeAll(async () => {
  const r = await runCli(cwd, 'train', ...ARGS, '--out', 'whole');
  expect(r.code, r.stderr).toBe(0);
  whole = losses('whole');
  expect(whole).toHaveLength(2);
}, 60_000);

describe('a full disk while training', () => {
  // Each write point of epoch 2, and the epoch whose checkpoint survives it.
  const POINTS: [string, RegExp, number, number, string][] = [
    ['the metrics line', /metrics\.jsonl$/, 1, 2, 'metrics.jsonl'],
    ["the checkpoint's tensors", /\.epoch-0002\.tmp-\d+\/tensors\.bin\.tmp-/, 0, 1, 'checkpoints/epoch-0002'],
    ["the checkpoint's state", /\.epoch-0002\.tmp-\d+\/state\.json\.tmp-/, 0, 1, 'checkpoints/epoch-0002'],
    ['latest.json', /latest\.json\.tmp-/, 1, 1, 'checkpoints/latest.json'],
    ["the model's weights", /model\/weights\.bin\.tmp-/, 1, 2, 'model/weights.bin'],
    ['model.json', /model\/model\.json\.tmp-/, 1, 2, 'model/model.json'],
  ];
  for (const [point, [what, target, skip, kept, file]] of POINTS.entries()) {
    it(`writing ${what}: one line, exit 1, no temporary file left, and --resume then ends as an uninterrupted run`, { timeout: 60_000 }, async () => {
      const run = `full-${point}`;
      Object.assign(fault, { target, skip });
      const r = await runCli(cwd, 'train', ...ARGS, '--out', run);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe(`vaekit: disk full while writing ${path.join(run, file)}: epoch ${kept}'s checkpoint is kept; free space and run vaekit train --resume ${run}\n`);
      expect(tree(run).filter((f) => /\.tmp-\d+/.test(f))).toEqual([]);
      expect(tree(run)).not.toContain('run.lock');
      // Space freed: the run finishes, and its numbers are those of the run that never failed.
      fault.target = undefined;
      const again = await runCli(cwd, 'train', '--resume', run);
      expect(again.code, again.stderr).toBe(0);
      expect(losses(run)).toEqual(whole);
      expect(readFileSync(path.join(cwd, run, 'model', 'weights.bin')).equals(readFileSync(path.join(cwd, 'whole', 'model', 'weights.bin')))).toBe(true);
    });
  }

  it('at the start (config.json) or at the first checkpoint of a fresh run: one line, and no folder is left', { timeout: 60_000 }, async () => {
    for (const [target, file] of [[/config\.json\.tmp-/, 'config.json'], [/\.epoch-0001\.tmp-\d+\/tensors\.bin\.tmp-/, 'checkpoints/epoch-0001'], [/run\.lock$/, 'run.lock']] as const) {
      Object.assign(fault, { target, skip: 0, hits: 0 });
      const r = await runCli(cwd, 'train', ...ARGS, '--out', 'new/first');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`vaekit: disk full while writing ${path.join('new/first', file)}: no epoch's checkpoint was written, so new/first was removed; free space and run the command again\n`);
      expect(existsSync(path.join(cwd, 'new'))).toBe(false);
    }
  });

  it('at the first checkpoint into a folder that existed: the folder is reusable by the same command', { timeout: 60_000 }, async () => {
    mkdirSync(path.join(cwd, 'given'));
    Object.assign(fault, { target: /\.epoch-0001\.tmp-\d+\/tensors\.bin\.tmp-/ });
    const r = await runCli(cwd, 'train', ...ARGS, '--out', 'given');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("vaekit: disk full while writing given/checkpoints/epoch-0001: no epoch's checkpoint was written; free space and run the command again\n");
    expect(tree('given')).toEqual(['checkpoints', 'config.json', 'metrics.jsonl']);
    fault.target = undefined;
    const again = await runCli(cwd, 'train', ...ARGS, '--out', 'given');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('--out given: reusing the folder of a run that stopped before its first checkpoint\n');
    expect(losses('given')).toEqual(whole);
  });
});

describe('other file-system faults while training: permission denied, a read-only file system, an I/O error', () => {
  const FAULTS: [string, string, string][] = [
    ['EACCES', 'permission denied', 'make the folder writable or write elsewhere'],
    ['EPERM', 'permission denied', 'make the folder writable or write elsewhere'],
    ['EROFS', 'read-only file system', 'write to a writable folder'],
    ['EIO', 'I/O error', 'check the disk'],
  ];
  for (const [code, what, remedy] of FAULTS) {
    it(`${code} at epoch 2's checkpoint: one line naming the fault, the file and what is kept; --resume then finishes the run`, { timeout: 60_000 }, async () => {
      const run = `fault-${code}`;
      Object.assign(fault, { target: /\.epoch-0002\.tmp-\d+\/tensors\.bin\.tmp-/, code });
      const r = await runCli(cwd, 'train', ...ARGS, '--out', run);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe(`vaekit: ${what} while writing ${path.join(run, 'checkpoints/epoch-0002')}: epoch 1's checkpoint is kept; ${remedy} and run vaekit train --resume ${run}\n`);
      expect(tree(run).filter((f) => /\.tmp-\d+/.test(f))).toEqual([]);
      fault.target = undefined;
      const again = await runCli(cwd, 'train', '--resume', run);
      expect(again.code, again.stderr).toBe(0);
      expect(losses(run)).toEqual(whole);
    });
  }

  it('EROFS writing a command\'s --out file: one line, no folder left', { timeout: 30_000 }, async () => {
    Object.assign(fault, { target: /samples\.png\.tmp-/, code: 'EROFS' });
    const r = await runCli(cwd, 'sample', 'whole', '--n', '50', '--backend', 'cpu', '--out', 'outs/ro');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`vaekit: read-only file system while writing ${path.join('outs', 'ro', 'samples.png')}: write to a writable folder and run the command again\n`);
    expect(existsSync(path.join(cwd, 'outs'))).toBe(false);
  });

  it('an errno that is not a file-system fault (EBADF) is not dressed up as one', async () => {
    const { writeFaultAs } = await import('../src/io/atomic.js');
    const ebadf = Object.assign(new Error('EBADF: bad file descriptor'), { code: 'EBADF' });
    expect(writeFaultAs(ebadf, 'x')).toBe(ebadf);
  });
});

describe('--out of the commands that write files: a failed write leaves no folder', () => {
  beforeAll(() => {
    writeFileSync(path.join(cwd, 'points.csv'), 'x,y\n0.5,1\n-1,2\n3,-0.25\n9,9\n');
  });
  const COMMANDS: [string, string[], string][] = [
    ['anomaly', ['anomaly', 'whole', '--data', 'points.csv', '--backend', 'cpu'], 'anomaly-scores.csv'],
    ['sample', ['sample', 'whole', '--n', '50', '--backend', 'cpu'], 'samples.png'],
    ['manifold', ['manifold', 'whole', '--backend', 'cpu'], 'manifold.png'],
  ];
  for (const [name, args, file] of COMMANDS) {
    it(`${name} --out`, { timeout: 30_000 }, async () => {
      Object.assign(fault, { target: new RegExp(`${file.replace('.', '\\.')}\\.tmp-`) });
      const r = await runCli(cwd, ...args, '--out', `outs/${name}`);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`vaekit: disk full while writing ${path.join('outs', name, file)}: free space and run the command again\n`);
      expect(existsSync(path.join(cwd, 'outs'))).toBe(false);
    });
  }
  it('export --out', { timeout: 30_000 }, async () => {
    Object.assign(fault, { target: /model\.safetensors$/ });
    const r = await runCli(cwd, 'export', 'whole', '--format', 'pytorch', '--out', 'outs/pt');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('vaekit: disk full while writing outs/pt: free space and run the command again\n');
    expect(existsSync(path.join(cwd, 'outs'))).toBe(false);
  });
  it('encode --out into a new folder', { timeout: 30_000 }, async () => {
    Object.assign(fault, { target: /codes\.npy\.tmp-/ });
    const r = await runCli(cwd, 'encode', 'whole', '--data', 'points.csv', '--backend', 'cpu', '--out', 'outs/enc/codes.npy');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('vaekit: disk full while writing outs/enc/codes.npy: free space and run the command again\n');
    expect(existsSync(path.join(cwd, 'outs'))).toBe(false);
  });
});

describe('runs that stopped before their first checkpoint', () => {
  it('a NaN in epoch 1: --resume says what to do, and a fresh run into the folder reuses it', { timeout: 60_000 }, async () => {
    const nan = await runCli(cwd, 'train', ...ARGS, '--lr', '1e12', '--out', 'nan1');
    expect(nan.code).toBe(1);
    expect(nan.stderr).toMatch(/^vaekit: epoch 1, batch \d+: the loss is NaN; training stopped\. no epoch had finished, so there is no checkpoint\./);
    expect(tree('nan1')).toEqual(['config.json', 'metrics.jsonl']);
    const resume = await runCli(cwd, 'train', '--resume', 'nan1');
    expect(resume.code).toBe(2);
    expect(resume.stderr).toBe('vaekit: --resume nan1: the run stopped before its first checkpoint, so there is nothing to resume; start it afresh with vaekit train --config nan1/config.json --out nan1 (a run folder without a checkpoint or model is reused)\n');
    // What the message says works (with a learning rate that trains).
    const again = await runCli(cwd, 'train', '--config', 'nan1/config.json', '--out', 'nan1', '--lr', '0.001', '--limit', '300', '--backend', 'cpu');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('--out nan1: reusing the folder of a run that stopped before its first checkpoint\n');
    expect(losses('nan1')).toHaveLength(2);
  });

  it('a run killed in epoch 1 (stale lock, half-written checkpoint folder, temp files) is reused, leaving nothing of it', { timeout: 60_000 }, async () => {
    const dead = deadPid();
    mkdirSync(path.join(cwd, 'killed', 'checkpoints', `.epoch-0001.tmp-${dead}`), { recursive: true });
    writeFileSync(path.join(cwd, 'killed', 'checkpoints', `.epoch-0001.tmp-${dead}`, 'tensors.bin'), 'half');
    cpSync(path.join(cwd, 'whole', 'config.json'), path.join(cwd, 'killed', 'config.json'));
    writeFileSync(path.join(cwd, 'killed', 'metrics.jsonl'), '');
    writeFileSync(path.join(cwd, 'killed', `metrics.jsonl.tmp-${dead}`), '{"ep');
    writeFileSync(path.join(cwd, 'killed', 'run.lock'), `${dead}\n`);
    const r = await runCli(cwd, 'train', ...ARGS, '--out', 'killed');
    expect(r.code, r.stderr).toBe(0);
    expect(tree('killed').filter((f) => /tmp|run\.lock/.test(f))).toEqual([]);
    expect(losses('killed')).toEqual(whole);
  });

  it('a folder holding a run with a checkpoint is still refused', async () => {
    const r = await runCli(cwd, 'train', ...ARGS, '--out', 'whole');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('vaekit: --out whole: the folder already holds a run; continue it with --resume whole or choose another --out\n');
  });
});

describe('resuming', () => {
  it("temporary files of dead processes go at start; a live process's stay", { timeout: 60_000 }, async () => {
    cpSync(path.join(cwd, 'whole'), path.join(cwd, 'left'), { recursive: true });
    const dead = deadPid();
    const leftovers = [`model/weights.bin.tmp-${dead}`, `config.json.tmp-${dead}`, `loss.png.tmp-${dead}`];
    for (const f of leftovers) writeFileSync(path.join(cwd, 'left', f), 'x');
    mkdirSync(path.join(cwd, 'left', 'checkpoints', `.epoch-0003.tmp-${dead}`));
    const live = `samples.png.tmp-${process.ppid}`;
    writeFileSync(path.join(cwd, 'left', live), 'a figure being written');
    const r = await runCli(cwd, 'train', '--resume', 'left', '--epochs', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('removed 4 temporary files left by a stopped vaekit process (');
    expect(tree('left').filter((f) => /\.tmp-/.test(f))).toEqual([live]);
  });

  it('--epochs below the epochs the run has is refused, naming both; equal to them trains none and says so', { timeout: 30_000 }, async () => {
    const below = await runCli(cwd, 'train', '--resume', 'whole', '--epochs', '1');
    expect(below.code).toBe(2);
    expect(below.stderr).toBe('vaekit: --epochs 1: the run already has 2 epochs; --epochs 1 would train none: give --epochs 3 or more\n');
    const equal = await runCli(cwd, 'train', '--resume', 'whole', '--epochs', '2');
    expect(equal.code).toBe(0);
    expect(equal.stdout).toContain('the run already has 2 epochs and --epochs is 2; give --epochs 3 or more to train further\n');
  });

  it('a corrupt latest checkpoint is passed over with one warning line, and the run ends as an uninterrupted one', { timeout: 60_000 }, async () => {
    cpSync(path.join(cwd, 'whole'), path.join(cwd, 'corrupt'), { recursive: true });
    const bin = path.join(cwd, 'corrupt', 'checkpoints', 'epoch-0002', 'tensors.bin');
    const bytes = readFileSync(bin);
    bytes.writeFloatLE(NaN, 0);
    writeFileSync(bin, bytes);
    const r = await runCli(cwd, 'train', '--resume', 'corrupt');
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('vaekit: warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^vaekit: warning: checkpoint corrupt\/checkpoints\/epoch-0002 is corrupt, passed over: .*tensors|\[0\] is NaN.*; resuming from corrupt\/checkpoints\/epoch-0001 \(epoch 1\) instead$/);
    expect(losses('corrupt')).toEqual(whole);
  });

  it('a NaN after resuming names the checkpoint written before the NaN epoch as the last good one', { timeout: 60_000 }, async () => {
    cpSync(path.join(cwd, 'whole'), path.join(cwd, 'diverge'), { recursive: true });
    const file = path.join(cwd, 'diverge', 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.train.lr = 1e12;
    writeFileSync(file, JSON.stringify(config));
    const r = await runCli(cwd, 'train', '--resume', 'diverge', '--epochs', '3');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^vaekit: epoch 3, batch \d+: the loss is NaN; training stopped\. the last good checkpoint \(epoch 2, written before epoch 3\) is kept in diverge\/checkpoints\./);
    expect(JSON.parse(readFileSync(path.join(cwd, 'diverge', 'checkpoints', 'latest.json'), 'utf8')).epoch).toBe(2);
  });
});
