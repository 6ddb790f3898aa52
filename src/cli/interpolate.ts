/** `vaekit interpolate RUN --from I --to J`: decoded codes between two test examples, linear or spherical. */
import type { Command } from 'commander';
import { interpolationFigure } from '../report/index.js';
import { UsageError } from '../errors.js';
import { positiveInt } from './parse.js';
import { figureOptions, index, runFigureCommand, type FigureFlags } from './report.js';

/** Registers `vaekit interpolate`. */
export function registerInterpolate(program: Command): void {
  figureOptions(
    program
      .command('interpolate')
      .description('decode codes between the means of two test examples: writes interpolate-I-J.png')
      .argument('<run>', 'run folder')
      .requiredOption('--from <i>', 'a test example index', index('--from'))
      .requiredOption('--to <j>', 'a test example index', index('--to'))
      .option('--steps <n>', 'number of codes, endpoints included (default 10)', positiveInt('--steps'))
      .option('--slerp', 'spherical interpolation (default linear)'),
  ).action((run: string, flags: FigureFlags & { from: number; to: number; steps?: number; slerp?: boolean }) => {
    if (flags.steps !== undefined && flags.steps < 2) throw new UsageError(`--steps: ${flags.steps} is out of range; expected at least 2 (both endpoints)`);
    return runFigureCommand(run, flags, ({ model, dataset }) =>
      interpolationFigure(model, dataset, { from: flags.from, to: flags.to, steps: flags.steps, method: flags.slerp ? 'slerp' : 'lerp' }),
    );
  });
}
