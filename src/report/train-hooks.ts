/** The figure side of `vaekit train`: the loss curve after each epoch and every figure at the end, never failing the run. */
import path from 'node:path';
import type { Dataset } from '../data/index.js';
import type { LossModel, Model } from '../models/index.js';
import type { EpochTerms } from '../figures/index.js';
import type { FigureProgress } from './figures.js';
import { readHistory, writeLossCurve, writeRunFigures } from './run.js';

/**
 * Hooks for the training loop. A figure that cannot be drawn is reported through `notice` and skipped: the trained
 * model and its metrics matter more than a picture.
 *
 * @example
 * const figures = figureHooks({ runDir, modelConfig: config.model, seed: config.train.seed, notice: out.info, status: progress.status, onFigure: progress.figure });
 * await train({ ..., onEpoch: (m) => { progress.onEpoch(m); figures.onEpoch(); } });
 * figures.atEnd(result.model, dataset, result.history);
 */
export function figureHooks({ runDir, modelConfig, seed, notice, status, onFigure }: { runDir: string; modelConfig: LossModel; seed: number; notice: (line: string) => void; status?: (line: string) => void; onFigure?: FigureProgress }) {
  const guarded = (what: string, fn: () => string[]): string[] => {
    try {
      return fn();
    } catch (err) {
      notice(`notice: could not write the ${what} (${(err as Error).message}); the run itself is complete`);
      return [];
    }
  };
  return {
    /** After an epoch (metrics.jsonl already holds it): loss.png, loss.svg and report.html. */
    onEpoch(): string[] {
      return guarded('loss curve', () => writeLossCurve(runDir, readHistory(runDir), modelConfig));
    },
    /** After training: every figure that applies, then report.html; prints where the report is. */
    atEnd(model: Model, dataset: Dataset, history: EpochTerms[]): string[] {
      const onDrawing = (n: number) => status?.(`drawing ${n} figures and the report…`);
      const files = guarded('figures', () => writeRunFigures({ runDir, model, dataset, history, modelConfig, seed, onDrawing, onFigure }));
      if (files.length > 0) notice(`report: ${path.join(runDir, 'report.html')} (${files.filter((f) => f.endsWith('.png')).length} figures)`);
      return files;
    },
  };
}
