/**
 * The rules that tie a config to the data it trains on, in one place for the CLI and the library (resolveConfig with
 * a dataset applies them): options that only some data can take, a conditional VAE's labels and classes, and the
 * decoder likelihood of data that is not images.
 */
import { UsageError } from '../errors.js';
import type { Dataset } from '../data/types.js';
import { categoricalBlocks } from '../data/tabular.js';
import { csvFlagsGiven } from '../data/csv.js';
import type { LikelihoodConfig, RunConfig } from './schema.js';
import { kindConfig } from '../models/kinds.js';

/** What the layers of a config chose themselves, as opposed to what the preset or the schema's defaults gave. */
export interface DataChoices {
  /** The file or the overrides set model.likelihood: keep it whatever the data. */
  likelihoodChosen: boolean;
  /** Who set model.likelihood, for errors: a flag as typed (`--likelihood bernoulli`), a config file, a preset. */
  likelihoodBy?: string;
  /** The overrides switched the model to a conditional VAE without classes: take the classes from the data's labels. */
  classesFromData: boolean;
}

/** The decoder of data that is not images: standardized tabular or point data is unbounded, so no Bernoulli. */
export const NON_IMAGE_LIKELIHOOD: LikelihoodConfig = { kind: 'gaussian', variance: 0.1, meanActivation: 'linear' };

/** Data options that only some data can take, refused where they would be silently ignored or meaningless. */
function checkDataOptions(config: RunConfig, dataset: Dataset): void {
  const { data } = config;
  const csvOnly = csvFlagsGiven(data);
  if (csvOnly.length > 0 && !/\.csv(\.gz)?$/i.test(data.name)) throw new UsageError(`${csvOnly.join(', ')}: applies to CSV data only; '${data.name}' is not a .csv file`);
  if (data.stream && !dataset.stream) throw new UsageError(`--stream: streams uncompressed .npy and IDX files only; '${data.name}' is loaded whole (convert it to an uncompressed float32 .npy to stream it)`);
  if (data.chunkExamples !== undefined && !dataset.stream) throw new UsageError(`--chunk-examples ${data.chunkExamples}: applies to streamed data only; add --stream`);
  if (data.binarize !== 'dynamic') return;
  const binarizeError = (found: string) =>
    new UsageError(`--binarize (data.binarize dynamic): binarization draws pixels from grey levels in [0, 1], and '${dataset.name}' has ${found}; use it on image data${dataset.stream ? ' scaled to [0, 1]' : ''}`);
  if (dataset.stream) {
    const { min, max } = dataset.stream.stats;
    if (min < 0 || max > 1) throw binarizeError(`values from ${min} to ${max}`);
    return;
  }
  const outside = dataset.train.x.findIndex((v) => v < 0 || v > 1);
  if (outside >= 0) throw binarizeError(`the value ${dataset.train.x[outside]}`);
}

/** The smallest and largest value of the data's examples (a stream's from its statistics pass). */
function valueRange(dataset: Dataset): { min: number; max: number } {
  if (dataset.stream) return dataset.stream.stats;
  let [min, max] = [Infinity, -Infinity];
  for (const x of [dataset.train.x, dataset.test.x]) {
    for (let i = 0; i < x.length; i++) {
      if (x[i] < min) min = x[i];
      if (x[i] > max) max = x[i];
    }
  }
  return { min, max };
}

/**
 * A Bernoulli decoder is a likelihood of values in [0, 1]: on data outside it (standardized tabular data, points) its
 * loss is unbounded below and training "improves" without limit, so it is refused, naming who chose it.
 */
function checkLikelihood(config: RunConfig, dataset: Dataset, by: string): void {
  if (config.model.likelihood.kind !== 'bernoulli') return;
  const { min, max } = valueRange(dataset);
  if (min >= 0 && max <= 1) return;
  const standardized = dataset.preprocessing.kind === 'standardize' ? ' (standardized)' : '';
  throw new UsageError(
    `${by}: a Bernoulli decoder needs data in [0, 1], and '${dataset.name}' has values from ${min.toPrecision(4)} to ${max.toPrecision(4)}${standardized}; use --likelihood gaussian (or squared-error), or data scaled to [0, 1]`,
  );
}

