/** `vaekit train`: resolve the config from preset, file and flags, train, and leave a run folder. */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, LIKELIHOOD_KINDS, MODEL_KINDS, OBJECTIVE_KINDS, resolveConfig, type RunConfig } from '../config/index.js';
import { train } from '../train/index.js';
import { lockRun } from '../io/lock.js';
import { UsageError, VaekitError } from '../errors.js';
import { ACTIVATIONS } from '../nn/index.js';
import { datasetFor, startBackend } from './common.js';
import { makeOutput } from './output.js';
import { makeProgress } from './progress.js';
import { figureHooks } from '../report/index.js';
import { newRunDir, readRunConfig } from './run-folder.js';
import { imageSize, intList, integer, number, oneOf, positiveInt } from './parse.js';
import { parseNoise } from '../data/index.js';
import { DEFAULT_GAMMA, capacity, configLayers, flagName, klCycle, type TrainFlags } from './train-flags.js';

/** The first folder of `dir`'s path that does not exist yet: what a failed fresh run must remove to leave nothing behind. */
function firstMissing(dir: string): string | undefined {
  let missing: string | undefined;
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) missing = d;
  return missing;
}

async function runTrain(flags: TrainFlags): Promise<void> {
  const out = makeOutput(flags.json === true);
  let config: RunConfig;
  let runDir: string;
  let recordedBackend: string | undefined;
  let layers: ReturnType<typeof configLayers> | undefined;
  if (flags.resume) {
    const ignored = (['preset', 'config', 'data', 'dataPath', 'labelColumn', 'binarize', 'stream', 'chunkExamples', 'model', 'latent', 'hidden', 'activation', 'likelihood', 'batchSize', 'lr', 'beta', 'klWarmup', 'klCycle', 'capacity', 'objective', 'k', 'seed', 'limit', 'out', 'denoise', 'imageSize'] as const).filter((k) => flags[k] !== undefined);
    if (ignored.length > 0) throw new UsageError(`--resume continues a run with its own config; drop ${ignored.map(flagName).join(', ')} (only --epochs, --backend and --json apply)`);
    runDir = flags.resume;
    if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UsageError(`--resume ${runDir}: not a folder; expected a run folder to continue`);
    const recorded = readRunConfig(runDir);
    recordedBackend = recorded.backend;
    config = { ...recorded, train: { ...recorded.train, epochs: flags.epochs ?? recorded.train.epochs } };
  } else {
    layers = configLayers(flags);
    config = resolveConfig(layers);
    runDir = flags.out ?? newRunDir(config);
    if (existsSync(runDir) && !statSync(runDir).isDirectory()) throw new UsageError(`--out ${runDir}: exists and is not a folder; expected a folder for the run`);
    if (existsSync(path.join(runDir, 'config.json'))) {
      throw new UsageError(`--out ${runDir}: the folder already holds a run; continue it with --resume ${runDir} or choose another --out`);
    }
  }
  const requested = flags.backend ?? (recordedBackend as RunConfig['backend'] | undefined) ?? config.backend;
  const backend = await startBackend(requested, out);
  if (recordedBackend && recordedBackend !== 'auto' && backend !== recordedBackend) {
    out.info(`notice: the run was trained on ${recordedBackend} and continues on ${backend}; results will not match an uninterrupted run bit for bit`);
  }
  const dataset = datasetFor(config, flags);
  // A fresh run's config is fitted to its data (resolveConfig's data rules); a resumed one is the run's own.
  if (layers) config = resolveConfig({ ...layers, dataset, onNotice: out.info });
  // A fresh run that fails on a usage or input error before its first epoch leaves no folder behind.
  const created = flags.resume ? undefined : firstMissing(runDir);
  mkdirSync(runDir, { recursive: true });
  const release = lockRun(runDir);
  out.info(`run: ${runDir}`);
  const counts = dataset.stream ? `${dataset.stream.train.n} train, ${dataset.stream.test.n} test, streamed in chunks of ${dataset.stream.chunkExamples}` : `${dataset.train.n} train, ${dataset.test.n} test`;
  out.info(`data: ${dataset.name} (${counts}, shape [${dataset.shape.join(', ')}])`);
  const progress = makeProgress(out, config.train.epochs);
  const figures = figureHooks({ runDir, modelKind: config.model.kind, seed: config.train.seed, notice: out.info });
  let result;
  let epochsDone = 0;
  try {
    result = await train({ config, dataset, runDir, backend, resume: Boolean(flags.resume), onProgress: progress.onProgress, onEpoch: (m) => (epochsDone++, progress.onEpoch(m), figures.onEpoch()) });
    figures.atEnd(result.model, dataset, result.history);
  } catch (err) {
    if (created && epochsDone === 0 && err instanceof VaekitError && err.code !== 'numeric') rmSync(created, { recursive: true, force: true });
    throw err;
  } finally {
    progress.stop();
    release();
  }
  const last = result.history.at(-1);
  result.model.dispose();
  const summary = {
    run: runDir,
    epochs: last?.epoch ?? 0,
    backend,
    train: last?.train,
    test: last?.test,
    samplesPerSecond: last?.samplesPerSecond,
    model: path.join(runDir, 'model'),
  };
  out.result(summary, () => {
    if (result.epochsRun === 0) out.info(`the run already has ${config.train.epochs} epochs; raise --epochs to train further`);
    out.info(`done: ${runDir} (model in ${summary.model}, metrics in ${path.join(runDir, 'metrics.jsonl')})`);
  });
}

