/** `vaekit summary RUN`: layers, output shapes and parameter counts, like seed 004's torchsummary table. */
import type { Command } from 'commander';
import { loadModel } from '../io/model-files.js';
import { initBackend } from '../engine/index.js';
import { makeOutput } from './output.js';

async function runSummary(run: string, flags: { json?: boolean }): Promise<void> {
  const out = makeOutput(flags.json === true);
  await initBackend('cpu'); // a summary does no arithmetic worth a faster backend
  const { model, metadata } = loadModel(run);
  const rows = model.summary();
  const vars = model.variables();
  const total = vars.reduce((a, v) => a + v.variable.size, 0);
  const trainable = vars.filter((v) => v.trainable).reduce((a, v) => a + v.variable.size, 0);
  model.dispose();
  const result = { kind: metadata.kind, inputShape: metadata.inputShape, latentDim: metadata.latentDim, likelihood: metadata.likelihood, layers: rows, totalParams: total, trainableParams: trainable, nonTrainableParams: total - trainable };
  out.result(result, () => {
    const line = '-'.repeat(84);
    const fmtRow = (a: string, b: string, c: string) => `${a.padStart(44)}  ${b.padStart(20)}  ${c.padStart(14)}`;
    out.info(`${metadata.kind}, input [${metadata.inputShape.join(', ')}], latent ${metadata.latentDim}, ${metadata.likelihood.kind} likelihood`);
    out.info(line);
    out.info(fmtRow('Layer (type)', 'Output Shape', 'Param #'));
    out.info('='.repeat(84));
    for (const r of rows) out.info(fmtRow(`${r.name} (${r.type})`, `[${r.outputShape.join(', ')}]`, r.params.toLocaleString('en-US')));
    out.info('='.repeat(84));
    out.info(`Total params: ${total.toLocaleString('en-US')}`);
    out.info(`Trainable params: ${trainable.toLocaleString('en-US')}`);
    // Only BatchNorm layers hold non-trainable variables (their running statistics); name them only when there are some.
    const nonTrainable = total - trainable;
    out.info(`Non-trainable params: ${nonTrainable.toLocaleString('en-US')}${nonTrainable > 0 ? ' (BatchNorm running statistics)' : ''}`);
    out.info(`Params size (MB): ${((total * 4) / 2 ** 20).toFixed(2)}`);
    out.info(line);
  });
}

/** Registers `vaekit summary`. */
export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description("print a run's model: layers, output shapes, parameter counts")
    .argument('<run>', 'run folder or model folder')
    .option('--json', 'print one JSON object')
    .action(runSummary);
}
