/** `vaekit train`: resolve the config from preset, file and flags, train, and leave a run folder. */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS, DEFAULT_PRESET, MAX_WIDTH, LIKELIHOOD_KINDS, MODEL_KINDS, OBJECTIVE_KINDS, betaScheduleSchema, configSchema, dataSchema, mlpSchema, modelSchema, objectiveSchema, resolveConfig, trainSchema, type RunConfig } from '../config/index.js';
import { latestCheckpointEpoch, train } from '../train/index.js';
import { lockRun } from '../io/lock.js';
import { firstMissing } from '../io/atomic.js';
import { UsageError, VaekitError, WriteFaultError } from '../errors.js';
import { ACTIVATIONS } from '../nn/index.js';
import { datasetFor, startBackend } from './common.js';
import { makeOutput } from './output.js';
import { makeProgress } from './progress.js';
import { figureHooks } from '../report/index.js';
import { clearStoppedRun, newRunDir, readRunConfig, removeLeftovers, runState } from './run-folder.js';
import { imageSize, index, intList, integer, number, oneOf, positiveInt } from './parse.js';
import { DATA_ACCEPTED, DEFAULT_MISSING, MISSING_POLICIES, parseColumnList, parseDelimiter, parseNoise, parseShape } from '../data/index.js';
import { DEFAULT_GAMMA, capacity, configLayers, flagName, klCycle, type TrainFlags } from './train-flags.js';
import { optionField, schemaDefault, withDefault } from './train-help.js';

/** `s` after a count: `1 epoch`, `2 epochs`. */
const epochsText = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;

