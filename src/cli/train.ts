/** `vaekit train`: resolve the config from preset, file and flags, train, and leave a run folder. */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, capacityScheduleSchema, readConfigFile, resolveConfig, type RunConfig } from '../config/index.js';
import { train } from '../train/index.js';
import { lockRun } from '../io/lock.js';
import { UsageError, VaekitError } from '../errors.js';
import { usesConv } from '../models/index.js';
import type { Dataset } from '../data/index.js';
import { ACTIVATIONS } from '../nn/index.js';
import { datasetFor, startBackend } from './common.js';
import { makeOutput, type Output } from './output.js';
import { makeProgress } from './progress.js';
import { figureHooks } from '../report/index.js';
import { newRunDir, readRunConfig } from './run-folder.js';
import { imageSize, intList, integer, number, oneOf, positiveInt } from './parse.js';
import { parseNoise, type NoiseSpec } from '../data/index.js';

const MODEL_KINDS = ['autoencoder', 'vae', 'poor-man-vae', 'cvae'] as const;
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
  klWarmup?: number;
  klCycle?: { period: number; ratio?: number };
  capacity?: { cMax: number; epochs: number; gamma?: number };
  objective?: (typeof OBJECTIVES)[number];
  k?: number;
  seed?: number;
  out?: string;
  resume?: string;
  backend?: (typeof BACKEND_OPTIONS)[number];
  json?: boolean;
  denoise?: NoiseSpec;
  imageSize?: [number, number];
  stream?: boolean;
  chunkExamples?: number;
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
  if (flags.stream) data.stream = true;
  if (flags.chunkExamples !== undefined) data.chunkExamples = flags.chunkExamples;

  let model: Record<string, unknown> = {};
  if (flags.model !== undefined && flags.model !== base.model.kind) model = { ...switchedModel(base.model, flags.model), kind: flags.model };
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
  const schedule = betaScheduleFrom(flags);
  if (schedule) model.betaSchedule = schedule;
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

/**
 * The model config kept when `--model` switches the kind: the architecture, likelihood and output-bias choice, and
 * the variance head, KL weight and its schedule between the VAE and the conditional VAE; every other kind-specific
 * option takes its default.
 */
function switchedModel(from: RunConfig['model'], to: (typeof MODEL_KINDS)[number]): Record<string, unknown> {
  const kept: Record<string, unknown> = { latent: from.latent, encoder: from.encoder, decoder: from.decoder, likelihood: from.likelihood, decoderBiasInit: from.decoderBiasInit };
  const gaussian = (k: string) => k === 'vae' || k === 'cvae';
  if (gaussian(from.kind) && gaussian(to) && (from.kind === 'vae' || from.kind === 'cvae')) {
    Object.assign(kept, { variance: from.variance, beta: from.beta, betaSchedule: from.betaSchedule, reconstructionReduction: from.reconstructionReduction });
  }
  return kept;
}

/** --kl-warmup, --kl-cycle or --capacity as a model.betaSchedule (at most one); undefined when none is given. */
function betaScheduleFrom(flags: TrainFlags): Record<string, unknown> | undefined {
  const given = (['klWarmup', 'klCycle', 'capacity'] as const).filter((k) => flags[k] !== undefined).map((k) => flagText(flags, k));
  if (given.length > 1) throw new UsageError(`${given.join(' and ')}: choose one KL schedule`);
  if (flags.capacity !== undefined && flags.beta !== undefined) throw new UsageError(`--beta ${flags.beta}: unused with --capacity, whose penalty is gamma * |KL - C| (set gamma as --capacity CMAX:EPOCHS:GAMMA)`);
  if (flags.klWarmup !== undefined) return { kind: 'linear', epochs: flags.klWarmup };
  if (flags.klCycle !== undefined) return { kind: 'cyclical', ...flags.klCycle };
  if (flags.capacity !== undefined) return { kind: 'capacity', ...flags.capacity }; // no GAMMA: the schema's default
  return undefined;
}

/** `klWarmup` -> `--kl-warmup`. */
function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
}

/** A KL-weight flag as given: `--beta 2`, `--kl-cycle 10:0.5`, `--capacity 25:100`. */
function flagText(flags: TrainFlags, key: 'beta' | 'klWarmup' | 'klCycle' | 'capacity'): string {
  const v = flags[key];
  const text = typeof v === 'object' ? Object.values(v).filter((x) => x !== undefined).join(':') : String(v);
  return `${flagName(key)} ${text}`;
}

/** Burgess et al.'s gamma for the capacity schedule, for the help text: the schema's default. */
const DEFAULT_GAMMA = capacityScheduleSchema.shape.gamma.parse(undefined);

