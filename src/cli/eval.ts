/** `vaekit eval RUN`: the test ELBO and its terms, and the reconstruction error, of a run's model. */
import type { Command } from 'commander';
import { BACKEND_OPTIONS } from '../config/index.js';
import { loadModel } from '../io/model-files.js';
import { checkShapes, evaluateModel } from '../evaluate/index.js';
import { datasetFor, startBackend } from './common.js';
import { fmt, makeOutput } from './output.js';
import { readRunConfig } from './run-folder.js';
import { oneOf } from './parse.js';

async function runEval(run: string, flags: { backend?: (typeof BACKEND_OPTIONS)[number]; json?: boolean }): Promise<void> {
  const out = makeOutput(flags.json === true);
  const config = readRunConfig(run);
  const backend = await startBackend(flags.backend ?? 'auto', out);
  const { model, metadata } = loadModel(run);
  try {
    const dataset = datasetFor(config);
    checkShapes(model, dataset, metadata.inputShape);
    const e = evaluateModel({ model, dataset, seed: config.train.seed, binarizeData: config.data.binarize === 'dynamic' });
    out.result({ run, backend, data: dataset.name, ...e }, () => {
      out.info(`test set: ${e.n} examples of ${dataset.name}`);
      out.info(`loss (negative ELBO) ${fmt(e.loss)}   reconstruction ${fmt(e.reconstruction)}   kl ${fmt(e.kl)}   (per example)`);
      out.info(`reconstruction error of decode(mean): ${fmt(e.reconstructionError.sse)} summed squared error per example, ${fmt(e.reconstructionError.mse)} per value`);
    });
  } finally {
    model.dispose();
  }
}

/** Registers `vaekit eval`. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("evaluate a run's model on its test set: ELBO terms and reconstruction error")
    .argument('<run>', 'run folder')
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object')
    .action(runEval);
}
