/** `vaekit encode RUN --data D --out codes.npy` and `vaekit decode RUN --codes codes.npy --out DIR`: the autoencoder as a compressor. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { invertPreprocessing, parseNpy, readDataFile, writeNpy } from '../data/index.js';
import { decodeCodes, encodeIndices, encodeMeans } from '../latent/index.js';
import { imageGrid } from '../figures/index.js';
import { DataError, UsageError } from '../errors.js';
import { intoNewFolder, writeFileAtomic } from '../io/atomic.js';
import { fmt } from './output.js';
import { BACKEND_OPTIONS } from '../config/index.js';
import { hasDiscreteCodes, labelsFor, type Model } from '../models/index.js';
import { index, oneOf, positiveInt } from './parse.js';
import { checkOutDir, exampleLabels, examplesFor, modelDataOptions, withRun, writeFiles, type ModelDataFlags } from './model-data.js';

/**
 * Bytes per example of the data as stored (8-bit pixels for images scaled from 0..255, float32 otherwise) against
 * its float32 latent code.
 */
export function compression({ inputShape, preprocessing, latentDim }: { inputShape: number[]; preprocessing: { kind: string; scale?: number }; latentDim: number }) {
  const d = inputShape.reduce((a, b) => a * b, 1);
  const eightBit = preprocessing.kind === 'scale' && Math.abs((preprocessing.scale ?? 0) - 1 / 255) < 1e-12;
  const rawBytes = d * (eightBit ? 1 : 4);
  const codeBytes = latentDim * 4;
  return { rawBytesPerExample: rawBytes, codeBytesPerExample: codeBytes, ratio: rawBytes / codeBytes };
}

/** Where encode puts a VQ-VAE's code indices beside the codes: codes.npy -> codes.indices.npy. */
export function indicesFileFor(codesFile: string): string {
  return codesFile.replace(/\.npy$/i, '') + '.indices.npy';
}

/** Where encode puts a conditional VAE's labels beside the codes: codes.npy -> codes.labels.npy. */
export function labelsFileFor(codesFile: string): string {
  return codesFile.replace(/\.npy$/i, '') + '.labels.npy';
}

async function runEncode(run: string, flags: ModelDataFlags & { out?: string }): Promise<void> {
  if (!flags.out) throw new UsageError('--out: required, the .npy file for the codes (e.g. --out codes.npy)');
  if (!flags.out.toLowerCase().endsWith('.npy')) throw new UsageError(`--out ${flags.out}: expected a .npy file name`);
  if (existsSync(flags.out) && statSync(flags.out).isDirectory()) throw new UsageError(`--out ${flags.out}: is a folder; expected a .npy file name`);
  await withRun(run, flags, (r) => {
    const { out, model, metadata } = r;
    const ex = examplesFor(flags, r);
    const d = model.inputDim;
    // A conditional VAE encodes and decodes each example with its label; the labels go beside the codes for decode.
    const labels = exampleLabels(flags, ex, r);
    const z = encodeMeans(model, { data: ex.x, n: ex.n, dim: d }, labels); // [n, L]
    // The error of what decode would give back: decode(encode(x).mean) against x.
    const recon = decodeCodes(model, z, labels);
    let sse = 0;
    for (let i = 0; i < ex.x.length; i++) sse += (recon.data[i] - ex.x[i]) ** 2;
    const files = [flags.out!];
    // A VQ-VAE's code is also its codebook indices, written beside the codes.
    const discrete = hasDiscreteCodes(model) ? { indices: encodeIndices(model, { data: ex.x, n: ex.n, dim: d }), perExample: model.codesPerExample } : undefined;
    const indicesFile = discrete && indicesFileFor(flags.out!);
    // A failed write (a full disk) into a folder that did not exist leaves no empty folder.
    intoNewFolder(path.dirname(flags.out!), () => {
      writeFileAtomic(flags.out!, writeNpy({ shape: [ex.n, model.latentDim], data: z.data }));
      if (labels) {
        files.push(labelsFileFor(flags.out!));
        writeFileAtomic(files[1], writeNpy({ shape: [ex.n], data: Float32Array.from(labels) }));
      }
      if (discrete && indicesFile) writeFileAtomic(indicesFile, writeNpy({ shape: [ex.n, discrete.perExample], data: Float32Array.from(discrete.indices) }));
    });
    const shown = discrete && Array.from({ length: Math.min(ex.n, 10) }, (_, i) => Array.from(discrete.indices.subarray(i * discrete.perExample, (i + 1) * discrete.perExample)));
    const c = compression({ inputShape: metadata.inputShape, preprocessing: metadata.preprocessing, latentDim: model.latentDim });
    const result = {
      run,
      data: flags.data,
      n: ex.n,
      latent: model.latentDim,
      file: flags.out,
      ...(labels && { labelsFile: files[1] }),
      ...(discrete && { indicesFile, codesPerExample: discrete.perExample, indices: shown }),
      ...c,
      reconstructionError: { sse: sse / ex.n, mse: sse / (ex.n * d) },
    };
    out.result(result, () => {
      out.info(`${ex.n} examples of ${ex.source} -> ${flags.out} (float32 [${ex.n}, ${model.latentDim}])`);
      if (discrete && shown) {
        out.info(`codebook indices (${discrete.perExample} per example) -> ${indicesFile} (float32 [${ex.n}, ${discrete.perExample}])${ex.n > shown.length ? `; the first ${shown.length}:` : ':'}`);
        shown.forEach((row, i) => out.info(`  ${i}: ${row.join(' ')}`));
      }
      if (labels) out.info(`labels (a conditional VAE decodes each code with its class) -> ${files[1]} (float32 [${ex.n}]); decode with --labels ${files[1]}`);
      out.info(`compression: ${c.rawBytesPerExample} bytes per example -> ${c.codeBytesPerExample} bytes of code, ratio ${c.ratio.toFixed(1)}:1`);
      out.info(`reconstruction error of decode(code): ${fmt(sse / ex.n)} summed squared error per example, ${fmt(sse / (ex.n * d))} per value`);
    });
  });
}

