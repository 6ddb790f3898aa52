/** `vaekit train`: resolve the config from preset, file and flags, train, and leave a run folder. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, readConfigFile, resolveConfig, type RunConfig } from '../config/index.js';
import { train } from '../train/index.js';
import { lockRun } from '../io/lock.js';
import { UsageError } from '../errors.js';
import { ACTIVATIONS } from '../nn/index.js';
import { datasetFor, startBackend } from './common.js';
import { makeOutput } from './output.js';
import { makeProgress } from './progress.js';
import { figureHooks } from '../report/index.js';
import { newRunDir, readRunConfig } from './run-folder.js';
import { imageSize, intList, integer, number, oneOf, positiveInt } from './parse.js';
import { parseNoise, type NoiseSpec } from '../data/index.js';

const MODEL_KINDS = ['autoencoder', 'vae', 'poor-man-vae'] as const;
const LIKELIHOODS = ['bernoulli', 'gaussian', 'squared-error'] as const;
const OBJECTIVES = ['elbo', 'iwae'] as const;

interface TrainFlags {
  preset?: string;
  config?: string;
  data?: string;
  dataPath?: string;
  labelColumn?: string;
  limit?: number;
  binarize?: boolean;
  model?: (typeof MODEL_KINDS)[number];
  latent?: number;
  hidden?: number[];
  activation?: (typeof ACTIVATIONS)[number];
  likelihood?: (typeof LIKELIHOODS)[number];
  epochs?: number;
  batchSize?: number;
  lr?: number;
  beta?: number;
  objective?: (typeof OBJECTIVES)[number];
  k?: number;
  seed?: number;
  out?: string;
  resume?: string;
  backend?: (typeof BACKEND_OPTIONS)[number];
  json?: boolean;
  denoise?: NoiseSpec;
  imageSize?: [number, number];
}

/** Flag values as a partial config, deep-merged over the preset and the config file. */
function overridesFrom(flags: TrainFlags, base: RunConfig): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (flags.data !== undefined) data.name = flags.data;
  if (flags.dataPath !== undefined) data.path = flags.dataPath;
  if (flags.labelColumn !== undefined) data.labelColumn = /^\d+$/.test(flags.labelColumn) ? Number(flags.labelColumn) : flags.labelColumn;
  if (flags.limit !== undefined) data.limit = flags.limit;
  if (flags.binarize) data.binarize = 'dynamic';
  if (flags.imageSize !== undefined) data.imageSize = flags.imageSize;

  let model: Record<string, unknown> = {};
  if (flags.model !== undefined && flags.model !== base.model.kind) {
    // Switching the kind keeps the architecture and likelihood; kind-specific options take their defaults.
    const { kind: _old, ...rest } = base.model;
    const common = { latent: rest.latent, encoder: rest.encoder, decoder: rest.decoder, likelihood: rest.likelihood };
    model = { ...common, kind: flags.model };
  }
  if (flags.latent !== undefined) model.latent = flags.latent;
  if (flags.hidden !== undefined) {
    model.encoder = { hidden: flags.hidden };
    model.decoder = { hidden: [...flags.hidden].reverse() };
  }
  if (flags.activation !== undefined) {
    model.encoder = { ...(model.encoder as object), activation: flags.activation };
    model.decoder = { ...(model.decoder as object), activation: flags.activation };
  }
  if (flags.likelihood !== undefined) {
    model.likelihood =
      flags.likelihood === 'bernoulli'
        ? { kind: 'bernoulli' }
        : { kind: flags.likelihood, meanActivation: 'linear', ...(flags.likelihood === 'gaussian' ? { variance: 1 } : {}) };
  }
  if (flags.beta !== undefined) model.beta = flags.beta;
  const objective = objectiveFrom(flags, base);
  if (objective) model.objective = objective;
  const trainOpts: Record<string, unknown> = {};
  if (flags.epochs !== undefined) trainOpts.epochs = flags.epochs;
  if (flags.batchSize !== undefined) trainOpts.batchSize = flags.batchSize;
  if (flags.lr !== undefined) trainOpts.lr = flags.lr;
  if (flags.seed !== undefined) trainOpts.seed = flags.seed;
  if (flags.denoise !== undefined) trainOpts.denoise = flags.denoise;
  return { data, model, train: trainOpts, ...(flags.backend ? { backend: flags.backend } : {}) };
}

/** `--objective` and `--k` as a model.objective, checked against the model kind; undefined when neither is given. */
function objectiveFrom(flags: TrainFlags, base: RunConfig): Record<string, unknown> | undefined {
  if (flags.objective === undefined && flags.k === undefined) return undefined;
  const kind = flags.model ?? base.model.kind;
  if (kind !== 'vae') throw new UsageError(`--objective/--k: only a VAE has an ELBO or IWAE objective; the model is ${kind}`);
  const current = base.model.kind === 'vae' ? base.model.objective.kind : 'elbo';
  const chosen = flags.objective ?? current;
  if (chosen === 'elbo') {
    if (flags.k !== undefined) throw new UsageError(`--k ${flags.k}: the number of importance samples applies to --objective iwae only`);
    return { kind: 'elbo' };
  }
  return { kind: 'iwae', ...(flags.k !== undefined ? { k: flags.k } : {}) };
}

