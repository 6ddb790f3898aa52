/** `vaekit reconstruct RUN`: seeds 000 and 002's figure of originals, reconstructions and a transition. */
import type { Command } from 'commander';
import { reconstructionFigure } from '../report/index.js';
import { positiveInt } from './parse.js';
import { figureOptions, index, runFigureCommand, type FigureFlags } from './report.js';

/** Registers `vaekit reconstruct`. */
export function registerReconstruct(program: Command): void {
  figureOptions(
    program
      .command('reconstruct')
      .description('test examples, their reconstructions and a transition between two of them: writes reconstructions.png')
      .argument('<run>', 'run folder')
      .option('--n <n>', 'number of test images (default 10)', positiveInt('--n'))
      .option('--from <i>', 'transition start: a test example index (default 0)', index('--from'))
      .option('--to <j>', 'transition end: a test example index (default 1)', index('--to'))
      .option('--steps <n>', 'transition steps, endpoints included (default 10)', positiveInt('--steps')),
  ).action((run: string, flags: FigureFlags & { n?: number; from?: number; to?: number; steps?: number }) =>
    runFigureCommand(run, flags, ({ model, dataset }) => reconstructionFigure(model, dataset, { n: flags.n, from: flags.from, to: flags.to, steps: flags.steps })),
  );
}
