/**
 * Crashes mid-run: a real training process killed with SIGKILL (mid-epoch, and in the middle of a checkpoint write)
 * leaves a valid checkpoint, and --resume finishes the run with the metrics of an uninterrupted one. Two trainings
 * into one folder: the second refuses.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');
const ARGS = ['--preset', 'swiss-roll-vae', '--limit', '1500', '--epochs', '5', '--backend', 'wasm', '--seed', '3'];
let dir: string;

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** Starts a training and resolves once `pattern` appears on its stdout or stderr. */
function startUntil(args: string[], pattern: RegExp, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...env } });
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited (${code}) before ${pattern}: ${seen}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** The loss fields of each epoch (timings differ between runs by nature). */
function losses(runDir: string) {
  return readFileSync(path.join(dir, runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const m = JSON.parse(l);
      return { epoch: m.epoch, train: m.train, test: m.test };
    });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-crash-'));
  const r = run(['train', ...ARGS, '--out', 'whole']);
  expect(r.status).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGKILL during training', () => {
  it('killed in the middle of writing the epoch-3 checkpoint: epoch 2 stays valid and resume matches', async () => {
    const child = await startUntil(['train', ...ARGS, '--out', 'mid-write'], /fault point reached: checkpoint-write:3/, { VAEKIT_FAULT: 'checkpoint-write:3' });
    await kill(child);
    const ckpt = path.join(dir, 'mid-write', 'checkpoints');
    expect(JSON.parse(readFileSync(path.join(ckpt, 'latest.json'), 'utf8')).epoch).toBe(2);
    expect(readdirSync(ckpt).some((d) => d.startsWith('.epoch-0003.tmp-'))).toBe(true); // the half-written one
    expect(existsSync(path.join(dir, 'mid-write', 'run.lock'))).toBe(true); // left by the dead process

    const r = run(['train', '--resume', 'mid-write', '--json']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).epochs).toBe(5);
    expect(losses('mid-write')).toEqual(losses('whole'));
    expect(readdirSync(ckpt).filter((d) => d.includes('.tmp-'))).toEqual([]);
    expect(existsSync(path.join(dir, 'mid-write', 'run.lock'))).toBe(false);
  }, 120_000);

  it('killed mid-epoch: resume continues from the last finished epoch and matches', async () => {
    const child = await startUntil(['train', ...ARGS, '--out', 'mid-epoch'], /epoch 2\/5/);
    await kill(child);
    const r = run(['train', '--resume', 'mid-epoch']);
    expect(r.status).toBe(0);
    expect(losses('mid-epoch')).toEqual(losses('whole'));
  }, 120_000);
});

describe('a training whose reader goes away', () => {
  it('stops quietly at its next line when stdout closes (a pipe to head, a parent that died), and resume matches', async () => {
    const child = await startUntil(['train', ...ARGS, '--out', 'closed-pipe'], /epoch 1\/5/);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => {
      child.removeAllListeners('exit');
      child.on('exit', (code) => resolve(code));
    });
    child.stdout!.destroy();
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    const r = run(['train', '--resume', 'closed-pipe']);
    expect(r.status).toBe(0);
    expect(losses('closed-pipe')).toEqual(losses('whole'));
  }, 120_000);
});

describe('two trainings into one folder', () => {
  it('the second refuses while the first runs, and nothing is corrupted', async () => {
    const first = await startUntil(['train', ...ARGS, '--out', 'shared'], /fault point reached/, { VAEKIT_FAULT: 'checkpoint-write:2' });
    const second = run(['train', '--resume', 'shared']);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/another vaekit process \(pid \d+\) is training into this run folder/);
    const third = run(['train', ...ARGS, '--out', 'shared']);
    expect(third.status).toBe(2);
    expect(third.stderr).toMatch(/already holds a run/);
    await kill(first);
    const r = run(['train', '--resume', 'shared']);
    expect(r.status).toBe(0);
    expect(losses('shared')).toEqual(losses('whole'));
  }, 120_000);
});

