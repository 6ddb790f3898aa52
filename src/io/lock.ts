/** A run-folder lock so that two trainings into one folder cannot interleave their writes. */
import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { VaekitError } from '../errors.js';
import { processAlive as alive, writeFaultAs } from './atomic.js';

/**
 * Takes `dir/run.lock` (exclusive create). A lock left by a dead process is taken over.
 * Returns the release function.
 *
 * @example
 * const release = lockRun(runDir); try { ... } finally { release(); }
 */
export function lockRun(dir: string): () => void {
  const file = path.join(dir, 'run.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } catch (err) {
        // A lock file without a pid (a full disk) would hold the folder for ever: take none.
        closeSync(fd);
        rmSync(file, { force: true });
        throw writeFaultAs(err, file);
      }
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
        throw new VaekitError('locked', `${dir}: another vaekit process (pid ${pid}) is training into this run folder`);
      }
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new VaekitError('locked', `${dir}: could not take the run lock ${file}`);
}