/** `--kl-cycle PERIOD[:RATIO]`: cycles of PERIOD epochs, ramping over the first RATIO of each (default 0.5). */
function klCycle(value: string): { period: number; ratio?: number } {
  const [period, ratio, extra] = value.split(':');
  const expected = `--kl-cycle: '${value}' is not a cycle; expected PERIOD[:RATIO], a positive integer number of epochs and a ramp fraction in (0, 1], e.g. 10:0.5`;
  if (extra !== undefined) throw new UsageError(expected);
  const p = positiveInt('--kl-cycle (PERIOD)')(period);
  if (ratio === undefined) return { period: p };
  const r = number('--kl-cycle (RATIO)', { min: 0, exclusiveMin: true, max: 1, what: 'a ramp fraction in (0, 1]' })(ratio);
  return { period: p, ratio: r };
}

/** `--capacity CMAX:EPOCHS[:GAMMA]`: C ramps from 0 to CMAX nats over EPOCHS epochs; the penalty is GAMMA * |KL - C|. */
function capacity(value: string): { cMax: number; epochs: number; gamma?: number } {
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3) throw new UsageError(`--capacity: '${value}' is not a capacity schedule; expected CMAX:EPOCHS[:GAMMA], e.g. 25:100 or 25:100:1000 (C_max in nats >= 0, a positive integer number of epochs, gamma >= 0, default ${DEFAULT_GAMMA})`);
  const cMax = number('--capacity (CMAX)', { min: 0, what: 'a capacity in nats >= 0' })(parts[0]);
  const epochs = positiveInt('--capacity (EPOCHS)')(parts[1]);
  if (parts[2] === undefined) return { cMax, epochs };
  return { cMax, epochs, gamma: number('--capacity (GAMMA)', { min: 0, what: 'a weight >= 0' })(parts[2]) };
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
  const origin = flags.config ? `--config ${flags.config}` : undefined;
  const base = resolveConfig({ preset: flags.preset, file, origin });
  const kind = flags.model ?? base.model.kind;
  const weighted = (['beta', 'klWarmup', 'klCycle', 'capacity'] as const).filter((k) => flags[k] !== undefined);
  if (kind === 'autoencoder' && weighted.length > 0) throw new UsageError(`${weighted.map((k) => flagText(flags, k)).join(', ')}: an autoencoder has no KL or anchor term to weight`);
  const iwae = flags.objective === 'iwae' || (flags.objective === undefined && flags.model === undefined && base.model.kind === 'vae' && base.model.objective.kind === 'iwae');
  const scheduled = weighted.filter((k) => k !== 'beta' || flags.beta !== 1);
  if (iwae && scheduled.length > 0) throw new UsageError(`${scheduled.map((k) => flagText(flags, k)).join(', ')}: the IWAE objective is defined for beta = 1 with no KL schedule; drop ${scheduled.length > 1 ? 'them' : 'it'} or train with --objective elbo`);
  if (kind === 'cvae' && usesConv(base.model)) {
    const source = flags.model === 'cvae' ? (flags.preset ?? base.preset ?? 'the config') : flags.config ? `--config ${flags.config}` : `preset ${base.preset}`;
    throw new UsageError(`${flags.model === 'cvae' ? '--model cvae' : 'model.kind cvae'}: the conditional VAE takes MLP encoders and decoders, and ${source} has conv layers; start from an MLP preset such as mnist-cvae or mnist-vae`);
  }
  return resolveConfig({ preset: flags.preset, file, overrides: overridesFrom(flags, base), origin });
}

/**
 * A conditional VAE against its data, before anything is written: the data must have labels, and they must fit the
 * model's classes. A kind chosen by --model takes its class count from the data.
 */
function checkConditional(config: RunConfig, dataset: Dataset, flags: TrainFlags, out: Output): RunConfig {
  if (config.model.kind !== 'cvae') return config;
  if (!dataset.train.labels || !dataset.labelNames) {
    throw new UsageError(`--model cvae: the conditional VAE trains on labelled data, and '${dataset.name}' has no labels (give --label-column for a CSV, or sub-folders for PNG images)`);
  }
  const found = dataset.labelNames.length;
  if (flags.model === 'cvae' && config.model.classes !== found) {
    out.info(`notice: ${dataset.name} has ${found} classes, so the conditional VAE has ${found} (model.classes)`);
    return { ...config, model: { ...config.model, classes: found } };
  }
  if (found > config.model.classes) throw new UsageError(`model.classes ${config.model.classes}: '${dataset.name}' has ${found} classes (${dataset.labelNames.join(', ')}); expected model.classes >= ${found}`);
  return config;
}