interface DecodeFlags {
  codes?: string;
  labels?: string;
  label?: number;
  out?: string;
  n?: number;
  backend?: ModelDataFlags['backend'];
  json?: boolean;
}

/** The class of each of n codes for a conditional VAE: --label k for all, or --labels FILE.npy [n]; undefined for other models. */
function decodeLabels(flags: DecodeFlags, model: Model, n: number): Int32Array | undefined {
  if (flags.labels !== undefined && flags.label !== undefined) throw new UsageError('--label and --labels: give one, not both');
  if (flags.labels === undefined) {
    if (model.classes !== undefined && flags.label === undefined) {
      throw new UsageError(`--label: required for a conditional VAE (classes 0..${model.classes - 1}): give --label k, or --labels FILE.npy with one class per code (vaekit encode writes it)`);
    }
    return labelsFor({ model, labels: undefined, n, what: `--codes ${flags.codes}`, label: flags.label });
  }
  if (model.classes === undefined) throw new UsageError(`--labels ${flags.labels}: only a conditional VAE (model.kind cvae) decodes a given class; this model is a ${model.config.kind}`);
  const { shape, data } = parseNpy(readDataFile(flags.labels), flags.labels);
  if (shape.length !== 1 || shape[0] !== n) throw new DataError(flags.labels, `labels of shape (${shape.join(', ')}); expected one class per code, shape (${n})`);
  const bad = data.findIndex((y) => !Number.isInteger(y) || y < 0 || y >= model.classes!);
  if (bad >= 0) throw new DataError(flags.labels, `entry ${bad} is ${data[bad]}; expected a class in 0..${model.classes - 1}`);
  return Int32Array.from(data);
}

async function runDecode(run: string, flags: DecodeFlags): Promise<void> {
  if (!flags.codes) throw new UsageError('--codes: required, a .npy file of latent codes [n, L] (from vaekit encode)');
  if (!flags.out) throw new UsageError('--out: required, the folder for decoded.npy and decoded.png');
  checkOutDir('--out', flags.out);
  await withRun(run, flags, ({ out, model, metadata }) => {
    const { shape, data } = parseNpy(readDataFile(flags.codes!), flags.codes!);
    if (shape.length !== 2 || shape[1] !== model.latentDim) {
      throw new DataError(flags.codes!, `codes of shape (${shape.join(', ')}); the model's latent codes are [n, ${model.latentDim}]`);
    }
    const n = shape[0];
    const labels = decodeLabels(flags, model, n);
    const decoded = decodeCodes(model, { data, n, dim: model.latentDim }, labels); // [n, D]
    // decoded.npy is in the units of the data file (the model's preprocessing undone); the PNG shows model space, [0, 1].
    const inFileUnits = invertPreprocessing(Float32Array.from(decoded.data), model.inputDim, metadata.preprocessing);
    const outputs = [{ file: 'decoded.npy', bytes: writeNpy({ shape: [n, ...metadata.inputShape], data: inFileUnits }) }];
    const [h, w, ch] = metadata.inputShape;
    if (metadata.inputShape.length === 3 && (ch === 1 || ch === 3) && n > 0 && metadata.preprocessing.kind !== 'standardize') {
      const shown = Math.min(n, flags.n ?? 100);
      const cols = Math.min(10, shown);
      outputs.push({ file: 'decoded.png', bytes: imageGrid({ images: decoded.data.subarray(0, shown * h * w * ch), shape: metadata.inputShape, rows: Math.ceil(shown / cols), cols }) });
    }
    const files = writeFiles(flags.out!, outputs);
    const c = compression({ inputShape: metadata.inputShape, preprocessing: metadata.preprocessing, latentDim: model.latentDim });
    const result = { run, codes: flags.codes, n, ...c, files };
    out.result(result, () => {
      out.info(`${n} codes of ${flags.codes} decoded to [${n}, ${metadata.inputShape.join(', ')}] (compression ratio ${c.ratio.toFixed(1)}:1)`);
      files.forEach((f) => out.info(path.normalize(f)));
    });
  });
}

/** Registers `vaekit encode` and `vaekit decode`. */
export function registerEncode(program: Command): void {
  modelDataOptions(
    program
      .command('encode')
      .description("compress examples to latent codes: the encoder's means as a float32 .npy [n, L]; reports the compression ratio and the reconstruction error. A conditional VAE also writes the labels it encoded with, OUT.labels.npy; a VQ-VAE prints its codebook indices and writes them to OUT.indices.npy")
      .argument('<run>', 'run folder')
      .option('--out <file.npy>', 'the .npy file for the codes'),
  ).action((run: string, flags: ModelDataFlags & { out?: string }) => runEncode(run, flags));
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('decode latent codes (a .npy [n, L], e.g. from vaekit encode) to data: decoded.npy [n, ...shape] and, for images, decoded.png')
    .argument('<run>', 'run folder')
    .option('--codes <file.npy>', 'the codes')
    .option('--out <dir>', 'the folder for decoded.npy and decoded.png')
    .option('--n <n>', 'images shown in decoded.png (default 100)', positiveInt('--n', { max: 10_000 }))
    .option('--label <k>', 'conditional VAE: decode every code as class k', index('--label'))
    .option('--labels <file.npy>', 'conditional VAE: the class of each code, a .npy [n] (vaekit encode writes CODES.labels.npy)')
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object')
    .action(runDecode);
}
