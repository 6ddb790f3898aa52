/** `vaekit manifold RUN`: the decoded grid of a 2-D latent space. */
import type { Command } from 'commander';
import { manifoldFigure } from '../report/index.js';
import { UsageError } from '../errors.js';
import { index, number, oneOf, positiveInt } from './parse.js';
import { figureOptions, runFigureCommand, type FigureFlags } from './report.js';

const SPACINGS = ['quantiles', 'square'] as const;

type ManifoldFlags = FigureFlags & { size?: number; spacing?: (typeof SPACINGS)[number]; range?: number; label?: number };

/** Registers `vaekit manifold`. */
export function registerManifold(program: Command): void {
  figureOptions(
    program
      .command('manifold')
      .description('decode a grid of codes over a 2-D latent space: writes manifold.png')
      .argument('<run>', 'run folder')
      .option('--size <n>', 'grid side (default 20 for images, 15 for points; 10 per class for a conditional VAE without --label)', positiveInt('--size', { max: 100 }))
      .option('--spacing <kind>', `${SPACINGS.join(' (default) or ')}: N(0, 1) quantiles, or even over [-range, range]`, oneOf('--spacing', SPACINGS))
      .option('--range <x>', 'square spacing: the grid covers [-x, x] (default 3)', number('--range', { min: 0, exclusiveMin: true, what: 'a number > 0' }))
      .option('--label <k>', 'conditional VAE: decode the grid as class k (default: one grid per class, in one image)', index('--label')),
  ).action((run: string, flags: ManifoldFlags) => {
    if (flags.range !== undefined && flags.spacing !== 'square') throw new UsageError(`--range ${flags.range}: applies with --spacing square only (quantile spacing has no range)`);
    return runFigureCommand(run, flags, ({ model, dataset }) => {
      const figure = manifoldFigure(model, dataset, { size: flags.size, spacing: flags.spacing, range: flags.range, label: flags.label });
      if (!figure) throw new UsageError(`${run}: the latent space has ${model.latentDim} dimensions; a manifold grid needs 2 (try vaekit traverse or vaekit embed)`);
      return figure;
    });
  });
}