async function runTrain(flags: TrainFlags): Promise<void> {
  const started = performance.now();
  const out = makeOutput(flags.json === true);
  let config: RunConfig;
  let runDir: string;
  let recordedBackend: string | undefined;
  let layers: ReturnType<typeof configLayers> | undefined;
  if (flags.resume) {
    const ignored = (['preset', 'config', 'data', 'dataPath', 'labelColumn', 'skipRows', 'delimiter', 'categorical', 'missing', 'shape', 'binarize', 'stream', 'chunkExamples', 'model', 'latent', 'hidden', 'activation', 'likelihood', 'batchSize', 'lr', 'beta', 'klWarmup', 'klCycle', 'capacity', 'objective', 'k', 'seed', 'limit', 'out', 'denoise', 'imageSize', 'initFrom'] as const).filter((k) => flags[k] !== undefined);
    if (ignored.length > 0) throw new UsageError(`--resume continues a run with its own config; drop ${ignored.map(flagName).join(', ')} (only --epochs, --backend and --json apply)`);
    runDir = flags.resume;
    if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UsageError(`--resume ${runDir}: not a folder; expected a run folder to continue`);
    const recorded = readRunConfig(runDir);
    if (runState(runDir) === 'stopped-before-checkpoint') {
      throw new UsageError(`--resume ${runDir}: the run stopped before its first checkpoint, so there is nothing to resume; start it afresh with vaekit train --config ${path.join(runDir, 'config.json')} --out ${runDir} (a run folder without a checkpoint or model is reused)`);
    }
    const latest = latestCheckpointEpoch(runDir);
    if (flags.epochs !== undefined && latest !== undefined && flags.epochs < latest) {
      throw new UsageError(`--epochs ${flags.epochs}: the run already has ${epochsText(latest)}; --epochs ${flags.epochs} would train none: give --epochs ${latest + 1} or more`);
    }
    recordedBackend = recorded.backend;
    config = { ...recorded, train: { ...recorded.train, epochs: flags.epochs ?? recorded.train.epochs } };
  } else {
    layers = configLayers(flags);
    config = resolveConfig(layers);
    runDir = flags.out ?? newRunDir(config);
    if (existsSync(runDir) && !statSync(runDir).isDirectory()) throw new UsageError(`--out ${runDir}: exists and is not a folder; expected a folder for the run`);
    if (runState(runDir) === 'run') {
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
  // A fresh run that fails before its first checkpoint (other than by a NaN loss, whose folder stays to be looked at
  // and is reused by the next fresh run) leaves no folder behind, not even one holding only run.lock.
  const created = flags.resume ? undefined : firstMissing(runDir);
  let release: (() => void) | undefined;
  let progress: ReturnType<typeof makeProgress> | undefined;
  let result;
  try {
    mkdirSync(runDir, { recursive: true });
    release = lockRun(runDir);
    // Only now, holding the lock, may the folder's old contents go: another process could have been training into it.
    if (!flags.resume && clearStoppedRun(runDir)) out.info(`--out ${runDir}: reusing the folder of a run that stopped before its first checkpoint`);
    const leftovers = removeLeftovers(runDir);
    if (leftovers.length > 0) out.info(`removed ${leftovers.length} temporary file${leftovers.length === 1 ? '' : 's'} left by a stopped vaekit process (${leftovers.map((f) => path.relative(runDir, f)).join(', ')})`);
    out.info(`run: ${runDir}`);
    const counts = dataset.stream ? `${dataset.stream.train.n} train, ${dataset.stream.test.n} test, streamed in chunks of ${dataset.stream.chunkExamples}` : `${dataset.train.n} train, ${dataset.test.n} test`;
    out.info(`data: ${dataset.name} (${counts}, shape [${dataset.shape.join(', ')}])`);
    progress = makeProgress(out, config.train.epochs);
    const figures = figureHooks({ runDir, modelConfig: config.model, seed: config.train.seed, notice: out.info, status: progress.status, onFigure: progress.figure });
    const notice = (line: string) => process.stderr.write(`vaekit: warning: ${line}\n`);
    result = await train({ config, dataset, runDir, backend, resume: Boolean(flags.resume), onNotice: notice, onProgress: progress.onProgress, onEpoch: (m) => (progress!.onEpoch(m), figures.onEpoch()) });
    figures.atEnd(result.model, dataset, result.history);
  } catch (err) {
    const kept = latestCheckpointEpoch(runDir);
    const removed = created !== undefined && kept === undefined && !(err instanceof VaekitError && err.code === 'numeric');
    if (removed) rmSync(created, { recursive: true, force: true });
    if (err instanceof WriteFaultError) {
      throw err.with({ advice: kept === undefined ? `no epoch's checkpoint was written${removed ? `, so ${runDir} was removed` : ''}; ${err.remedy} and run the command again` : `epoch ${kept}'s checkpoint is kept; ${err.remedy} and run vaekit train --resume ${runDir}` });
    }
    throw err;
  } finally {
    progress?.stop();
    release?.();
  }
  const last = result.history.at(-1);
  result.model.dispose();
  const done = last?.epoch ?? 0;
  if (result.epochsRun === 0 && flags.epochs !== undefined && flags.epochs < done) {
    throw new UsageError(`--epochs ${flags.epochs}: the run already has ${epochsText(done)}; --epochs ${flags.epochs} would train none: give --epochs ${done + 1} or more`);
  }
  const seconds = (performance.now() - started) / 1000; // the whole command: data, training, figures
  const summary = {
    run: runDir,
    epochs: last?.epoch ?? 0,
    backend,
    train: last?.train,
    test: last?.test,
    samplesPerSecond: last?.samplesPerSecond,
    model: path.join(runDir, 'model'),
    seconds: Number(seconds.toFixed(2)),
  };
  out.result(summary, () => {
    if (result.epochsRun === 0) out.info(`the run already has ${epochsText(done)} and --epochs is ${config.train.epochs}; give --epochs ${done + 1} or more to train further`);
    out.info(`done: ${runDir} in ${seconds.toFixed(1)} s (model in ${summary.model}, metrics in ${path.join(runDir, 'metrics.jsonl')})`);
  });
}

/** Registers `vaekit train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model and write a run folder (config, metrics, checkpoints, model)')
    .option('--preset <name>', `start from a preset (see \`vaekit presets\`); default ${DEFAULT_PRESET}`)
    .option('--config <file>', 'a JSON config file, merged over the preset')
    .option('--data <name>', withDefault(DATA_ACCEPTED, ['data', 'name'], dataSchema.shape.name))
    .option('--data-path <path>', 'Fashion-MNIST folder, or the labels file of an IDX dataset')
    .option('--label-column <name|index>', 'CSV: the column holding labels')
    .option('--skip-rows <n>', 'CSV: skip the first n lines (scikit-learn exports start with a line of counts: --skip-rows 1)', index('--skip-rows'))
    .option('--delimiter <d>', 'CSV: , (comma), ; (semicolon) or tab (default: sniffed from the first lines)', (v: string) => parseDelimiter(v, '--delimiter'))
    .option('--categorical <columns>', 'CSV: feature columns read as categories even when numeric (zip codes), by header name or 0-based index, e.g. zip,3', (v: string) => parseColumnList(v, '--categorical'))
    .option('--missing <policy>', `CSV: missing cells (empty, NA, N/A, NaN, null, ?): ${MISSING_POLICIES.join(', ')} (drop their rows, or fill with the column mean or most frequent category); default ${DEFAULT_MISSING}`, oneOf('--missing', MISSING_POLICIES))
    .option('--shape <HxW[xC]>', 'CSV: read each row\'s feature columns as an H x W image with C channels (1, 3 or 4; default 1), row-major (H, then W, then C); scaled by 1/max when the max is over 1', (v: string) => parseShape(v, '--shape'))
    .option('--limit <n>', 'use only the first n training examples', positiveInt('--limit'))
    .option('--binarize', 'dynamically binarize the data at every batch')
    .option('--model <kind>', withDefault(`model kind: ${MODEL_KINDS.join(', ')}; switching the preset's kind keeps its data, training settings and architecture (cvae: MLP layers, classes from the data's labels)`, ['model', 'kind']), oneOf('--model', MODEL_KINDS))
    .option('--latent <n>', withDefault('latent size', ['model', 'latent']), positiveInt('--latent', { max: MAX_WIDTH }))
    .option('--hidden <sizes>', withDefault('hidden layer sizes, e.g. 400 or 512,256 (decoder mirrors them)', ['model', 'encoder', 'hidden'], mlpSchema.shape.hidden), intList('--hidden', { max: MAX_WIDTH }))
    .option('--activation <fn>', withDefault(`hidden activation: ${ACTIVATIONS.join(', ')}`, ['model', 'encoder', 'activation'], mlpSchema.shape.activation), oneOf('--activation', ACTIVATIONS))
    .option('--likelihood <kind>', withDefault(`decoder likelihood: ${LIKELIHOOD_KINDS.join(', ')}`, ['model', 'likelihood', 'kind']), oneOf('--likelihood', LIKELIHOOD_KINDS))
    .option('--epochs <n>', withDefault('epochs', ['train', 'epochs'], trainSchema.shape.epochs), positiveInt('--epochs'))
    .option('--batch-size <n>', withDefault('batch size', ['train', 'batchSize'], trainSchema.shape.batchSize), positiveInt('--batch-size'))
    .option('--lr <x>', withDefault('Adam learning rate', ['train', 'lr'], trainSchema.shape.lr), number('--lr', { min: 0, exclusiveMin: true, what: 'a learning rate > 0' }))
    .option('--beta <x>', withDefault('weight of the KL (or anchor) term', ['model', 'beta'], optionField(modelSchema, 'vae', 'beta')), number('--beta', { min: 0, what: 'a weight >= 0' }))
    .option('--kl-warmup <epochs>', 'KL schedule: warm the weight up linearly from 0 to beta over this many epochs', positiveInt('--kl-warmup'))
    .option('--kl-cycle <period[:ratio]>', `KL schedule (Fu et al. 2019): cycles of PERIOD epochs, each ramping 0 to beta over its first RATIO (default ${schemaDefault(optionField(betaScheduleSchema, 'cyclical', 'ratio'))} from the schema), e.g. 10:0.5`, klCycle)
    .option('--capacity <cmax:epochs[:gamma]>', `KL schedule (Burgess et al. 2018): loss = reconstruction + GAMMA * |KL - C|, C ramped 0 to CMAX nats over EPOCHS epochs (GAMMA default ${DEFAULT_GAMMA} from the schema; beta unused), e.g. 25:100`, capacity)
    .option('--objective <kind>', withDefault(`VAE training objective: ${OBJECTIVE_KINDS.join(', ')} (the IWAE bound of Burda et al.; MIWAE and CIWAE of Rainforth et al., their m and beta in a config file)`, ['model', 'objective'], optionField(modelSchema, 'vae', 'objective')), oneOf('--objective', OBJECTIVE_KINDS))
    .option('--k <n>', withDefault('importance samples per example (per group for miwae and piwae) for --objective iwae, miwae, ciwae or piwae', ['model', 'objective', 'k'], optionField(objectiveSchema, 'iwae', 'k')), positiveInt('--k'))
    .option('--seed <n>', withDefault('random seed', ['train', 'seed'], trainSchema.shape.seed), integer('--seed'))
    .option('--denoise <kind:level>', 'denoising training: corrupt each input with gaussian:STD, salt-pepper:P or mask:P noise, reconstruct the clean one', (v: string) => parseNoise(v, '--denoise'))
    .option('--image-size <HxW>', 'a folder of PNG images: resize every image to H x W pixels (default the first image\'s size)', imageSize('--image-size'))
    .option('--stream', 'uncompressed .npy or IDX data: train from the file in shuffled chunks, never loading it whole (see README, Data)')
    .option('--chunk-examples <n>', 'with --stream: examples per chunk (default 8 MiB of rows); the shuffle depends on it', positiveInt('--chunk-examples'))
    .option('--out <dir>', 'run folder (default runs/<preset>-<time>); one whose run stopped before its first checkpoint is reused')
    .option('--resume <run>', 'continue a run from its latest valid checkpoint')
    .option('--init-from <run>', "start from RUN's model weights instead of a random initialization (the same architecture: every variable by name and shape); Adam starts afresh")
    .option('--backend <name>', withDefault(`tensor backend: ${BACKEND_OPTIONS.join(', ')}`, ['backend'], configSchema.shape.backend), oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object with the result')
    .action(runTrain);
}
