/** `vaekit report RUN`: rebuild report.html; also the shared runner of the figure commands (sample, reconstruct, ...). */
import type { Command } from 'commander';
import { BACKEND_OPTIONS, type RunConfig } from '../config/index.js';
import type { Dataset } from '../data/index.js';
import type { Model } from '../models/index.js';
import { UsageError } from '../errors.js';
import { writeFigures, writeReport, type Figure } from '../report/index.js';
import { makeOutput } from './output.js';
import { readRunConfig } from './run-folder.js';
import { oneOf } from './parse.js';
import { checkOutDir, runDataset, withRun, writeFiles } from './model-data.js';

/** Flags every figure command takes. */
export interface FigureFlags {
  backend?: (typeof BACKEND_OPTIONS)[number];
  out?: string;
  json?: boolean;
}

/** Adds --backend, --out and --json to a figure command. */
export function figureOptions(cmd: Command): Command {
  return cmd
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--out <dir>', 'write the figure into this folder instead of the run folder (the report is left as it is)')
    .option('--json', 'print { files: [...] }');
}

/** What a figure command builds its figures from: the run's model, config and dataset (labels included). */
export interface FigureContext {
  model: Model;
  dataset: Dataset;
  config: RunConfig;
}

/**
 * Loads a run (config, dataset, model), builds figures with `make`, writes them (into the run folder, updating its
 * figure list and report.html, or into --out) and prints each path. Index errors become usage errors (exit 2); nothing
 * is written unless every figure was built.
 */
export async function runFigureCommand(run: string, flags: FigureFlags, make: (ctx: FigureContext) => Figure | Figure[]): Promise<void> {
  checkOutDir('--out', flags.out);
  await withRun(run, flags, (r) => {
    const ctx = { model: r.model, config: r.config, dataset: runDataset(r) };
    let figures: Figure[];
    try {
      figures = ([] as Figure[]).concat(make(ctx));
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    let files: string[];
    if (flags.out) {
      files = writeFiles(flags.out, figures.flatMap((f) => f.files));
    } else {
      files = writeFigures(run, figures);
      writeReport(run);
    }
    r.out.result({ files }, () => files.forEach((f) => r.out.info(f)));
  });
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
