/** Training progress: a bar with ETA on a terminal, one plain line per epoch otherwise. */
import cliProgress from 'cli-progress';
import type { EpochMetrics, Progress } from '../train/index.js';
import { fmt, type Output } from './output.js';

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
export function makeProgress(out: Output, epochs: number) {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let barEpoch = -1;
  return {
    onProgress(p: Progress) {
      if (!tty) return;
      if (p.epoch !== barEpoch) {
        bar?.stop();
        bar = new cliProgress.SingleBar(
          { format: `epoch ${p.epoch}/${p.epochs} [{bar}] {percentage}% | ETA {eta_formatted} | loss {loss}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
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
      process.stderr.write(line + '\n');
    },
    stop() {
      bar?.stop();
    },
  };
}
