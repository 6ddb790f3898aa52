/** `vaekit embed RUN`: the latent means of test examples in 2-D (directly, or by PCA, t-SNE or UMAP), coloured by label. */
import type { Command } from 'commander';
import { latentFigure, latentStepName } from '../report/index.js';
import { PROJECTION_METHODS } from '../latent/index.js';
import { UsageError } from '../errors.js';
import { integer, oneOf, positiveInt } from './parse.js';
import { figureOptions, runFigureCommand, type FigureFlags } from './report.js';
import { projectionProgress } from './progress.js';

/** Registers `vaekit embed`. */
export function registerEmbed(program: Command): void {
  figureOptions(
    program
      .command('embed')
      .description('scatter of the latent means of test examples (projected to 2-D if needed): writes latent[-METHOD].png. A conditional VAE encodes each example with its own label')
      .argument('<run>', 'run folder')
      .option('--method <name>', `projection for latents above 2-D: ${PROJECTION_METHODS.join(', ')} (default pca)`, oneOf('--method', PROJECTION_METHODS))
      .option('--n <n>', 'number of test examples, at least 2 (default 2000; 1000 for t-SNE)', positiveInt('--n', { max: 100_000 }))
      .option('--seed <n>', 'seed of t-SNE and UMAP (default: the run seed)', integer('--seed')),
  ).action((run: string, flags: FigureFlags & { method?: (typeof PROJECTION_METHODS)[number]; n?: number; seed?: number }) => {
    if (flags.n !== undefined && flags.n < 2) throw new UsageError(`--n: ${flags.n} is out of range; a 2-D map needs at least 2 examples`);
    const method = flags.method ?? 'pca';
    return runFigureCommand(run, flags, ({ model, dataset, config }) => {
      // t-SNE and UMAP take seconds: a bar with ETA on a terminal.
      const progress = projectionProgress(latentStepName(model, dataset, method, flags.n));
      try {
        return latentFigure(model, dataset, { method, n: flags.n, seed: flags.seed ?? config.train.seed, onProgress: progress.onProgress });
      } finally {
        progress.stop();
      }
    });
  });
}
