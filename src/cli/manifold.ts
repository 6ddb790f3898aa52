/** `vaekit manifold RUN`: the decoded grid of a 2-D latent space. */
import type { Command } from 'commander';
import { manifoldFigure } from '../report/index.js';
import { UsageError } from '../errors.js';
import { number, oneOf, positiveInt } from './parse.js';
import { figureOptions, runFigureCommand, type FigureFlags } from './report.js';

const SPACINGS = ['quantiles', 'square'] as const;

/** Registers `vaekit manifold`. */
export function registerManifold(program: Command): void {
  figureOptions(
    program
      .command('manifold')
      .description('decode a grid of codes over a 2-D latent space: writes manifold.png')
      .argument('<run>', 'run folder')
      .option('--size <n>', 'grid side (default 20 for images, 15 for points)', positiveInt('--size'))
      .option('--spacing <kind>', `${SPACINGS.join(' (default) or ')}: N(0, 1) quantiles, or even over [-range, range]`, oneOf('--spacing', SPACINGS))
      .option('--range <x>', 'square spacing: the grid covers [-x, x] (default 3)', number('--range', { min: 0, exclusiveMin: true, what: 'a number > 0' })),
  ).action((run: string, flags: FigureFlags & { size?: number; spacing?: (typeof SPACINGS)[number]; range?: number }) =>
    runFigureCommand(run, flags, ({ model, dataset }) => {
      const figure = manifoldFigure(model, dataset, { size: flags.size, spacing: flags.spacing, range: flags.range });
      if (!figure) throw new UsageError(`${run}: the latent space has ${model.latentDim} dimensions; a manifold grid needs 2 (try vaekit traverse or vaekit embed)`);
      return figure;
    }),
  );
}
