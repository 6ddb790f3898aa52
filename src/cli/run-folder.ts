/** Finding a run: its folder, config and recorded backend, with errors that say what is missing; what state a run folder is in, and its cleaning. */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type RunConfig } from '../config/index.js';
import { ModelError, UsageError, oneLineReason } from '../errors.js';
import { removeDeadTemps } from '../io/atomic.js';
import { checkpointDirs } from '../train/index.js';

/** A run folder's config.json, validated. */
export function readRunConfig(runDir: string): RunConfig & { backend: RunConfig['backend'] } {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UsageError(`RUN: '${runDir}' is not a folder`);
  const file = path.join(runDir, 'config.json');
  if (!existsSync(file)) throw new ModelError(`${runDir}: not a vaekit run folder (no config.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelError(`${file}: not valid JSON (${oneLineReason(err)})`);
  }
  try {
    return parseConfig(raw, file);
  } catch (err) {
    throw new ModelError((err as Error).message);
  }
}

/** A fresh run folder name: `runs/<preset or kind>-<UTC timestamp>`. */
export function newRunDir(config: RunConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join('runs', `${config.preset ?? config.model.kind}-${stamp}`);
}

/**
 * What a folder holds: `none` (no config.json: not a run, or a fresh run that never began), `run` (a run with a
 * checkpoint or a model, which a fresh run must not replace), or `stopped-before-checkpoint` (config.json, but neither
 * a checkpoint nor a model: a run killed, stopped by a NaN loss or by a full disk in its first epoch, which has nothing
 * to resume and which a fresh run may therefore reuse).
 */
export function runState(runDir: string): 'none' | 'run' | 'stopped-before-checkpoint' {
  if (!existsSync(path.join(runDir, 'config.json'))) return 'none';
  const checkpoint = existsSync(path.join(runDir, 'checkpoints', 'latest.json')) || checkpointDirs(runDir).dirs.length > 0;
  return checkpoint || existsSync(path.join(runDir, 'model', 'model.json')) ? 'run' : 'stopped-before-checkpoint';
}

/** The files a run writes before its first checkpoint, which a reused folder sheds. */
const BEFORE_FIRST_CHECKPOINT = ['config.json', 'metrics.jsonl', 'checkpoints', 'report.html', 'figures.json'];

/**
 * Empties the folder of a run that stopped before its first checkpoint, for a fresh run to reuse; true when it did.
 * Call it holding the run lock. Other files (the user's) stay.
 */
export function clearStoppedRun(runDir: string): boolean {
  if (runState(runDir) !== 'stopped-before-checkpoint') return false;
  for (const name of BEFORE_FIRST_CHECKPOINT) rmSync(path.join(runDir, name), { recursive: true, force: true });
  return true;
}

/**
 * Removes the temporary files and folders (`*.tmp-PID`) that killed processes left in a run folder, its model/ and
 * its checkpoints/; those of a process still running (say, a figure command writing into the run) stay. Returns the
 * paths removed.
 */
export function removeLeftovers(runDir: string): string[] {
  return removeDeadTemps([runDir, path.join(runDir, 'model'), path.join(runDir, 'checkpoints')]);
}
