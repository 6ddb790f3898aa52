/**
 * A real full disk: a 7 MB tmpfs as the run folder (where this machine lets the test mount one: root, or skipped with
 * the reason). One checkpoint of this model fits, the second does not: training ends with one line naming the file and
 * what is kept, leaves no temporary file, and `--resume` finishes the run once the file system has room.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('tmpfs');
const mnt = path.join(tmp.dir, 'small');
mkdirSync(mnt);
const mount = (...opts: string[]) => spawnSync('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', mnt], { encoding: 'utf8' });
const mounted = mount('size=7m');
const reason = mounted.status === 0 ? undefined : `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || 'mount failed').trim()})`;

afterAll(() => {
  if (!reason) spawnSync('umount', [mnt]);
  rmSync(tmp.dir, { recursive: true, force: true });
});

describe.skipIf(reason !== undefined)(`a full tmpfs as the run folder${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('one line naming the checkpoint and the epoch kept, no leftovers, and --resume finishes the run once there is room', { timeout: 120_000 }, async () => {
    // 784-200-20 (about 320,000 parameters): a checkpoint (weights and Adam's two moments) is about 3.9 MB.
    const run = path.join(mnt, 'run');
    const args = ['train', '--preset', 'mnist-vae', '--hidden', '200', '--limit', '500', '--epochs', '2', '--backend', 'cpu', '--out', run];
    const r = await runCli(tmp.dir, ...args);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(`vaekit: disk full while writing ${path.join(run, 'checkpoints', 'epoch-0002')}: epoch 1's checkpoint is kept; free space and run vaekit train --resume ${run}\n`);
    const files = readdirSync(run, { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => /\.tmp-\d+/.test(f))).toEqual([]);
    expect(files).toContain(path.join('checkpoints', 'epoch-0001', 'tensors.bin'));
    expect(readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);

    expect(mount('remount', 'size=64m').status).toBe(0);
    const again = await runCli(tmp.dir, 'train', '--resume', run);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readdirSync(run, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tmp-\d+/.test(f))).toEqual([]);
  });
});