/** Data options that only some data can take, refused where they would be silently ignored or meaningless. */
function checkDataFlags(config: RunConfig, dataset: Dataset): void {
  const { data } = config;
  if (data.labelColumn !== undefined && !/\.csv(\.gz)?$/i.test(data.name)) {
    throw new UsageError(`--label-column ${data.labelColumn}: applies to CSV data only; '${data.name}' is not a .csv file`);
  }
  if (data.stream && !dataset.stream) throw new UsageError(`--stream: streams uncompressed .npy and IDX files only; '${data.name}' is loaded whole (convert it to an uncompressed float32 .npy to stream it)`);
  if (data.chunkExamples !== undefined && !dataset.stream) throw new UsageError(`--chunk-examples ${data.chunkExamples}: applies to streamed data only; add --stream`);
  if (data.binarize === 'dynamic' && dataset.stream) {
    const { min, max } = dataset.stream.stats;
    if (min < 0 || max > 1) throw new UsageError(`--binarize (data.binarize dynamic): binarization draws pixels from grey levels in [0, 1], and '${dataset.name}' has values from ${min} to ${max}; use it on image data scaled to [0, 1]`);
  } else if (data.binarize === 'dynamic') {
    const outside = dataset.train.x.findIndex((v) => v < 0 || v > 1);
    if (outside >= 0) throw new UsageError(`--binarize (data.binarize dynamic): binarization draws pixels from grey levels in [0, 1], and '${dataset.name}' has the value ${dataset.train.x[outside]}; use it on image data`);
  }
}

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
  if (flags.resume) {
    const ignored = (['preset', 'config', 'data', 'dataPath', 'labelColumn', 'binarize', 'stream', 'chunkExamples', 'model', 'latent', 'hidden', 'activation', 'likelihood', 'batchSize', 'lr', 'beta', 'klWarmup', 'klCycle', 'capacity', 'objective', 'k', 'seed', 'limit', 'out', 'denoise', 'imageSize'] as const).filter((k) => flags[k] !== undefined);
    if (ignored.length > 0) throw new UsageError(`--resume continues a run with its own config; drop ${ignored.map(flagName).join(', ')} (only --epochs, --backend and --json apply)`);
    runDir = flags.resume;
    if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UsageError(`--resume ${runDir}: not a folder; expected a run folder to continue`);
    const recorded = readRunConfig(runDir);
    recordedBackend = recorded.backend;
    config = { ...recorded, train: { ...recorded.train, epochs: flags.epochs ?? recorded.train.epochs } };
  } else {
    config = freshConfig(flags);
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
  const dataset = datasetFor(config);
  if (!flags.resume) {
    checkDataFlags(config, dataset);
    config = checkConditional(config, dataset, flags, out);
  }
  if (!flags.resume && dataset.kind !== 'image' && config.model.likelihood.kind === 'bernoulli' && flags.likelihood === undefined) {
    // A Bernoulli decoder needs data in [0, 1]; standardized tabular or point data gets a Gaussian one.
    config = { ...config, model: { ...config.model, likelihood: { kind: 'gaussian', variance: 0.1, meanActivation: 'linear' } } };
    out.info(`notice: ${dataset.name} is ${dataset.kind} data, so the decoder is Gaussian with variance 0.1 (choose with --likelihood or a config file)`);
  }
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
    .option('--likelihood <kind>', `decoder likelihood: ${LIKELIHOODS.join(', ')}`, oneOf('--likelihood', LIKELIHOODS))
    .option('--epochs <n>', 'epochs', positiveInt('--epochs'))
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'))
    .option('--lr <x>', 'Adam learning rate', number('--lr', { min: 0, exclusiveMin: true, what: 'a learning rate > 0' }))
    .option('--beta <x>', 'weight of the KL (or anchor) term', number('--beta', { min: 0, what: 'a weight >= 0' }))
    .option('--kl-warmup <epochs>', 'KL schedule: warm the weight up linearly from 0 to beta over this many epochs', positiveInt('--kl-warmup'))
    .option('--kl-cycle <period[:ratio]>', 'KL schedule (Fu et al. 2019): cycles of PERIOD epochs, each ramping 0 to beta over its first RATIO (default 0.5), e.g. 10:0.5', klCycle)
    .option('--capacity <cmax:epochs[:gamma]>', `KL schedule (Burgess et al. 2018): loss = reconstruction + GAMMA * |KL - C|, C ramped 0 to CMAX nats over EPOCHS epochs (GAMMA default ${DEFAULT_GAMMA}; beta unused), e.g. 25:100`, capacity)
    .option('--objective <kind>', `VAE training objective: ${OBJECTIVES.join(', ')} (the IWAE bound of Burda et al.)`, oneOf('--objective', OBJECTIVES))
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
