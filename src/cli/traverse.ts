/** `vaekit traverse RUN`: vary one latent dimension at a time, the others held at zero or at a test example's code. */
import type { Command } from 'commander';
import { traversalFigure } from '../report/index.js';
import { encodeMeans, row } from '../latent/index.js';
import { UsageError } from '../errors.js';
import { number, positiveInt } from './parse.js';
import { figureOptions, index, indexList, runFigureCommand, type FigureFlags } from './report.js';

/** Registers `vaekit traverse`. */
export function registerTraverse(program: Command): void {
  figureOptions(
    program
      .command('traverse')
      .description('latent traversal, rows are dimensions and columns values: writes traversal.png')
      .argument('<run>', 'run folder')
      .option('--dims <list>', 'latent dimensions, 0-based, e.g. 0,1 (default: the first 10)', indexList('--dims'))
      .option('--range <x>', 'values run over [-x, x] (default 3)', number('--range', { min: 0, exclusiveMin: true, what: 'a number > 0' }))
      .option('--steps <n>', 'values per dimension (default 11)', positiveInt('--steps'))
      .option('--at <i>', 'hold the other dimensions at the code of this test example (default: zero)', index('--at')),
  ).action((run: string, flags: FigureFlags & { dims?: number[]; range?: number; steps?: number; at?: number }) =>
    runFigureCommand(run, flags, ({ model, dataset }) => {
      const bad = (flags.dims ?? []).filter((d) => d >= model.latentDim);
      if (bad.length > 0) throw new UsageError(`--dims: ${bad.join(', ')} out of range; the latent space has dimensions 0..${model.latentDim - 1}`);
      let base: Float32Array | undefined;
      if (flags.at !== undefined) {
        if (flags.at >= dataset.test.n) throw new UsageError(`--at: ${flags.at} is not a test example index in 0..${dataset.test.n - 1}`);
        const d = model.inputDim;
        base = row(encodeMeans(model, { data: dataset.test.x.subarray(flags.at * d, (flags.at + 1) * d), n: 1, dim: d }), 0);
      }
      return traversalFigure(model, dataset, { dims: flags.dims, range: flags.range, steps: flags.steps, base });
    }),
  );
}
