/** Runs a sweep's grid one run after another in this process, each a normal run folder; a rerun continues where it stopped. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveConfig, type RunConfig } from '../config/index.js';
import { loadDataset, type Dataset } from '../data/index.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { lockRun } from '../io/lock.js';
import { figureHooks, writeRunFigures } from '../report/index.js';
import { latestCheckpointEpoch, train, type EpochMetrics, type Progress, type Terms } from '../train/index.js';
import type { Axis, GridPoint, Value } from './grid.js';

/** The file that makes a folder a sweep: its axes and runs, so a rerun can check it continues the same sweep. */
export const SWEEP_FILE = 'sweep.json';

/** sweep.json. */
export interface SweepRecord {
  kind: 'vaekit-sweep';
  axes: Axis[];
  runs: { name: string; values: Record<string, Value>; config: RunConfig }[];
}

/** One finished run of a sweep. */
export interface SweepRunResult {
  name: string;
  dir: string;
  values: Record<string, Value>;
  epochs: number;
  train?: Terms;
  test?: Terms;
  samplesPerSecond?: number;
  /** Epochs this call trained (0: the run was complete already). */
  epochsRun: number;
}

/** What the sweep tells its caller as it goes (the CLI draws the progress line from these). */
export interface SweepEvents {
  /** Run `index` (0-based) starts; `epochsDone` of its epochs were trained before. */
  onRunStart?: (index: number, point: GridPoint, epochsDone: number) => void;
  onProgress?: (index: number, p: Progress) => void;
  onEpoch?: (index: number, m: EpochMetrics) => void;
  onRunEnd?: (index: number, result: SweepRunResult) => void;
  onNotice?: (line: string) => void;
}

export interface SweepOptions extends SweepEvents {
  dir: string;
  axes: Axis[];
  points: GridPoint[];
  backend: string;
  memoryBudget?: number;
  /** Asked after every epoch of every run (its checkpoint written): true stops the sweep there, as a kill would. */
  shouldStop?: (index: number, m: EpochMetrics) => boolean;
}

export interface SweepResult {
  dir: string;
  runs: SweepRunResult[];
  /** True when `shouldStop` ended the sweep early. */
  stopped: boolean;
}

/**
 * A run's end-of-training figures and report, as train draws them but with PCA latent maps (UMAP takes seconds per
 * run, and the compare page maps every run by PCA). A figure that fails is a notice: the run itself is complete.
 */
function endFigures(runDir: string, result: Awaited<ReturnType<typeof train>>, dataset: Dataset, config: RunConfig, notice?: (line: string) => void): void {
  try {
    writeRunFigures({ runDir, model: result.model, dataset, history: result.history, modelConfig: config.model, seed: config.train.seed, method: 'pca' });
  } catch (err) {
    notice?.(`notice: could not write the figures of ${runDir} (${(err as Error).message}); the run itself is complete`);
  }
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Writes sweep.json, or checks that the folder's sweep.json is this sweep (same axes and configs): a rerun continues
 * a sweep, it never mixes two.
 */
function claimFolder(dir: string, record: SweepRecord): void {
  const file = path.join(dir, SWEEP_FILE);
  if (existsSync(file)) {
    let old: SweepRecord | undefined;
    try {
      old = JSON.parse(readFileSync(file, 'utf8')) as SweepRecord;
    } catch {
      old = undefined;
    }
    const differs = !old || !sameJson(old.axes, record.axes) || old.runs.length !== record.runs.length || old.runs.some((r, i) => r.name !== record.runs[i].name || !sameJson(r.config, record.runs[i].config));
    if (differs) throw new UsageError(`--out ${dir}: the folder holds a different sweep (its ${SWEEP_FILE} has other axes or configs); rerun that sweep's command to continue it, or choose another --out`);
    return;
  }
  if (existsSync(dir) && !existsSync(path.join(dir, SWEEP_FILE))) {
    if (existsSync(path.join(dir, 'config.json'))) throw new UsageError(`--out ${dir}: the folder holds a run, not a sweep; choose another --out`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n');
}

/** Epochs already in a run folder: those of its latest checkpoint (what --resume continues from). */
export function epochsDone(runDir: string): number {
  return latestCheckpointEpoch(runDir) ?? 0;
}

/** Reads sweep.json of a sweep folder, or undefined when `dir` is not one. */
export function readSweep(dir: string): SweepRecord | undefined {
  const file = path.join(dir, SWEEP_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as SweepRecord;
    return record.kind === 'vaekit-sweep' ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Trains every grid point into `dir/<name>/` one after another. A run whose latest checkpoint holds all its epochs is
 * skipped, a run with a checkpoint continues from it (train's resume: the same metrics as an uninterrupted run), and
 * a run without one starts afresh; so a sweep killed at any point and run again ends as an uninterrupted one.
 *
 * @example
 * const { runs } = await runSweep({ dir: 'runs/latent', axes, points, backend: 'native' });
 */
export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const { dir, points } = opts;
  claimFolder(dir, { kind: 'vaekit-sweep', axes: opts.axes, runs: points.map((p) => ({ name: p.name, values: p.values, config: p.config })) });
  const datasets = new Map<string, Dataset>();
  const datasetOf = (config: RunConfig): Dataset => {
    const key = JSON.stringify([config.data, config.train.seed]);
    if (!datasets.has(key)) datasets.set(key, loadDataset({ ...config.data, seed: config.train.seed, memoryBudget: opts.memoryBudget }));
    return datasets.get(key)!;
  };
  const runs: SweepRunResult[] = [];
  for (const [index, point] of points.entries()) {
    const runDir = path.join(dir, point.name);
    const before = epochsDone(runDir);
    opts.onRunStart?.(index, point, before);
    const dataset = datasetOf(point.config);
    // A run with a checkpoint continues with the config it recorded; a fresh one is fitted to its data first.
    const resume = before > 0;
    const config = resume ? point.config : resolveConfig({ ...point.layers, dataset, onNotice: opts.onNotice });
    const runConfig = resume ? (JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')) as RunConfig) : config;
    mkdirSync(runDir, { recursive: true });
    const release = lockRun(runDir);
    let stopped = false;
    try {
      const figures = figureHooks({ runDir, modelConfig: runConfig.model, seed: runConfig.train.seed, notice: opts.onNotice ?? (() => {}) });
      const result = await train({
        config: { ...runConfig, train: { ...runConfig.train, epochs: point.config.train.epochs } },
        dataset,
        runDir,
        backend: opts.backend,
        resume,
        onProgress: (p) => opts.onProgress?.(index, p),
        onEpoch: (m) => {
          figures.onEpoch();
          opts.onEpoch?.(index, m);
        },
        shouldStop: (m) => (stopped = opts.shouldStop?.(index, m) ?? false),
      });
      try {
        if (stopped) return { dir, runs, stopped: true };
        // The end-of-run figures, unless an earlier call drew them for this very model already.
        if (result.epochsRun > 0 || !existsSync(path.join(runDir, 'samples.png'))) endFigures(runDir, result, dataset, runConfig, opts.onNotice);
      } finally {
        result.model.dispose();
      }
      const last = result.history.at(-1);
      const done: SweepRunResult = { name: point.name, dir: runDir, values: point.values, epochs: last?.epoch ?? 0, train: last?.train, test: last?.test, samplesPerSecond: last?.samplesPerSecond, epochsRun: result.epochsRun };
      runs.push(done);
      opts.onRunEnd?.(index, done);
    } finally {
      release();
    }
  }
  return { dir, runs, stopped: false };
}
