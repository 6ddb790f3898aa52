/** `vaekit export RUN --format onnx|pytorch --out DIR`: the model as ONNX (encoder and decoder) or as safetensors plus a PyTorch module. */
import type { Command } from 'commander';
import { initBackend } from '../engine/index.js';
import { exportRun, ONNX_OPSET, type ExportFormat } from '../export/index.js';
import { makeOutput } from './output.js';
import { oneOf } from './parse.js';

const FORMATS = ['onnx', 'pytorch'] as const;

async function runExport(run: string, flags: { format: ExportFormat; out: string; json?: boolean }): Promise<void> {
  const out = makeOutput(flags.json === true);
  await initBackend('cpu'); // loading validates the weights; an export does no arithmetic worth a faster backend
  const result = exportRun({ run, format: flags.format, out: flags.out });
  out.result({ format: flags.format, ...(flags.format === 'onnx' ? { opset: ONNX_OPSET } : {}), ...result }, () => {
    for (const f of result.files) out.info(`wrote ${f}`);
    out.info(flags.format === 'onnx' ? `ONNX opset ${ONNX_OPSET}: encoder x -> mean, logVar; decoder z -> params, xMean (docs/scale-out.md)` : `PyTorch: from vaekit_model import VaekitModel; VaekitModel.from_safetensors(...) (docs/scale-out.md)`);
  });
}

/** Registers `vaekit export`. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description("write a run's model as ONNX (encoder.onnx, decoder.onnx) or PyTorch (model.safetensors + vaekit_model.py)")
    .argument('<run>', 'run folder or model folder')
    .requiredOption('--format <format>', `${FORMATS.join(' or ')}`, oneOf('--format', FORMATS))
    .requiredOption('--out <dir>', 'a new folder for the exported files')
    .option('--json', 'print one JSON object')
    .action(runExport);
}
