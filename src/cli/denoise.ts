/** `vaekit denoise RUN --data D --noise gaussian:0.5`: corrupt examples, reconstruct them, and measure PSNR and SSIM before and after. */
import type { Command } from 'commander';
import { Rng } from '../engine/index.js';
import { addNoise, noiseText, parseNoise, type NoiseSpec } from '../data/index.js';
import { reconstructRows } from '../latent/index.js';
import { psnr, ssim } from '../evaluate/index.js';
import { imageGrid } from '../figures/index.js';
import { writeFigures, writeReport, type Figure } from '../report/index.js';
import { UsageError } from '../errors.js';
import { fmt } from './output.js';
import { positiveInt } from './parse.js';
import { checkOutDir, exampleLabels, examplesFor, modelDataOptions, withRun, writeFiles, type ModelDataFlags } from './model-data.js';

interface DenoiseFlags extends ModelDataFlags {
  noise?: NoiseSpec;
  n?: number;
  out?: string;
}

/** Quality of one version of the examples against the clean ones. */
interface Quality {
  mse: number;
  psnr: number;
  ssim?: number;
}

function quality(a: Float32Array, clean: Float32Array, shape: number[], images: boolean): Quality {
  let sse = 0;
  for (let i = 0; i < a.length; i++) sse += (a[i] - clean[i]) ** 2;
  const q: Quality = { mse: sse / a.length, psnr: psnr({ data: a, shape }, { data: clean, shape }) };
  if (images) q.ssim = ssim({ data: a, shape }, { data: clean, shape });
  return q;
}

async function runDenoise(run: string, flags: DenoiseFlags): Promise<void> {
  if (!flags.noise) throw new UsageError('--noise: required, e.g. gaussian:0.5, salt-pepper:0.2 or mask:0.3');
  const noise = flags.noise;
  checkOutDir('--out', flags.out);
  await withRun(run, flags, (r) => {
    const { out, model, metadata, config } = r;
    const ex = examplesFor(flags, r);
    const shape = metadata.inputShape;
    const images = shape.length === 3 && (shape[2] === 1 || shape[2] === 3) && metadata.preprocessing.kind !== 'standardize';
    // Images live in [0, 1]; noise must not push them outside what the decoder can produce.
    const inUnit = ex.x.every((v) => v >= 0 && v <= 1);
    const noisy = addNoise(ex.x, noise, new Rng(`${config.train.seed}:denoise`), inUnit ? { clip: [0, 1] } : {});
    const d = model.inputDim;
    // A conditional VAE reconstructs each noisy example given its (clean) label.
    const denoised = reconstructRows(model, { data: noisy, n: ex.n, dim: d }, exampleLabels(flags, ex, r)).data;
    const before = quality(noisy, ex.x, shape, images);
    const after = quality(denoised, ex.x, shape, images);
    let files: string[] = [];
    if (images) {
      const cols = Math.min(flags.n ?? 10, ex.n);
      const size = d;
      const grid = new Float32Array(3 * cols * size); // [3 rows x cols, H, W, C]: noisy, denoised, clean
      grid.set(noisy.subarray(0, cols * size), 0);
      grid.set(denoised.subarray(0, cols * size), cols * size);
      grid.set(ex.x.subarray(0, cols * size), 2 * cols * size);
      const caption = `${noiseText(noise)} noise on ${ex.source}: noisy (top), denoised by the model (middle), clean (bottom). ` +
        `PSNR ${before.psnr.toFixed(2)} -> ${after.psnr.toFixed(2)} dB, SSIM ${before.ssim!.toFixed(3)} -> ${after.ssim!.toFixed(3)} over ${ex.n} examples.`;
      const figure: Figure = { id: 'denoise', title: 'Denoising', caption, files: [{ file: 'denoise.png', bytes: imageGrid({ images: grid, shape, rows: 3, cols, labels: { rows: ['noisy', 'denoised', 'clean'] } }) }] };
      if (flags.out) files = writeFiles(flags.out, figure.files);
      else {
        files = writeFigures(run, [figure]);
        writeReport(run);
      }
    }
    const result = { run, data: flags.data, n: ex.n, noise: noiseText(noise), noisy: before, denoised: after, files };
    out.result(result, () => {
      out.info(`${ex.n} examples of ${ex.source}, ${noiseText(noise)} noise`);
      const line = (name: string, q: Quality) => `${name}  MSE ${fmt(q.mse)}  PSNR ${q.psnr.toFixed(2)} dB${q.ssim === undefined ? '' : `  SSIM ${q.ssim.toFixed(4)}`}`;
      out.info(line('noisy   ', before));
      out.info(line('denoised', after));
      files.forEach((f) => out.info(f));
    });
  });
}

/** Registers `vaekit denoise`. */
export function registerDenoise(program: Command): void {
  modelDataOptions(
    program
      .command('denoise')
      .description("corrupt examples with noise and reconstruct them with a run's model: PSNR and SSIM of the noisy and the denoised examples against the clean ones, and a figure")
      .argument('<run>', 'run folder')
      .option('--noise <kind:level>', 'gaussian:STD, salt-pepper:P or mask:P (e.g. gaussian:0.5)', (v: string) => parseNoise(v, '--noise'))
      .option('--n <n>', 'examples shown in the figure (default 10)', positiveInt('--n', { max: 1000 }))
      .option('--out <dir>', 'write denoise.png into this folder instead of the run folder'),
  ).action((run: string, flags: DenoiseFlags) => runDenoise(run, flags));
}
