/** What the commands that apply a trained model share: --data for new examples, loading the run's model, writing outputs. */
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, type RunConfig } from '../config/index.js';
import { loadForModel, type ModelExamples } from '../data/index.js';
import type { Model } from '../models/index.js';
import type { ModelMetadata } from '../io/model-format.js';
import { loadModel } from '../io/model-files.js';
import { writeFileAtomic } from '../io/atomic.js';
import { UsageError } from '../errors.js';
import { startBackend } from './common.js';
import { makeOutput, type Output } from './output.js';
import { readRunConfig } from './run-folder.js';
import { oneOf, positiveInt } from './parse.js';

/** Flags of the commands that read new data for a model. */
export interface ModelDataFlags {
  data?: string;
  labelColumn?: string;
  dataPath?: string;
  limit?: number;
  backend?: (typeof BACKEND_OPTIONS)[number];
  json?: boolean;
}

/** Adds --data, --label-column, --data-path, --limit, --backend and --json. */
export function modelDataOptions(cmd: Command, { dataRequired = true } = {}): Command {
  const data = '--data <name>';
  const help = 'mnist, fashion-mnist (their test splits), a .csv, .npy or IDX file, or a folder of PNG images; preprocessed as the model\'s training data was';
  return (dataRequired ? cmd.requiredOption(data, help) : cmd.option(data, help))
    .option('--label-column <name|index>', 'CSV: the column holding labels')
    .option('--data-path <path>', 'IDX: the labels file')
    .option('--limit <n>', 'use only the first n examples', positiveInt('--limit'))
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object');
}

/** A loaded run: its config, model and metadata, the output, and the backend in use. */
export interface OpenRun {
  out: Output;
  config: RunConfig;
  model: Model;
  metadata: ModelMetadata;
  backend: string;
}

/**
 * Starts the backend and loads a run's config and model; `fn` runs with them and the model is disposed afterwards.
 *
 * @example
 * await withRun('runs/a', flags, async ({ model, metadata }) => { ... });
 */
export async function withRun<T>(run: string, flags: { backend?: ModelDataFlags['backend']; json?: boolean }, fn: (r: OpenRun) => T | Promise<T>): Promise<T> {
  const out = makeOutput(flags.json === true);
  const config = readRunConfig(run);
  const backend = await startBackend(flags.backend ?? 'auto', out);
  const { model, metadata } = loadModel(run);
  try {
    return await fn({ out, config, model, metadata, backend });
  } finally {
    model.dispose();
  }
}

/** The examples --data names, prepared for the run's model. */
export function examplesFor(flags: ModelDataFlags, r: OpenRun): ModelExamples {
  if (flags.data === undefined) throw new UsageError('--data: required');
  const labelColumn = flags.labelColumn === undefined ? undefined : /^\d+$/.test(flags.labelColumn) ? Number(flags.labelColumn) : flags.labelColumn;
  return loadForModel({
    name: flags.data,
    inputShape: r.metadata.inputShape,
    preprocessing: r.metadata.preprocessing,
    labelColumn,
    labelsPath: flags.dataPath,
    limit: flags.limit,
    seed: r.config.train.seed,
  });
}

/** Writes files (name relative to `dir`) atomically and returns their paths. */
export function writeFiles(dir: string, files: { file: string; bytes: Uint8Array | string }[]): string[] {
  return files.map(({ file, bytes }) => {
    const target = path.join(dir, file);
    writeFileAtomic(target, bytes);
    return target;
  });
}