/** A conditional model needs labelled data whose classes fit model.classes (taken from the data when `classesFromData`). */
function fitClasses(config: RunConfig, dataset: Dataset, classesFromData: boolean, notice: (line: string) => void): RunConfig {
  if (!kindConfig(config.model.kind)?.conditional) return config;
  const model = config.model as RunConfig['model'] & { classes: number };
  if (!dataset.train.labels || !dataset.labelNames) {
    throw new UsageError(`--model ${model.kind}: the conditional VAE trains on labelled data, and '${dataset.name}' has no labels (give --label-column for a CSV, or sub-folders for PNG images)`);
  }
  const found = dataset.labelNames.length;
  if (classesFromData && model.classes !== found) {
    notice(`notice: ${dataset.name} has ${found} classes, so the conditional VAE has ${found} (model.classes)`);
    return { ...config, model: { ...model, classes: found } as RunConfig['model'] };
  }
  if (found > model.classes) throw new UsageError(`model.classes ${model.classes}: '${dataset.name}' has ${found} classes (${dataset.labelNames.join(', ')}); expected model.classes >= ${found}`);
  return config;
}

/**
 * The fields a kind takes from the data when the config leaves them out (its config's `fromData`: beta-TCVAE's N, the
 * training set's size). Fills only what is missing, so applying it twice changes nothing; `train` applies it to every
 * config it is given, so a config resolved without its dataset (a bench, a library caller) gets the same N.
 *
 * @example
 * fitKindToData(config, dataset).model; // { kind: 'beta-tcvae', ..., datasetSize: dataset.train.n }
 */
export function fitKindToData(config: RunConfig, dataset: Dataset): RunConfig {
  const fromData = kindConfig(config.model.kind)?.fromData;
  if (!fromData) return config;
  const trainExamples = dataset.stream ? dataset.stream.train.n : dataset.train.n;
  return { ...config, model: fromData(config.model as never, { trainExamples }) as RunConfig['model'] };
}

/**
 * The config fitted to its dataset: checks the data options, a conditional VAE's labels and that a Bernoulli decoder
 * gets data in [0, 1] (UsageError naming the option and the data), takes a switched-in conditional VAE's classes from the labels, and gives data that is not
 * images a Gaussian decoder in place of a Bernoulli one the user did not choose. Each change is told to `notice`.
 *
 * @example
 * const fitted = fitToData(config, dataset, { likelihoodChosen: false, classesFromData: false }, console.log);
 */
export function fitToData(config: RunConfig, dataset: Dataset, choices: DataChoices, notice: (line: string) => void = () => {}): RunConfig {
  checkDataOptions(config, dataset);
  let fitted = fitKindToData(fitClasses(config, dataset, choices.classesFromData, notice), dataset);
  if (dataset.kind !== 'image' && fitted.model.likelihood.kind === 'bernoulli' && !choices.likelihoodChosen) {
    fitted = { ...fitted, model: { ...fitted.model, likelihood: NON_IMAGE_LIKELIHOOD } };
    notice(`notice: ${dataset.name} is ${dataset.kind} data, so the decoder is Gaussian with variance 0.1 (choose with --likelihood or a config file)`);
  }
  checkLikelihood(fitted, dataset, choices.likelihoodBy ?? 'model.likelihood bernoulli');
  return fitCategorical(fitted, dataset, notice);
}

/**
 * Tabular data with categorical columns: the likelihood scores each one-hot block by a softmax over its categories
 * (likelihood.categorical), taken from the data's columns whatever the config said.
 */
function fitCategorical(config: RunConfig, dataset: Dataset, notice: (line: string) => void): RunConfig {
  const blocks = dataset.columns ? categoricalBlocks(dataset.columns) : [];
  const { categorical: had, ...likelihood } = config.model.likelihood;
  if (JSON.stringify(had ?? []) === JSON.stringify(blocks)) return config;
  if (blocks.length > 0) {
    const names = dataset.columns!.filter((c) => c.kind === 'categorical').map((c) => c.name);
    notice(`notice: ${dataset.name} has ${names.length} categorical column(s) (${names.join(', ')}), each modelled by a softmax over its categories beside the ${likelihood.kind} likelihood of the numeric columns`);
  }
  const fitted = blocks.length > 0 ? { ...likelihood, categorical: blocks } : likelihood;
  return { ...config, model: { ...config.model, likelihood: fitted } } as RunConfig;
}
