/** Finding a run: its folder, config and recorded backend, with errors that say what is missing. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type RunConfig } from '../config/index.js';
import { ModelError, UsageError } from '../errors.js';

/** A run folder's config.json, validated. */
export function readRunConfig(runDir: string): RunConfig & { backend: RunConfig['backend'] } {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UsageError(`RUN: '${runDir}' is not a folder`);
  const file = path.join(runDir, 'config.json');
  if (!existsSync(file)) throw new ModelError(`${runDir}: not a vaekit run folder (no config.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelError(`${file}: not valid JSON (${(err as Error).message})`);
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
