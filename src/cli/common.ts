/** What several commands share: starting the backend and loading a run's dataset. */
import { existsSync } from 'node:fs';
import { initBackend, type BackendName } from '../engine/index.js';
import { UsageError } from '../errors.js';
import { loadDataset, type Dataset } from '../data/index.js';
import type { RunConfig } from '../config/index.js';
import type { Output } from './output.js';
import { during } from './progress.js';

/** Starts the backend, prints the choice (and any fallback notices) and returns its name. */
export async function startBackend(requested: BackendName | 'auto', out: Output): Promise<string> {
  const choice = await initBackend(requested);
  for (const n of choice.notices) out.info(`notice: ${n}`);
  out.info(`backend: ${choice.name}`);
  return choice.name;
}

/**
 * Loads the dataset a config names within the command's --memory-budget (absent: the loaders' default); a preset
 * whose data is a folder it cannot find (images64-conv-vae) says to pass --data.
 */
export function datasetFor(config: RunConfig, { memoryBudget }: { memoryBudget?: number }): Dataset {
  const { name } = config.data;
  if (config.preset && name.endsWith('/') && !existsSync(name)) {
    throw new UsageError(`preset ${config.preset} reads a folder of PNG images, and '${name}' does not exist; pass --data FOLDER`);
  }
  return during(`loading ${name}`, () => loadDataset({ ...config.data, seed: config.train.seed, memoryBudget }));
}
