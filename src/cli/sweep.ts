/** `vaekit sweep`: train a grid over one or two config keys into one sweep folder, then write its compare page. */
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, DEFAULT_PRESET } from '../config/index.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { compareRuns } from '../report/compare.js';
import { gridPoints, parseOver, type Axis, type GridPoint } from '../sweep/grid.js';
import { findSweepPreset, SWEEP_PRESETS } from '../sweep/presets.js';
import { runSweep, type SweepRunResult } from '../sweep/run.js';
import { startBackend } from './common.js';
import { fmt, makeOutput, type Output } from './output.js';
import { integer, number, oneOf, positiveInt } from './parse.js';
import { configLayers, type TrainFlags } from './train-flags.js';
import type { Progress } from '../train/index.js';

interface SweepFlags {
  preset?: string;
  config?: string;
  data?: string;
  limit?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  backend?: (typeof BACKEND_OPTIONS)[number];
  over: Axis[];
  out?: string;
  compare: boolean;
  json?: boolean;
  memoryBudget?: number;
}

/** "1m 05s" or "42 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s} s`;
}

/** `model.kind=vae, model.latent=8`. */
const valuesText = (p: { values: Record<string, unknown> }) => Object.entries(p.values).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');

/**
 * The sweep's one progress line: on a terminal, a line on stderr redrawn in place (run, epoch, batch, share done and
 * the ETA from this call's pace); otherwise one line per finished run with the ETA.
 */
function sweepProgress(out: Output, points: GridPoint[]) {
  const tty = process.stderr.isTTY === true;
  const epochsOf = points.map((p) => p.config.train.epochs);
  const total = epochsOf.reduce((a, b) => a + b, 0);
  const done = points.map(() => 0);
  let trained = 0; // whole epochs trained by this call
  let current = 0;
  let partial = 0;
  const t0 = performance.now();
  let lastDraw = 0;
  let runStarted = 0;
  const eta = () => {
    const doneNow = done.reduce((a, b) => a + b, 0) + partial;
    const worked = trained + partial;
    const seconds = (performance.now() - t0) / 1000;
    return { share: doneNow / total, eta: worked > 0 ? (seconds / worked) * (total - doneNow) : NaN };
  };
  const draw = (p?: Progress) => {
    if (!tty) return;
    const now = performance.now();
    if (p && now - lastDraw < 200) return;
    lastDraw = now;
    const { share, eta: left } = eta();
    const where = p ? `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}` : 'starting';
    process.stderr.write(`\r\x1b[Ksweep run ${current + 1}/${points.length} (${valuesText(points[current])})  ${where}  ${Math.floor(share * 100)}%  ETA ${duration(left)}`);
  };
  const clear = () => tty && process.stderr.write('\r\x1b[K');
  return {
    onRunStart(index: number, point: GridPoint, epochsDone: number) {
      current = index;
      runStarted = performance.now();
      done[index] = Math.min(epochsDone, epochsOf[index]);
      partial = 0;
      if (epochsDone > 0 && epochsDone < epochsOf[index]) {
        clear();
        out.info(`run ${index + 1}/${points.length} ${point.name}: continuing from epoch ${epochsDone}`);
      }
      draw();
    },
    onProgress(index: number, p: Progress) {
      partial = p.batch / p.batches;
      draw(p);
    },
    onEpoch(index: number, m: { epoch: number }) {
      trained += m.epoch - done[index];
      done[index] = m.epoch;
      partial = 0;
    },
    onRunEnd(index: number, r: SweepRunResult) {
      done[index] = epochsOf[index];
      partial = 0;
      clear();
      const t = r.test;
      const result = t ? `test ${fmt(t.loss)} (rec ${fmt(t.reconstruction)}, kl ${fmt(t.kl)})` : 'no epochs';
      const trained = r.epochsRun === 0 ? 'already trained' : `${r.epochsRun} epoch${r.epochsRun === 1 ? '' : 's'}`;
      const left = index + 1 < points.length ? `  sweep ETA ${duration(eta().eta)}` : '';
      out.info(`run ${index + 1}/${points.length} ${r.name}: ${result}  [${trained}, ${duration((performance.now() - runStarted) / 1000)}]${left}`);
    },
    notice(line: string) {
      if (line.startsWith('report: ')) return; // each run's report.html: the compare page links the runs instead
      clear();
      out.info(line);
    },
    stop: clear,
  };
}

