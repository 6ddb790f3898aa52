/** What several commands share: starting the backend and loading a run's dataset. */
import { existsSync } from 'node:fs';
import { initBackend, type BackendName } from '../engine/index.js';
import { UsageError } from '../errors.js';
import { loadDataset, type Dataset } from '../data/index.js';
import type { RunConfig } from '../config/index.js';
import type { Output } from './output.js';
import { stepBar, stepLine } from './progress.js';

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
  // On a terminal: a line while the files are read, then a bar while a large dataset's images are converted.
  const line = stepLine(`loading ${name}`);
  const bar = stepBar(`loading ${name}`);
  const onProgress = ({ phase, done, total }: { phase: string; done: number; total: number }) => bar.update(done, total, `${phase} ${done}/${total}`);
  try {
    return loadDataset({ ...config.data, seed: config.train.seed, memoryBudget, onProgress });
  } finally {
    bar.stop();
    line.done();
  }
}
