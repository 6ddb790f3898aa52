/** Crash-safe file writes: write to a temporary file in the same folder, flush it to disk, then rename over the target. */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DiskFullError, WriteFaultError, type WriteFault } from '../errors.js';

/** The errno codes of a write that failed for a reason of the file system, and which fault each is. */
const WRITE_FAULT_CODES: Record<string, WriteFault> = { ENOSPC: 'full', EDQUOT: 'full', EACCES: 'permission', EPERM: 'permission', EROFS: 'read-only', EIO: 'io' };

/** The file-system fault behind `err` (a node:fs error), if it is one. */
export function writeFault(err: unknown): WriteFault | undefined {
  return WRITE_FAULT_CODES[(err as NodeJS.ErrnoException | undefined)?.code ?? ''];
}

/** True for an ENOSPC or EDQUOT error. */
export function isDiskFull(err: unknown): boolean {
  return writeFault(err) === 'full';
}

/**
 * `err` as a WriteFaultError naming `file` when a file-system fault caused it (a DiskFullError for a full disk); an
 * error that already is one is renamed to `file`; anything else unchanged. The one place a write's errno becomes a
 * message.
 */
export function writeFaultAs(err: unknown, file: string): unknown {
  if (err instanceof WriteFaultError) return err.with({ file });
  const fault = writeFault(err);
  if (fault === undefined) return err;
  return fault === 'full' ? new DiskFullError(file) : new WriteFaultError(file, fault);
}

/**
 * Writes `data` to `file` so that a reader sees either the old file or the new one, never half of it. On a full
 * disk (or another file-system fault) it throws a {@link WriteFaultError} naming `file`, with the temporary file removed.
 *
 * @example
 * writeFileAtomic('runs/a/config.json', JSON.stringify(config, null, 2));
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let written = 0;
      while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeFaultAs(err, file);
  }
}

/**
 * Appends `text` to `file` whole or not at all: a failed append (a full disk) is cut back to the file's old length,
 * so a line-per-record file never ends in half a record.
 *
 * @example
 * appendFileWhole('runs/a/metrics.jsonl', JSON.stringify(metrics) + '\n');
 */
export function appendFileWhole(file: string, text: string): void {
  const before = existsSync(file) ? statSync(file).size : 0;
  try {
    appendFileSync(file, text);
  } catch (err) {
    try {
      truncateSync(file, before);
    } catch {
      // The file may not exist (it was never created); nothing to cut back.
    }
    throw writeFaultAs(err, file);
  }
}

/** Flushes a folder's entries (new names from renames) to disk; best effort where the platform cannot. */
export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot open or fsync a directory; the rename is still atomic there.
  }
}

/** True when a process with this id runs (one we may not signal counts as running). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temporary name this module or a checkpoint writes: `NAME.tmp-PID` (a file) or `.epoch-N.tmp-PID` (a folder). */
const TEMP_NAME = /\.tmp-(\d+)$/;

/**
 * Removes, from each folder in `dirs`, the temporary files and folders (`*.tmp-PID`) left by processes that are no
 * longer running; those of a live process (another command writing a figure into the run) and our own stay.
 * Returns the paths removed.
 *
 * @example
 * removeDeadTemps(['runs/a', 'runs/a/model', 'runs/a/checkpoints']); // ['runs/a/model/weights.bin.tmp-4242']
 */
export function removeDeadTemps(dirs: string[]): string[] {
  const removed: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const pid = Number(TEMP_NAME.exec(name)?.[1]);
      if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
      rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(path.join(dir, name));
    }
  }
  return removed;
}

/** The first folder of `dir`'s path that does not exist yet (undefined when `dir` exists): what a failed write into `dir` must remove to leave nothing behind. */
export function firstMissing(dir: string): string | undefined {
  let missing: string | undefined;
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) missing = d;
  return missing;
}

/**
 * Runs `write`, which creates files in `dir`; when it fails and `dir` did not exist before, the folders it made are
 * removed, so a failed command leaves no empty (or half-filled) output folder.
 *
 * @example
 * intoNewFolder('out/figs', () => writeFiles('out/figs', files));
 */
export function intoNewFolder<T>(dir: string, write: () => T): T {
  const created = firstMissing(dir);
  try {
    return write();
  } catch (err) {
    if (created) rmSync(created, { recursive: true, force: true });
    throw err;
  }
}
