/** `vaekit report RUN`: rebuild report.html; also the shared runner of the figure commands (sample, reconstruct, ...). */
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, type RunConfig } from '../config/index.js';
import type { Dataset } from '../data/index.js';
import type { Model } from '../models/index.js';
import { loadModel } from '../io/model-files.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkShapes } from '../evaluate/index.js';
import { UsageError } from '../errors.js';
import { writeFigures, writeReport, type Figure } from '../report/index.js';
import { datasetFor, startBackend } from './common.js';
import { makeOutput } from './output.js';
import { readRunConfig } from './run-folder.js';
import { oneOf } from './parse.js';

/** Flags every figure command takes. */
export interface FigureFlags {
  backend?: (typeof BACKEND_OPTIONS)[number];
  out?: string;
  json?: boolean;
}

/** A non-negative integer flag (an example index, a latent dimension). */
export function index(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag}: '${value}' is not a non-negative integer`);
    return n;
  };
}

/** A comma-separated list of non-negative integers (`--dims 0,1`). */
export function indexList(flag: string) {
  return (value: string): number[] => value.split(',').map((part) => index(`${flag} (in '${value}')`)(part.trim()));
}

/** Adds --backend, --out and --json to a figure command. */
export function figureOptions(cmd: Command): Command {
  return cmd
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--out <dir>', 'write the figure into this folder instead of the run folder (the report is left as it is)')
    .option('--json', 'print { files: [...] }');
}

/**
 * Loads a run (config, dataset, model), builds figures with `make`, writes them (into the run folder, updating its
 * figure list and report.html, or into --out) and prints each path. Index errors become usage errors (exit 2).
 */
export async function runFigureCommand(
  run: string,
  flags: FigureFlags,
  make: (ctx: { model: Model; dataset: Dataset; config: RunConfig }) => Figure | Figure[],
): Promise<void> {
  const out = makeOutput(flags.json === true);
  const config = readRunConfig(run);
  await startBackend(flags.backend ?? 'auto', out);
  const { model, metadata } = loadModel(run);
  let files: string[];
  try {
    const dataset = datasetFor(config);
    checkShapes(model, dataset, metadata.inputShape);
    let figures: Figure[];
    try {
      figures = ([] as Figure[]).concat(make({ model, dataset, config }));
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    if (flags.out) {
      files = figures.flatMap((f) => f.files.map((file) => {
        const target = path.join(flags.out!, file.file);
        writeFileAtomic(target, file.bytes);
        return target;
      }));
    } else {
      files = writeFigures(run, figures);
      writeReport(run);
    }
  } finally {
    model.dispose();
  }
  out.result({ files }, () => files.forEach((f) => out.info(f)));
}

/** Registers `vaekit report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description("rebuild a run's report.html: config, metrics table and every figure in the run folder")
    .argument('<run>', 'run folder')
    .option('--json', 'print { files: [...] }')
    .action((run: string, flags: { json?: boolean }) => {
      const out = makeOutput(flags.json === true);
      readRunConfig(run); // a clear error for a folder that is not a run
      const file = writeReport(run);
      out.result({ files: [file] }, () => out.info(file));
    });
}
