/** `vaekit reconstruct RUN`: seeds 000 and 002's figure of originals, reconstructions and a transition. */
import type { Command } from 'commander';
import { reconstructionFigure } from '../report/index.js';
import { index, positiveInt } from './parse.js';
import { figureOptions, runFigureCommand, type FigureFlags } from './report.js';
import { STEPS_MAX, checkSteps } from './interpolate.js';
import { reconstructExamples, wantsExamples } from './examples-out.js';
import { EXAMPLES_OUT_HELP } from './sample.js';

/** Registers `vaekit reconstruct`. */
export function registerReconstruct(program: Command): void {
  figureOptions(
    program
      .command('reconstruct')
      .description('test examples, their reconstructions and a transition between two of them: writes reconstructions.png. A conditional VAE reconstructs each example with its own label')
      .argument('<run>', 'run folder')
      .option('--n <n>', 'number of test images (default 10; --out FILE.csv|.npy: the whole test split)', positiveInt('--n', { max: 100_000 }))
      .option('--from <i>', 'transition start: a test example index (default 0)', index('--from'))
      .option('--to <j>', 'transition end: a test example index (default 1)', index('--to'))
      .option('--steps <n>', 'transition steps, endpoints included (default 10)', positiveInt('--steps', { max: STEPS_MAX }))
      .option('--label <k>', 'conditional VAE: decode the transition as class k (default: the class of test example --from)', index('--label')),
  )
    .addHelpText('after', EXAMPLES_OUT_HELP)
    .action((run: string, flags: FigureFlags & { n?: number; from?: number; to?: number; steps?: number; label?: number }) => {
      if (wantsExamples(flags)) return reconstructExamples(run, flags);
      checkSteps(flags.steps);
      return runFigureCommand(run, flags, ({ model, dataset }) => reconstructionFigure(model, dataset, { n: flags.n, from: flags.from, to: flags.to, steps: flags.steps, label: flags.label }));
    });
}
