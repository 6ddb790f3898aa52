/** `vaekit encode RUN --data D --out codes.npy` and `vaekit decode RUN --codes codes.npy --out DIR`: the autoencoder as a compressor. */
import path from 'node:path';
import type { Command } from 'commander';
import { invertPreprocessing, parseNpy, readDataFile, writeNpy } from '../data/index.js';
import { decodeCodes, encodeMeans } from '../latent/index.js';
import { imageGrid } from '../figures/index.js';
import { DataError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { fmt } from './output.js';
import { BACKEND_OPTIONS } from '../config/index.js';
import { oneOf, positiveInt } from './parse.js';
import { examplesFor, modelDataOptions, withRun, writeFiles, type ModelDataFlags } from './model-data.js';

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

async function runEncode(run: string, flags: ModelDataFlags & { out?: string }): Promise<void> {
  if (!flags.out) throw new UsageError('--out: required, the .npy file for the codes (e.g. --out codes.npy)');
  if (!flags.out.toLowerCase().endsWith('.npy')) throw new UsageError(`--out ${flags.out}: expected a .npy file name`);
  await withRun(run, flags, (r) => {
    const { out, model, metadata } = r;
    const ex = examplesFor(flags, r);
    const d = model.inputDim;
    const z = encodeMeans(model, { data: ex.x, n: ex.n, dim: d }); // [n, L]
    writeFileAtomic(flags.out!, writeNpy({ shape: [ex.n, model.latentDim], data: z.data }));
    // The error of what decode would give back: decode(encode(x).mean) against x.
    const recon = decodeCodes(model, z);
    let sse = 0;
    for (let i = 0; i < ex.x.length; i++) sse += (recon.data[i] - ex.x[i]) ** 2;
    const c = compression({ inputShape: metadata.inputShape, preprocessing: metadata.preprocessing, latentDim: model.latentDim });
    const result = { run, data: flags.data, n: ex.n, latent: model.latentDim, file: flags.out, ...c, reconstructionError: { sse: sse / ex.n, mse: sse / (ex.n * d) } };
    out.result(result, () => {
      out.info(`${ex.n} examples of ${ex.source} -> ${flags.out} (float32 [${ex.n}, ${model.latentDim}])`);
      out.info(`compression: ${c.rawBytesPerExample} bytes per example -> ${c.codeBytesPerExample} bytes of code, ratio ${c.ratio.toFixed(1)}:1`);
      out.info(`reconstruction error of decode(code): ${fmt(sse / ex.n)} summed squared error per example, ${fmt(sse / (ex.n * d))} per value`);
    });
  });
}

async function runDecode(run: string, flags: { codes?: string; out?: string; n?: number; backend?: ModelDataFlags['backend']; json?: boolean }): Promise<void> {
  if (!flags.codes) throw new UsageError('--codes: required, a .npy file of latent codes [n, L] (from vaekit encode)');
  if (!flags.out) throw new UsageError('--out: required, the folder for decoded.npy and decoded.png');
  await withRun(run, flags, ({ out, model, metadata }) => {
    const { shape, data } = parseNpy(readDataFile(flags.codes!), flags.codes!);
    if (shape.length !== 2 || shape[1] !== model.latentDim) {
      throw new DataError(flags.codes!, `codes of shape (${shape.join(', ')}); the model's latent codes are [n, ${model.latentDim}]`);
    }
    const n = shape[0];
    const decoded = decodeCodes(model, { data, n, dim: model.latentDim }); // [n, D]
    // decoded.npy is in the units of the data file (the model's preprocessing undone); the PNG shows model space, [0, 1].
    const inFileUnits = invertPreprocessing(Float32Array.from(decoded.data), model.inputDim, metadata.preprocessing);
    const files = writeFiles(flags.out!, [{ file: 'decoded.npy', bytes: writeNpy({ shape: [n, ...metadata.inputShape], data: inFileUnits }) }]);
    const [h, w, ch] = metadata.inputShape;
    if (metadata.inputShape.length === 3 && (ch === 1 || ch === 3) && n > 0 && metadata.preprocessing.kind !== 'standardize') {
      const shown = Math.min(n, flags.n ?? 100);
      const cols = Math.min(10, shown);
      const png = imageGrid({ images: decoded.data.subarray(0, shown * h * w * ch), shape: metadata.inputShape, rows: Math.ceil(shown / cols), cols });
      files.push(...writeFiles(flags.out!, [{ file: 'decoded.png', bytes: png }]));
    }
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
      .description("compress examples to latent codes: the encoder's means as a float32 .npy [n, L]; reports the compression ratio and the reconstruction error")
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
    .option('--n <n>', 'images shown in decoded.png (default 100)', positiveInt('--n'))
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object')
    .action(runDecode);
}
