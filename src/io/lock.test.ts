import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VaekitError } from '../errors.js';
import { tempDir } from '../../test/helpers.js';
import { writeFileAtomic } from './atomic.js';
import { lockRun } from './lock.js';

const tmp = tempDir('lock');
afterAll(tmp.remove);

describe('lockRun', () => {
  it('lets one holder in, refuses a live other process by pid, and frees the folder on release', () => {
    const dir = tmp.dir;
    const release = lockRun(dir);
    expect(readFileSync(path.join(dir, 'run.lock'), 'utf8')).toBe(`${process.pid}\n`);
    release();
    expect(existsSync(path.join(dir, 'run.lock'))).toBe(false);

    // A lock held by another live process (our parent stands in for it).
    writeFileSync(path.join(dir, 'run.lock'), `${process.ppid}\n`);
    let err: unknown;
    try {
      lockRun(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VaekitError);
    expect((err as VaekitError).code).toBe('locked');
    expect((err as Error).message).toBe(`${dir}: another vaekit process (pid ${process.ppid}) is training into this run folder`);
  });

  it('takes over a lock left by a process that is gone', () => {
    const dir = path.join(tmp.dir, 'stale');
    writeFileAtomic(path.join(dir, 'run.lock'), '2147483646\n'); // no such pid
    const release = lockRun(dir);
    expect(readFileSync(path.join(dir, 'run.lock'), 'utf8')).toBe(`${process.pid}\n`);
    release();
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file behind', () => {
    const file = path.join(tmp.dir, 'atomic', 'a.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, new Uint8Array([110, 101, 119]));
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(path.dirname(file))).toEqual(['a.json']);
  });
});