/** Registers `vaekit train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model and write a run folder (config, metrics, checkpoints, model)')
    .option('--preset <name>', 'start from a preset (see `vaekit presets`); default mnist-vae')
    .option('--config <file>', 'a JSON config file, merged over the preset')
    .option('--data <name>', 'mnist, fashion-mnist, swiss-roll, swiss-roll-3d, or a .csv, .npy or IDX file')
    .option('--data-path <path>', 'Fashion-MNIST folder, or the labels file of an IDX dataset')
    .option('--label-column <name|index>', 'CSV: the column holding labels')
    .option('--limit <n>', 'use only the first n training examples', positiveInt('--limit'))
    .option('--binarize', 'dynamically binarize the data at every batch')
    .option('--model <kind>', `model kind: ${MODEL_KINDS.join(', ')}; switching the preset's kind keeps its data, training settings and architecture (cvae: MLP layers, classes from the data's labels)`, oneOf('--model', MODEL_KINDS))
    .option('--latent <n>', 'latent size', positiveInt('--latent'))
    .option('--hidden <sizes>', 'hidden layer sizes, e.g. 400 or 512,256 (decoder mirrors them)', intList('--hidden'))
    .option('--activation <fn>', `hidden activation: ${ACTIVATIONS.join(', ')}`, oneOf('--activation', ACTIVATIONS))
    .option('--likelihood <kind>', `decoder likelihood: ${LIKELIHOOD_KINDS.join(', ')}`, oneOf('--likelihood', LIKELIHOOD_KINDS))
    .option('--epochs <n>', 'epochs', positiveInt('--epochs'))
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'))
    .option('--lr <x>', 'Adam learning rate', number('--lr', { min: 0, exclusiveMin: true, what: 'a learning rate > 0' }))
    .option('--beta <x>', 'weight of the KL (or anchor) term', number('--beta', { min: 0, what: 'a weight >= 0' }))
    .option('--kl-warmup <epochs>', 'KL schedule: warm the weight up linearly from 0 to beta over this many epochs', positiveInt('--kl-warmup'))
    .option('--kl-cycle <period[:ratio]>', 'KL schedule (Fu et al. 2019): cycles of PERIOD epochs, each ramping 0 to beta over its first RATIO (default 0.5), e.g. 10:0.5', klCycle)
    .option('--capacity <cmax:epochs[:gamma]>', `KL schedule (Burgess et al. 2018): loss = reconstruction + GAMMA * |KL - C|, C ramped 0 to CMAX nats over EPOCHS epochs (GAMMA default ${DEFAULT_GAMMA}; beta unused), e.g. 25:100`, capacity)
    .option('--objective <kind>', `VAE training objective: ${OBJECTIVE_KINDS.join(', ')} (the IWAE bound of Burda et al.)`, oneOf('--objective', OBJECTIVE_KINDS))
    .option('--k <n>', 'importance samples per example for --objective iwae (default 50)', positiveInt('--k'))
    .option('--seed <n>', 'random seed', integer('--seed'))
    .option('--denoise <kind:level>', 'denoising training: corrupt each input with gaussian:STD, salt-pepper:P or mask:P noise, reconstruct the clean one', (v: string) => parseNoise(v, '--denoise'))
    .option('--image-size <HxW>', 'a folder of PNG images: resize every image to H x W pixels (default the first image\'s size)', imageSize('--image-size'))
    .option('--stream', 'uncompressed .npy or IDX data: train from the file in shuffled chunks, never loading it whole (see README, Data)')
    .option('--chunk-examples <n>', 'with --stream: examples per chunk (default 8 MiB of rows); the shuffle depends on it', positiveInt('--chunk-examples'))
    .option('--out <dir>', 'run folder (default runs/<preset>-<time>)')
    .option('--resume <run>', 'continue a run from its last checkpoint')
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object with the result')
    .action(runTrain);
}
