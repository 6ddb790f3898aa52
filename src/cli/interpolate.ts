/** `vaekit interpolate RUN --from I --to J`: decoded codes between two test examples, linear or spherical. */
import type { Command } from 'commander';
import { interpolationFigure } from '../report/index.js';
import { UsageError } from '../errors.js';
import { index, positiveInt } from './parse.js';
import { figureOptions, runFigureCommand, type FigureFlags } from './report.js';

/** The most codes on a path: one row of images in a figure. */
export const STEPS_MAX = 1000;

/** A path has both endpoints, so at least 2 steps. */
export function checkSteps(steps: number | undefined): void {
  if (steps !== undefined && steps < 2) throw new UsageError(`--steps: ${steps} is out of range; expected at least 2 (both endpoints)`);
}

/** Registers `vaekit interpolate`. */
export function registerInterpolate(program: Command): void {
  figureOptions(
    program
      .command('interpolate')
      .description('decode codes between the means of two test examples: writes interpolate-I-J.png. A conditional VAE encodes each example with its own label and decodes the path as one class')
      .argument('<run>', 'run folder')
      .requiredOption('--from <i>', 'a test example index', index('--from'))
      .requiredOption('--to <j>', 'a test example index', index('--to'))
      .option('--steps <n>', 'number of codes, endpoints included (default 10)', positiveInt('--steps', { max: STEPS_MAX }))
      .option('--slerp', 'spherical interpolation (default linear)')
      .option('--label <k>', 'conditional VAE: decode the path as class k (default: the class of test example --from)', index('--label')),
  ).action((run: string, flags: FigureFlags & { from: number; to: number; steps?: number; slerp?: boolean; label?: number }) => {
    checkSteps(flags.steps);
    return runFigureCommand(run, flags, ({ model, dataset }) =>
      interpolationFigure(model, dataset, { from: flags.from, to: flags.to, steps: flags.steps, method: flags.slerp ? 'slerp' : 'lerp', label: flags.label }),
    );
  });
}
