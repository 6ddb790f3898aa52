/** `vaekit import FILE.safetensors --out DIR | --run RUN`: weights from PyTorch (say after fine-tuning) back into a vaekit run. */
import type { Command } from 'commander';
import { initBackend } from '../engine/index.js';
import { importSafetensors } from '../export/index.js';
import { makeOutput } from './output.js';

async function runImport(file: string, flags: { out?: string; run?: string; json?: boolean }): Promise<void> {
  const out = makeOutput(flags.json === true);
  await initBackend('cpu');
  const result = importSafetensors({ file, run: flags.run, out: flags.out });
  out.result(result, () => out.info(`imported ${file} -> ${result.modelDir} (vaekit eval ${result.out}, vaekit sample ${result.out}, ...)`));
}

/** Registers `vaekit import`. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('read a safetensors file (from vaekit export --format pytorch, maybe fine-tuned) into a run folder')
    .argument('<file>', 'the .safetensors file')
    .option('--out <dir>', 'a new run folder (config.json from the file or --run, model/ with the imported weights)')
    .option('--run <run>', "the run whose architecture to use; without --out its model/ is replaced")
    .option('--json', 'print one JSON object')
    .action(runImport);
}
