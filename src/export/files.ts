/** Model export and import on disk: a run or model folder to an ONNX or PyTorch folder, a safetensors file back to a run; each written to a temporary folder and renamed into place. */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../engine/index.js';
import { buildModel, modelKind } from '../models/index.js';
import { loadModel, saveModel } from '../io/model-files.js';
import { exportModel, importModel, validateMetadata, type ModelMetadata } from '../io/model-format.js';
import { firstMissing, fsyncDir, writeFaultAs } from '../io/atomic.js';
import { DataError, ModelError, UsageError } from '../errors.js';
import { ONNX_OPSET, toOnnx } from './onnx.js';
import { fromSafetensors, toPytorch } from './pytorch.js';

export type ExportFormat = 'onnx' | 'pytorch';

/** Writes `files` into a fresh folder `out` all at once: a temporary sibling first, renamed when complete. */
function writeFolder(out: string, files: Record<string, string | Uint8Array>): void {
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`--out ${out}: the folder exists and is not empty; choose a new folder`);
  const tmp = `${out.replace(/[\\/]+$/, '')}.tmp-${process.pid}`;
  const created = firstMissing(path.dirname(path.resolve(out)));
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [name, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
      writeFileSync(path.join(tmp, name), data);
    }
    if (existsSync(out)) rmSync(out, { recursive: true }); // empty, checked above
    renameSync(tmp, out);
    fsyncDir(path.dirname(path.resolve(out)));
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // The parent folders the temporary one needed go too: a failed export leaves nothing.
    if (created) rmSync(created, { recursive: true, force: true });
    throw writeFaultAs(err, out);
  }
}

/** A saved model's metadata and weight bytes, the run's config.json when it is a run folder. Needs a tfjs backend. */
function readSaved(run: string): { metadata: ModelMetadata; weights: Uint8Array; runConfig?: unknown } {
  const { model, metadata, dir } = loadModel(run); // validates the architecture against the weights
  model.dispose();
  const weights = readFileSync(path.join(dir, path.basename(metadata.weightsFile)));
  const configFile = path.join(run, 'config.json');
  const runConfig = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as unknown) : undefined;
  return { metadata, weights, runConfig };
}

/**
 * Exports a run's (or model folder's) model to `out`: ONNX (`encoder.onnx`, `decoder.onnx`, `vaekit-onnx.json`) or
 * PyTorch (`model.safetensors`, `vaekit_model.py`). Nothing is written unless the whole export succeeds.
 *
 * @example
 * exportRun({ run: 'runs/a', format: 'onnx', out: 'runs/a-onnx' });
 */
export function exportRun({ run, format, out }: { run: string; format: ExportFormat; out: string }): { out: string; files: string[] } {
  const { metadata, weights, runConfig } = readSaved(run);
  const gap = modelKind(metadata.kind).exportGap;
  if (gap) throw new UsageError(`${run}: a ${metadata.kind} model cannot be exported as encoder and decoder graphs without losing ${gap}; encode, decode and sample it with vaekit`);
  const categorical = metadata.likelihood.categorical?.length;
  if (categorical) throw new UsageError(`${run}: the model's decoder scores ${categorical} categorical column(s) with a softmax, which the exported xMean does not compute yet; encode, decode and sample it with vaekit`);
  let files: Record<string, string | Uint8Array>;
  if (format === 'onnx') {
    const onnx = toOnnx(metadata, weights, run);
    const { weights: _manifest, graph: _graph, ...about } = metadata;
    const info = { opset: ONNX_OPSET, encoder: { file: 'encoder.onnx', ...onnx.signature.encoder }, decoder: { file: 'decoder.onnx', ...onnx.signature.decoder }, model: about };
    files = { 'encoder.onnx': onnx.encoder, 'decoder.onnx': onnx.decoder, 'vaekit-onnx.json': JSON.stringify(info, null, 2) + '\n' };
  } else {
    const { safetensors, module } = toPytorch(metadata, weights, { runConfig });
    files = { 'model.safetensors': safetensors, 'vaekit_model.py': module };
  }
  writeFolder(out, files);
  return { out, files: Object.keys(files).map((f) => path.join(out, f)) };
}