/** The flags and axes a sweep runs with: a sweep preset's, with the command line's over them. */
function sweepSetup(flags: SweepFlags): { trainFlags: TrainFlags; axes: Axis[]; name: string } {
  const sweepPreset = flags.preset ? findSweepPreset(flags.preset) : undefined;
  const trainFlags: TrainFlags = {
    preset: sweepPreset ? sweepPreset.preset : flags.preset,
    config: flags.config,
    data: flags.data,
    limit: flags.limit ?? sweepPreset?.limit,
    epochs: flags.epochs ?? sweepPreset?.epochs,
    batchSize: flags.batchSize,
    lr: flags.lr,
    seed: flags.seed,
    backend: flags.backend,
  };
  const axes = flags.over.length > 0 ? flags.over : (sweepPreset?.over ?? []);
  if (axes.length === 0) throw new UsageError(`--over: no axis given; expected --over KEY=V1,V2,... (once or twice), or a sweep preset: --preset ${SWEEP_PRESETS.map((p) => p.name).join(' | ')}`);
  const name = sweepPreset ? sweepPreset.name : `sweep-${flags.preset ?? DEFAULT_PRESET}-${axes.map((a) => a.key.split('.').at(-1)).join('-')}`;
  return { trainFlags, axes, name };
}

async function runSweepCommand(flags: SweepFlags): Promise<void> {
  const started = performance.now();
  const out = makeOutput(flags.json === true);
  const { trainFlags, axes, name } = sweepSetup(flags);
  // Every grid point is resolved and checked by the schema here, before any data is loaded or any run trains.
  const points = gridPoints(axes, { layers: (kind) => configLayers({ ...trainFlags, model: kind as TrainFlags['model'] }) });
  const dir = flags.out ?? path.join('runs', name);
  const backend = await startBackend(flags.backend ?? points[0].config.backend, out);
  out.info(`sweep: ${dir} (${points.length} runs over ${axes.map((a) => a.key).join(' x ')})`);
  const progress = sweepProgress(out, points);
  let result;
  try {
    result = await runSweep({ dir, axes, points, backend, memoryBudget: flags.memoryBudget, ...progress, onNotice: progress.notice });
  } finally {
    progress.stop();
  }
  let compare: string | null = null;
  if (flags.compare && result.runs.length >= 2) {
    process.stderr.write('drawing the compare page…\n');
    const page = compareRuns({ runs: [dir], force: true }); // a sweep over data.* keys says so on its page
    compare = path.join(dir, 'compare.html');
    writeFileAtomic(compare, page.html);
    writeFileAtomic(path.join(dir, 'compare.json'), JSON.stringify(page.comparison, null, 2) + '\n');
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    sweep: dir,
    axes,
    backend,
    runs: result.runs.map((r) => ({ name: r.name, dir: r.dir, values: r.values, epochs: r.epochs, train: r.train, test: r.test, samplesPerSecond: r.samplesPerSecond })),
    compare,
    seconds: Number(seconds.toFixed(2)),
  };
  out.result(summary, () => {
    if (compare) out.info(`compare: ${compare}`);
    out.info(`done: ${dir}, ${result.runs.length} runs in ${duration(seconds)}`);
  });
}

/** Registers `vaekit sweep`. */
export function registerSweep(program: Command): void {
  const presets = SWEEP_PRESETS.map((p) => `  ${p.name}: ${p.description}`).join('\n');
  program
    .command('sweep')
    .description('train a grid over one or two config keys, each run a run folder under one sweep folder; rerun to continue a stopped sweep')
    .option('--preset <name>', `a sweep preset (below), or a run preset every run starts from (default ${DEFAULT_PRESET})`)
    .option('--over <key=values>', 'an axis: a config key and its values, e.g. model.latent=2,4,8 or model.kind=autoencoder,vae (once or twice)', (v: string, prev: Axis[] | undefined) => [...(prev ?? []), parseOver(v)], [] as Axis[])
    .option('--config <file>', 'a JSON config file, merged over the preset')
    .option('--data <name>', 'the data every run trains on')
    .option('--limit <n>', 'use only the first n training examples', positiveInt('--limit'))
    .option('--epochs <n>', 'epochs of every run', positiveInt('--epochs'))
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'))
    .option('--lr <x>', 'Adam learning rate', number('--lr', { min: 0, exclusiveMin: true, what: 'a learning rate > 0' }))
    .option('--seed <n>', 'random seed of every run', integer('--seed'))
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--out <dir>', 'the sweep folder (default runs/<sweep preset>, or runs/sweep-<preset>-<keys>); the same --out continues a stopped sweep')
    .option('--no-compare', 'skip the compare page (compare.html) at the end')
    .option('--json', 'print one JSON object { sweep, axes, backend, runs, compare, seconds }')
    .addHelpText('after', `\nSweep presets:\n${presets}`)
    .action(runSweepCommand);
}
