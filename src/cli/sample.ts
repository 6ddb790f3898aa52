/** `vaekit sample RUN`: decoded draws from the prior (an image grid, or the data beside the samples). */
import type { Command } from 'commander';
import { samplesFigure } from '../report/index.js';
import { index, integer, positiveInt } from './parse.js';
import { figureOptions, runFigureCommand, type FigureFlags } from './report.js';
import { sampleExamples, wantsExamples } from './examples-out.js';
import { UsageError } from '../errors.js';

/** How --out FILE.csv|.npy writes data, for --help. */
export const EXAMPLES_OUT_HELP = `
--out FILE.csv or FILE.npy writes examples as data instead of a figure, in the training data's units (the saved
preprocessing undone): CSV with the training file's column names and category labels (a conditional model adds a
label column); NPY float32 [n, ...input shape], or [n, columns] with each categorical column as its category index.`;

/** Registers `vaekit sample`. */
export function registerSample(program: Command): void {
  figureOptions(
    program
      .command('sample')
      .description('decode draws z ~ N(0, I) from the prior: writes samples.png')
      .argument('<run>', 'run folder')
      .option('--n <n>', 'number of samples (default 64 images, 2000 points; --out FILE.csv|.npy: 1000)', positiveInt('--n', { max: 100_000 }))
      .option('--seed <n>', 'random seed (default: the run seed)', integer('--seed'))
      .option('--label <k>', 'conditional VAE: draw every sample as class k (default: sample i as class i mod classes)', index('--label'))
      .option('--mean', '--out FILE.csv|.npy: write the decoded means (category probabilities\' most likely category) instead of draws from p(x|z)'),
  )
    .addHelpText('after', EXAMPLES_OUT_HELP)
    .action((run: string, flags: FigureFlags & { n?: number; seed?: number; label?: number; mean?: boolean }) => {
      if (wantsExamples(flags)) return sampleExamples(run, flags);
      if (flags.mean) throw new UsageError('--mean: applies to --out FILE.csv or FILE.npy (synthetic data), not to the figure');
      return runFigureCommand(run, flags, ({ model, dataset, config }) => samplesFigure(model, dataset, { n: flags.n, seed: flags.seed ?? config.train.seed, label: flags.label }));
    });
}