/**
 * Reads a safetensors file (as `exportRun` writes it, possibly fine-tuned in PyTorch) into a vaekit run folder `out`:
 * `model/` with the file's weights and, when known, the run's `config.json`. The architecture comes from `run` (a run
 * or model folder) when given, otherwise from the description the export put in the file's metadata. Without `out`,
 * `run`'s `model/` is replaced (the new one is complete before it takes the old one's place).
 *
 * @example
 * importSafetensors({ file: 'tuned.safetensors', out: 'runs/a-tuned' });
 */
export function importSafetensors({ file, run, out }: { file: string; run?: string; out?: string }): { out: string; modelDir: string } {
  if (!out && !run) throw new UsageError('vaekit import: give --out DIR (a new run folder) or --run RUN (whose model/ is replaced)');
  if (out && existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`--out ${out}: the folder exists and is not empty; choose a new folder`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DataError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let template: ModelMetadata;
  let runConfig: unknown;
  if (run) {
    const saved = readSaved(run);
    template = saved.metadata;
    runConfig = saved.runConfig;
  } else {
    const { description, runConfig: carried } = fromSafetensors(bytes, file);
    if (!description) throw new DataError(file, 'carries no vaekit model description (__metadata__.vaekit_model); give --run RUN for the architecture');
    runConfig = carried;
    // The manifest (names, shapes, order) of a model built from the description.
    const meta = validateMetadata({ ...description, weights: [] }, `${file} (__metadata__.vaekit_model)`);
    const model = buildModel(meta.config, meta.inputDim, new Rng(0), { inputShape: meta.inputShape });
    template = { ...meta, ...exportModel(model, meta).metadata, graph: meta.graph, extra: meta.extra };
    model.dispose();
  }
  const { weights } = fromSafetensors(bytes, file, template);
  const { model, metadata } = importModel(JSON.parse(JSON.stringify(template)), weights, file);
  const saveMeta = {
    inputShape: metadata.inputShape,
    preprocessing: metadata.preprocessing,
    labelNames: metadata.labelNames,
    dataset: metadata.dataset,
    columns: metadata.columns,
    extra: { ...(metadata.extra ?? {}), importedFrom: path.basename(file) },
  };
  const target = out ?? run!;
  const staging = `${target.replace(/[\\/]+$/, '')}.import-${process.pid}`;
  const created = firstMissing(path.dirname(path.resolve(target)));
  rmSync(staging, { recursive: true, force: true });
  try {
    try {
      saveModel(path.join(staging, 'model'), model, saveMeta);
    } finally {
      model.dispose();
    }
    if (out) {
      if (runConfig !== undefined) writeFileSync(path.join(staging, 'config.json'), JSON.stringify(runConfig, null, 2) + '\n');
      if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`--out ${out}: the folder exists and is not empty; choose a new folder`);
      if (existsSync(out)) rmSync(out, { recursive: true });
      renameSync(staging, out);
      return { out, modelDir: path.join(out, 'model') };
    }
    // Replace run/model: the complete new folder moves in, then the old one goes.
    const modelDir = existsSync(path.join(run!, 'model', 'model.json')) ? path.join(run!, 'model') : run!;
    if (modelDir === run) throw new ModelError(`${run}: a model folder, not a run folder; give --out DIR to import into a new run`);
    const old = `${modelDir}.old-${process.pid}`;
    renameSync(modelDir, old);
    renameSync(path.join(staging, 'model'), modelDir);
    rmSync(old, { recursive: true, force: true });
    return { out: run!, modelDir };
  } catch (err) {
    // Named by the folder it was for: the staging folder is removed below, with any parent folder it needed.
    if (created) rmSync(created, { recursive: true, force: true });
    throw writeFaultAs(err, out ?? path.join(run!, 'model'));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
