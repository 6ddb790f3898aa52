/** Progress on a terminal: training's bar with ETA, long steps' bars and lines; one plain line per epoch otherwise. */
import cliProgress from 'cli-progress';
import type { EpochMetrics, Progress } from '../train/index.js';
import { fmt, type Output } from './output.js';
import type { FigureProgress } from '../report/index.js';
import type { StepProgress } from '../latent/index.js';

/** Where progress goes: a stream and whether it is a terminal. Commands use stderr; tests pass a fake terminal. */
export interface ProgressTarget {
  stream: NodeJS.WritableStream;
  tty: boolean;
}

/** stderr, a terminal or not: progress never goes to stdout, so --json's stdout stays one JSON object. */
export const stderrTarget = (): ProgressTarget => ({ stream: process.stderr, tty: process.stderr.isTTY === true });

/** A long step's bar: count, percentage and ETA, redrawn by `update` and erased by `stop`. */
export interface StepBar {
  /** `done` of `total` units; `what` says which part of the step is running. */
  update(done: number, total: number, what?: string): void;
  stop(): void;
}

/**
 * A bar for a step that takes seconds (t-SNE iterations, importance samples, figures), on a terminal only: elsewhere
 * (a log file, a pipe, CI) it prints nothing, so captured output holds only the command's ordinary lines.
 *
 * @example
 * const bar = stepBar('t-SNE, 2000 points'); for (...) bar.update(i, 500, 'iterations'); bar.stop();
 */
export function stepBar(label: string, target: ProgressTarget = stderrTarget()): StepBar {
  if (!target.tty) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let shown = '';
  return {
    update(done, total, what = '') {
      if (!bar) {
        shown = what;
        bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {percentage}% | ETA {eta_formatted} | {what}`, stream: target.stream, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done, { what });
      }
      if (bar.getTotal() !== total) bar.setTotal(total);
      bar.update(done, { what });
      // cli-progress redraws an update at most every 200 ms, and a synchronous step draws nothing in between: a new
      // phase ('neighbour search' after the figure's start) is drawn at once, so a slow phase is never shown as the last.
      if (what !== shown) {
        shown = what;
        bar.render();
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** A step's phase and count for a progress line: 'epochs 120/500', or 'neighbours…' for a phase that has no count. */
const phaseText = ({ phase, done, total }: StepProgress) => (total > 1 ? `${phase} ${done}/${total}` : `${phase}…`);

/**
 * A projection's progress: a line for a phase without a count (the neighbour graph, the affinities), then a bar with
 * ETA over the iterations, started afresh so that its ETA counts the iterations only.
 */
export function projectionProgress(label: string, target: ProgressTarget = stderrTarget()): { onProgress: (p: StepProgress) => void; stop: () => void } {
  const bar = stepBar(label, target);
  let line: { done(): void } | undefined;
  let phase = '';
  return {
    onProgress(p) {
      if (p.phase !== phase) {
        line?.done();
        line = undefined;
        bar.stop();
        phase = p.phase;
        if (p.total <= 1) line = stepLine(`${label}: ${p.phase}`, { target });
      }
      if (p.total > 1) bar.update(p.done, p.total, phaseText(p));
    },
    stop() {
      line?.done();
      bar.stop();
    },
  };
}

/**
 * The figures at the end of training as one bar: figure i of n, and within a slow figure its own count, so the bar
 * moves while a UMAP map is laid out.
 */
function figureProgress(target: ProgressTarget): FigureProgress & { stop(): void } {
  const bar = stepBar('drawing figures', target);
  const onFigure: FigureProgress = ({ index, count, name, step }) => {
    const within = step?.fraction ?? (step && step.total > 0 ? step.done / step.total : 0);
    bar.update(Math.round((index + within) * 100), count * 100, `${index + 1}/${count} ${name}${step ? `: ${phaseText(step)}` : ''}`);
    if (index === count) bar.stop();
  };
  return Object.assign(onFigure, { stop: () => bar.stop() });
}

/**
 * A line saying what is happening during a silent step (loading data, building the lab page), on a terminal only,
 * erased when the step ends; with `tick`, the elapsed seconds count up while the step awaits something.
 *
 * @example
 * const line = stepLine('loading mnist'); const ds = load(); line.done();
 */
export function stepLine(text: string, { tick = false, target = stderrTarget() }: { tick?: boolean; target?: ProgressTarget } = {}): { done(): void } {
  if (!target.tty) return { done() {} };
  const started = performance.now();
  const draw = () => target.stream.write(`\r\x1b[K${text}…${tick ? ` ${((performance.now() - started) / 1000).toFixed(0)} s` : ''}`);
  draw();
  const timer = tick ? setInterval(draw, 1000) : undefined;
  timer?.unref();
  return {
    done() {
      clearInterval(timer);
      target.stream.write('\r\x1b[K');
    },
  };
}

/** One human line per epoch. */
export function epochLine(m: EpochMetrics, epochs: number): string {
  const t = (x: EpochMetrics['train']) => `${fmt(x.loss)} (rec ${fmt(x.reconstruction)}, kl ${fmt(x.kl)})`;
  return `epoch ${m.epoch}/${epochs}  train ${t(m.train)}  test ${t(m.test)}  ${Math.round(m.samplesPerSecond)} samples/s  ${m.epochSeconds.toFixed(1)} s`;
}

/**
 * Progress reporting for `train`: a cli-progress bar on stderr when it is a terminal; epoch lines always.
 *
 * @example
 * const p = makeProgress(out); train({ ..., onProgress: p.onProgress, onEpoch: p.onEpoch }); p.stop();
 */
export function makeProgress(out: Output, epochs: number, target: ProgressTarget = stderrTarget()) {
  const { tty, stream } = target;
  let bar: cliProgress.SingleBar | undefined;
  let barEpoch = -1;
  const figure = figureProgress(target);
  return {
    onProgress(p: Progress) {
      if (!tty) return;
      if (p.epoch !== barEpoch) {
        bar?.stop();
        bar = new cliProgress.SingleBar(
          { format: `epoch ${p.epoch}/${p.epochs} [{bar}] {percentage}% | ETA {eta_formatted} | loss {loss}`, stream, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.batches, 0, { loss: '-' });
        barEpoch = p.epoch;
      }
      bar?.update(p.batch, { loss: fmt(p.loss) });
    },
    onEpoch(m: EpochMetrics) {
      bar?.stop();
      bar = undefined;
      barEpoch = -1;
      out.info(epochLine(m, epochs));
    },
    /** A line about work between epochs and the result (drawing the figures): on stderr, so never in --json's stdout. */
    status(line: string) {
      stream.write(line + '\n');
    },
    /** The figure being drawn and how far its slow part (a t-SNE or UMAP map) has got: a bar on a terminal. */
    figure: figure as FigureProgress,
    stop() {
      bar?.stop();
      figure.stop();
    },
  };
}

/**
 * Runs a synchronous step of seconds with a line saying what it is on a terminal, erased when it ends or throws.
 *
 * @example
 * const ds = during('loading mnist', () => loadDataset(opts));
 */
export function during<T>(text: string, step: () => T, target: ProgressTarget = stderrTarget()): T {
  const line = stepLine(text, { target });
  try {
    return step();
  } finally {
    line.done();
  }
}
