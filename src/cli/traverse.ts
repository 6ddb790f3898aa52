/** `vaekit traverse RUN`: vary one latent dimension at a time, the others held at zero or at a test example's code. */
import type { Command } from 'commander';
import { traversalFigure } from '../report/index.js';
import { encodeMeans, row } from '../latent/index.js';
import { labelsFor } from '../models/index.js';
import { UsageError } from '../errors.js';
import { index, indexList, number, positiveInt } from './parse.js';
import { figureOptions, runFigureCommand, type FigureFlags } from './report.js';
import { STEPS_MAX } from './interpolate.js';

type TraverseFlags = FigureFlags & { dims?: number[]; range?: number; steps?: number; at?: number; label?: number };

/** Registers `vaekit traverse`. */
export function registerTraverse(program: Command): void {
  figureOptions(
    program
      .command('traverse')
      .description('latent traversal, rows are dimensions and columns values: writes traversal.png')
      .argument('<run>', 'run folder')
      .option('--dims <list>', 'latent dimensions, 0-based, e.g. 0,1 (default: the first 10)', indexList('--dims'))
      .option('--range <x>', 'values run over [-x, x] (default 3)', number('--range', { min: 0, exclusiveMin: true, what: 'a number > 0' }))
      .option('--steps <n>', 'values per dimension (default 11)', positiveInt('--steps', { max: STEPS_MAX }))
      .option('--at <i>', 'hold the other dimensions at the code of this test example (default: zero)', index('--at'))
      .option('--label <k>', "conditional VAE: decode as class k (default: the class of --at's example; without --at, one block of rows per class)", index('--label')),
  ).action((run: string, flags: TraverseFlags) =>
    runFigureCommand(run, flags, ({ model, dataset }) => {
      const bad = (flags.dims ?? []).filter((d) => d >= model.latentDim);
      if (bad.length > 0) throw new UsageError(`--dims: ${bad.join(', ')} out of range; the latent space has dimensions 0..${model.latentDim - 1}`);
      let base: Float32Array | undefined;
      let label = flags.label;
      if (flags.at !== undefined) {
        const at = flags.at;
        if (at >= dataset.test.n) throw new UsageError(`--at: ${at} is not a test example index in 0..${dataset.test.n - 1}`);
        const d = model.inputDim;
        // A conditional model encodes the example with its own label, and decodes as that class unless --label says otherwise.
        const y = labelsFor({ model, labels: dataset.test.labels?.subarray(at, at + 1), n: 1, what: `the test split of '${dataset.name}'` });
        base = row(encodeMeans(model, { data: dataset.test.x.subarray(at * d, (at + 1) * d), n: 1, dim: d }, y), 0);
        label ??= y?.[0];
      }
      return traversalFigure(model, dataset, { dims: flags.dims, range: flags.range, steps: flags.steps, base, label });
    }),
  );
}