/** Builds the config for a fresh run. */
function freshConfig(flags: TrainFlags): RunConfig {
  const file = flags.config ? readConfigFile(flags.config) : undefined;
  const base = resolveConfig({ preset: flags.preset, file });
  const config = resolveConfig({ preset: flags.preset, file, overrides: overridesFrom(flags, base) });
  if (flags.beta !== undefined && config.model.kind === 'autoencoder') throw new UsageError('--beta: an autoencoder has no KL or anchor term to weight');
  return config;
}

async function runTrain(flags: TrainFlags): Promise<void> {
  const out = makeOutput(flags.json === true);
  let config: RunConfig;
  let runDir: string;
  let recordedBackend: string | undefined;
  if (flags.resume) {
    const ignored = (['preset', 'config', 'data', 'model', 'latent', 'hidden', 'activation', 'likelihood', 'batchSize', 'lr', 'beta', 'objective', 'k', 'seed', 'limit', 'out', 'denoise', 'imageSize'] as const).filter((k) => flags[k] !== undefined);
    if (ignored.length > 0) throw new UsageError(`--resume continues a run with its own config; drop ${ignored.map((k) => `--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`).join(', ')} (only --epochs, --backend and --json apply)`);
    runDir = flags.resume;
    const recorded = readRunConfig(runDir);
    recordedBackend = recorded.backend;
    config = { ...recorded, train: { ...recorded.train, epochs: flags.epochs ?? recorded.train.epochs } };
  } else {
    config = freshConfig(flags);
    runDir = flags.out ?? newRunDir(config);
    if (existsSync(path.join(runDir, 'config.json'))) {
      throw new UsageError(`--out ${runDir}: the folder already holds a run; continue it with --resume ${runDir} or choose another --out`);
    }
  }
  const requested = flags.backend ?? (recordedBackend as RunConfig['backend'] | undefined) ?? config.backend;
  const backend = await startBackend(requested, out);
  if (recordedBackend && recordedBackend !== 'auto' && backend !== recordedBackend) {
    out.info(`notice: the run was trained on ${recordedBackend} and continues on ${backend}; results will not match an uninterrupted run bit for bit`);
  }
  const dataset = datasetFor(config);
  if (!flags.resume && dataset.kind !== 'image' && config.model.likelihood.kind === 'bernoulli' && flags.likelihood === undefined) {
    // A Bernoulli decoder needs data in [0, 1]; standardized tabular or point data gets a Gaussian one.
    config = { ...config, model: { ...config.model, likelihood: { kind: 'gaussian', variance: 0.1, meanActivation: 'linear' } } };
    out.info(`notice: ${dataset.name} is ${dataset.kind} data, so the decoder is Gaussian with variance 0.1 (choose with --likelihood or a config file)`);
  }
  mkdirSync(runDir, { recursive: true });
  const release = lockRun(runDir);
  out.info(`run: ${runDir}`);
  out.info(`data: ${dataset.name} (${dataset.train.n} train, ${dataset.test.n} test, shape [${dataset.shape.join(', ')}])`);
  const progress = makeProgress(out, config.train.epochs);
  const figures = figureHooks({ runDir, modelKind: config.model.kind, seed: config.train.seed, notice: out.info });
  let result;
  try {
    result = await train({ config, dataset, runDir, backend, resume: Boolean(flags.resume), onProgress: progress.onProgress, onEpoch: (m) => (progress.onEpoch(m), figures.onEpoch()) });
    figures.atEnd(result.model, dataset, result.history);
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
    .option('--model <kind>', `model kind: ${MODEL_KINDS.join(', ')}`, oneOf('--model', MODEL_KINDS))
    .option('--latent <n>', 'latent size', positiveInt('--latent'))
    .option('--hidden <sizes>', 'hidden layer sizes, e.g. 400 or 512,256 (decoder mirrors them)', intList('--hidden'))
    .option('--activation <fn>', `hidden activation: ${ACTIVATIONS.join(', ')}`, oneOf('--activation', ACTIVATIONS))
    .option('--likelihood <kind>', `decoder likelihood: ${LIKELIHOODS.join(', ')}`, oneOf('--likelihood', LIKELIHOODS))
    .option('--epochs <n>', 'epochs', positiveInt('--epochs'))
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'))
    .option('--lr <x>', 'Adam learning rate', number('--lr', { min: 0, exclusiveMin: true, what: 'a learning rate > 0' }))
    .option('--beta <x>', 'weight of the KL (or anchor) term', number('--beta', { min: 0, what: 'a weight >= 0' }))
    .option('--objective <kind>', `VAE training objective: ${OBJECTIVES.join(', ')} (the IWAE bound of Burda et al.)`, oneOf('--objective', OBJECTIVES))
    .option('--k <n>', 'importance samples per example for --objective iwae (default 50)', positiveInt('--k'))
    .option('--seed <n>', 'random seed', integer('--seed'))
    .option('--denoise <kind:level>', 'denoising training: corrupt each input with gaussian:STD, salt-pepper:P or mask:P noise, reconstruct the clean one', (v: string) => parseNoise(v, '--denoise'))
    .option('--image-size <HxW>', 'a folder of PNG images: resize every image to H x W pixels (default the first image\'s size)', imageSize('--image-size'))
    .option('--out <dir>', 'run folder (default runs/<preset>-<time>)')
    .option('--resume <run>', 'continue a run from its last checkpoint')
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object with the result')
    .action(runTrain);
}
