/** Writing a run's figures and report.html into its folder: the loss curve after each epoch, everything at the end. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { Dataset } from '../data/index.js';
import { lossNames, type LossModel, type Model } from '../models/index.js';
import type { ProjectionMethod } from '../latent/index.js';
import type { EpochTerms } from '../figures/index.js';
import { drawFigures, lossFigure, planRunFigures, type Figure, type FigureProgress } from './figures.js';
import { reportHtml, type ReportFigure, type ReportInput } from './html.js';
import { DISENTANGLEMENT_FILE } from './disentangle.js';
import { FIDELITY_FILE, readFidelityRecord } from './fidelity.js';

/** The run folder's list of figures (figures.json), so `report` and later commands can rebuild report.html. */
const MANIFEST = 'figures.json';

function readManifest(runDir: string): ReportFigure[] {
  const file = path.join(runDir, MANIFEST);
  if (!existsSync(file)) return [];
  try {
    const list = JSON.parse(readFileSync(file, 'utf8')) as ReportFigure[];
    return Array.isArray(list) ? list : [];
  } catch {
    return []; // a damaged manifest only loses the list; the figures are rebuilt by the next write
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** metrics.jsonl as a history (lines that do not parse are skipped). */
export function readHistory(runDir: string): ReportInput['history'] {
  const file = path.join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

/**
 * Writes each figure's files atomically into `runDir`, records them in figures.json (replacing figures of the same id)
 * and returns the paths written.
 */
export function writeFigures(runDir: string, figures: Figure[]): string[] {
  const written: string[] = [];
  for (const f of figures) {
    for (const file of f.files) {
      const target = path.join(runDir, file.file);
      writeFileAtomic(target, file.bytes);
      written.push(target);
    }
  }
  // A redrawn figure keeps its place in the report; a new one goes at the end.
  const entries = readManifest(runDir);
  for (const f of figures) {
    const svg = f.files.find((x) => x.file.endsWith('.svg'))?.bytes;
    const width = typeof svg === 'string' ? Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]) || undefined : undefined;
    const entry = { id: f.id, title: f.title, caption: f.caption, image: f.files[0].file, others: f.files.slice(1).map((x) => x.file), ...(width ? { width } : {}) };
    const at = entries.findIndex((e) => e.id === f.id);
    if (at >= 0) entries[at] = entry;
    else entries.push(entry);
  }
  writeFileAtomic(path.join(runDir, MANIFEST), JSON.stringify(entries, null, 2) + '\n');
  return written;
}

/**
 * Rebuilds report.html from config.json, metrics.jsonl and the figures recorded in figures.json that exist on disk.
 *
 * @example
 * const file = writeReport('runs/roll'); // 'runs/roll/report.html'
 */
export function writeReport(runDir: string): string {
  const config = readJson(path.join(runDir, 'config.json')) as { model?: LossModel } | undefined;
  const figures = readManifest(runDir)
    .filter((f) => existsSync(path.join(runDir, f.image)))
    .map((f) => ({ ...f, others: (f.others ?? []).filter((o) => existsSync(path.join(runDir, o))) }));
  const file = path.join(runDir, 'report.html');
  const disentanglement = readJson(path.join(runDir, DISENTANGLEMENT_FILE)) as { data?: string; rows?: { metric: string; value: number; settings: string }[] } | undefined;
  const section = disentanglement?.data !== undefined && Array.isArray(disentanglement.rows) ? { data: disentanglement.data, rows: disentanglement.rows } : undefined;
  const fidelity = readFidelityRecord(readJson(path.join(runDir, FIDELITY_FILE)));
  writeFileAtomic(file, reportHtml({ title: path.basename(path.resolve(runDir)), config, history: readHistory(runDir), figures, loss: lossNames(config?.model), generated: new Date().toISOString(), disentanglement: section, fidelity }));
  return file;
}

/** After an epoch: the loss curve so far and the report. Returns the paths written. */
export function writeLossCurve(runDir: string, history: EpochTerms[], modelConfig: LossModel): string[] {
  const written = writeFigures(runDir, [lossFigure(history, modelConfig)]);
  return [...written, writeReport(runDir)];
}

/**
 * At the end of training: every figure that applies to the model and its data, then report.html.
 *
 * @example
 * writeRunFigures({ runDir, model, dataset, history, modelConfig: config.model, seed: config.train.seed, onDrawing: (n) => console.error(`drawing ${n} figures`) });
 */
export function writeRunFigures(opts: {
  runDir: string;
  model: Model;
  dataset: Dataset;
  history: EpochTerms[];
  modelConfig: LossModel;
  seed?: number;
  method?: ProjectionMethod;
  /** Told how many figures are about to be drawn, before the drawing (which takes seconds) starts. */
  onDrawing?: (count: number) => void;
  /** Told of each figure as its drawing starts, and of a slow figure's own progress. */
  onFigure?: FigureProgress;
}): string[] {
  const plan = planRunFigures(opts);
  opts.onDrawing?.(plan.length);
  const written = writeFigures(opts.runDir, drawFigures(plan, opts.onFigure));
  return [...written, writeReport(opts.runDir)];
}
