/** `vaekit sample RUN`: decoded draws from the prior (an image grid, or the data beside the samples). */
import type { Command } from 'commander';
import { samplesFigure } from '../report/index.js';
import { index, integer, positiveInt } from './parse.js';
import { figureOptions, runFigureCommand, type FigureFlags } from './report.js';

/** Registers `vaekit sample`. */
export function registerSample(program: Command): void {
  figureOptions(
    program
      .command('sample')
      .description('decode draws z ~ N(0, I) from the prior: writes samples.png')
      .argument('<run>', 'run folder')
      .option('--n <n>', 'number of samples (default 64 images, 2000 points)', positiveInt('--n', { max: 100_000 }))
      .option('--seed <n>', 'random seed (default: the run seed)', integer('--seed'))
      .option('--label <k>', 'conditional VAE: draw every sample as class k (default: sample i as class i mod classes)', index('--label')),
  ).action((run: string, flags: FigureFlags & { n?: number; seed?: number; label?: number }) =>
    runFigureCommand(run, flags, ({ model, dataset, config }) => samplesFigure(model, dataset, { n: flags.n, seed: flags.seed ?? config.train.seed, label: flags.label })),
  );
}
