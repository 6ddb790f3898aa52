/** `vaekit report RUN`: rebuild report.html; also the shared runner of the figure commands (sample, reconstruct, ...). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, type RunConfig } from '../config/index.js';
import { fileFormat, type Dataset } from '../data/index.js';
import type { Model } from '../models/index.js';
import { UsageError } from '../errors.js';
import { FIDELITY_FILE, fidelityFigures, writeFigures, writeReport, type Figure } from '../report/index.js';
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

/**
 * A tabular run trained before its report had a fidelity section (a model but no fidelity.json): draws the section's
 * figures and summary now. Returns the files written; nothing for other runs.
 */
async function addFidelity(run: string, config: RunConfig, flags: { json?: boolean }, notice: (line: string) => void): Promise<string[]> {
  const isFile = fileFormat(config.data.name) === 'csv' || fileFormat(config.data.name) === 'npy';
  if (!isFile || existsSync(path.join(run, FIDELITY_FILE)) || !existsSync(path.join(run, 'model', 'model.json'))) return [];
  try {
    return await withRun(run, flags, (r) => {
      const dataset = runDataset(r);
      return dataset.kind === 'tabular' ? writeFigures(run, fidelityFigures(r.model, dataset, r.config.train.seed)) : [];
    });
  } catch (err) {
    // The page matters more than one section: a data file moved away since training leaves the section out.
    notice(`notice: could not add the synthetic data fidelity section (${(err as Error).message}); the report is rebuilt without it`);
    return [];
  }
}

/** Registers `vaekit report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description("rebuild a run's report.html: config, metrics table and every figure in the run folder")
    .argument('<run>', 'run folder')
    .option('--json', 'print { files: [...] }')
    .action(async (run: string, flags: { json?: boolean }) => {
      const out = makeOutput(flags.json === true);
      const config = readRunConfig(run); // a clear error for a folder that is not a run
      const added = await addFidelity(run, config, flags, (line) => out.info(line));
      const file = writeReport(run);
      out.result({ files: [...added, file] }, () => [...added, file].forEach((f) => out.info(f)));
    });
}
