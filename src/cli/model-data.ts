/** What the commands that apply a trained model share: --data for new examples, loading the run's model, its labels, writing outputs. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, type RunConfig } from '../config/index.js';
import { DATA_ACCEPTED, DEFAULT_MISSING, MISSING_POLICIES, csvFlagsGiven, fileFormat, loadForModel, parseDelimiter, parseLabelColumn, type CsvDelimiter, type Dataset, type MissingPolicy, type ModelExamples } from '../data/index.js';
import { labelsFor, type Model } from '../models/index.js';
import type { ModelMetadata } from '../io/model-format.js';
import { loadModel } from '../io/model-files.js';
import { intoNewFolder, writeFileAtomic } from '../io/atomic.js';
import { checkShapes } from '../evaluate/index.js';
import { UsageError } from '../errors.js';
import { datasetFor, startBackend } from './common.js';
import { makeOutput, type Output } from './output.js';
import { readRunConfig } from './run-folder.js';
import { index, oneOf, positiveInt } from './parse.js';

/** Flags of the commands that read new data for a model. */
export interface ModelDataFlags {
  data?: string;
  labelColumn?: string;
  /** CSV: lines skipped first, the delimiter (default sniffed) and the missing-cell policy. */
  skipRows?: number;
  delimiter?: CsvDelimiter;
  missing?: MissingPolicy;
  dataPath?: string;
  limit?: number;
  backend?: (typeof BACKEND_OPTIONS)[number];
  json?: boolean;
  /** A conditional VAE: the class every example is conditioned on (default: each example's own label). */
  label?: number;
  /** --memory-budget, in bytes (added by main.ts to every command that reads --data or --limit). */
  memoryBudget?: number;
}

/** The help of --label on commands that encode examples. */
export const CONDITION_HELP = "conditional VAE: condition every example on class k (default: each example's own label, matched to the model's classes by name)";

/** Adds --data, --label-column, --skip-rows, --delimiter, --missing, --data-path, --limit, --label, --backend and --json. */
export function modelDataOptions(cmd: Command, { dataRequired = true } = {}): Command {
  const data = '--data <name>';
  const help = `${DATA_ACCEPTED} (a built-in dataset: its test split); preprocessed as the model's training data was`;
  return (dataRequired ? cmd.requiredOption(data, help) : cmd.option(data, help))
    .option('--label-column <name|index>', 'CSV: the column holding labels')
    .option('--skip-rows <n>', 'CSV: skip the first n lines (scikit-learn exports start with a line of counts: --skip-rows 1)', index('--skip-rows'))
    .option('--delimiter <d>', 'CSV: , (comma), ; (semicolon) or tab (default: sniffed from the first lines)', (v: string) => parseDelimiter(v, '--delimiter'))
    .option('--missing <policy>', `CSV: missing cells (empty, NA, N/A, NaN, null, ?): ${MISSING_POLICIES.join(', ')} (drop their rows, or fill with this file's column means); default ${DEFAULT_MISSING}`, oneOf('--missing', MISSING_POLICIES))
    .option('--data-path <path>', 'IDX: the labels file')
    .option('--limit <n>', 'use only the first n examples', positiveInt('--limit'))
    .option('--label <k>', CONDITION_HELP, index('--label'))
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
  /** The command's --memory-budget in bytes, for the loads it makes. */
  memoryBudget?: number;
}

/**
 * Starts the backend and loads a run's config and model; `fn` runs with them and the model is disposed afterwards.
 *
 * @example
 * await withRun('runs/a', flags, async ({ model, metadata }) => { ... });
 */
export async function withRun<T>(run: string, flags: Pick<ModelDataFlags, 'backend' | 'json' | 'memoryBudget'>, fn: (r: OpenRun) => T | Promise<T>): Promise<T> {
  const out = makeOutput(flags.json === true);
  const config = readRunConfig(run);
  const backend = await startBackend(flags.backend ?? 'auto', out);
  const { model, metadata } = loadModel(run);
  try {
    return await fn({ out, config, model, metadata, backend, memoryBudget: flags.memoryBudget });
  } finally {
    model.dispose();
  }
}

/** The run's own dataset (train and test splits), checked against the model's input shape. */
export function runDataset(r: Pick<OpenRun, 'config' | 'model' | 'metadata' | 'memoryBudget'>): Dataset {
  const dataset = datasetFor(r.config, r);
  checkShapes(r.model, dataset, r.metadata.inputShape);
  return dataset;
}

/**
 * The labels a conditional model encodes the --data examples with: `--label k` for all, or each example's own label
 * matched by name to the classes the model was trained on (a data file numbers its labels in its own order); undefined
 * for an unconditional model.
 */
export function exampleLabels(flags: ModelDataFlags, ex: ModelExamples, r: Pick<OpenRun, 'model' | 'metadata'>): Int32Array | undefined {
  const { model, metadata } = r;
  const what = `--data ${flags.data}`;
  if (model.classes === undefined || flags.label !== undefined || !ex.labels) return labelsFor({ model, labels: ex.labels, n: ex.n, what, label: flags.label });
  const names = metadata.labelNames;
  if (!names || !ex.labelNames) return labelsFor({ model, labels: ex.labels, n: ex.n, what });
  const map = ex.labelNames.map((name) => names.indexOf(name));
  const used = new Set(ex.labels);
  const unknown = ex.labelNames.filter((_, i) => used.has(i) && map[i] < 0);
  if (unknown.length > 0) throw new UsageError(`${what}: labels ${unknown.join(', ')} are not among the model's classes (${names.join(', ')}); give --label k to condition every example on class k`);
  return labelsFor({ model, labels: Int32Array.from(ex.labels, (y) => map[y]), n: ex.n, what });
}

/** Throws a UsageError when `dir` (an output folder given as `flag`) exists and is not a folder. */
export function checkOutDir(flag: string, dir: string | undefined): void {
  if (dir !== undefined && existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir}: exists and is not a folder; expected a folder for the output files`);
}

/** The examples --data names, prepared for the run's model. */
export function examplesFor(flags: ModelDataFlags, r: OpenRun): ModelExamples {
  if (flags.data === undefined) throw new UsageError('--data: required');
  const labelColumn = flags.labelColumn === undefined ? undefined : parseLabelColumn(flags.labelColumn);
  const { skipRows, delimiter, missing } = flags;
  const csvOnly = csvFlagsGiven({ skipRows, delimiter, missing });
  if (csvOnly.length > 0 && fileFormat(flags.data) !== 'csv') throw new UsageError(`${csvOnly.join(', ')}: applies to CSV data only; '${flags.data}' is not a .csv file`);
  return loadForModel({
    name: flags.data,
    inputShape: r.metadata.inputShape,
    preprocessing: r.metadata.preprocessing,
    columns: r.metadata.columns,
    labelColumn,
    skipRows,
    delimiter,
    missing,
    labelsPath: flags.dataPath,
    limit: flags.limit,
    seed: r.config.train.seed,
    memoryBudget: flags.memoryBudget,
  });
}

/**
 * Writes files (name relative to `dir`) atomically and returns their paths. When a write fails (a full disk) into a
 * `dir` that did not exist, the folder goes too: a failed `--out` leaves no empty or half-filled folder.
 */
export function writeFiles(dir: string, files: { file: string; bytes: Uint8Array | string }[]): string[] {
  return intoNewFolder(dir, () =>
    files.map(({ file, bytes }) => {
      const target = path.join(dir, file);
      writeFileAtomic(target, bytes);
      return target;
    }),
  );
}
