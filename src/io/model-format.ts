/**
 * The vaekit model format (docs/model-format.md): `model.json` (metadata, inference graph, weight manifest) and
 * `weights.bin` (float32 little-endian). Pure: bytes in, bytes out, so the browser loads it with fetch alone.
 */
import { Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { buildModel, type Model, type ModelGraph } from '../models/index.js';
import type { Preprocessing, TabularColumn } from '../data/index.js';
import { ModelError } from '../errors.js';
import { VERSION } from '../version.js';
import { assignTensors, packTensors, type TensorEntry } from './tensor-pack.js';
import { checkConfigSize, checkModelJson, checkWeightBytes } from './model-check.js';

export const MODEL_FORMAT = 'vaekit-model';
export const MODEL_FORMAT_VERSION = 1;

/** What a saved model says about itself. */
export interface ModelMetadata {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  vaekitVersion: string;
  kind: Model['config']['kind'];
  /** Per-example shape of the data, e.g. [28, 28, 1]; the model reads it flattened row-major. */
  inputShape: number[];
  inputDim: number;
  latentDim: number;
  likelihood: Model['likelihood'];
  preprocessing: Preprocessing;
  labelNames?: string[];
  dataset?: string;
  /**
   * A tabular model's columns, in the training file's order: a numeric column's input index, a categorical column's
   * one-hot block and its categories (docs/model-format.md). New files are read and synthetic rows written with it.
   */
  columns?: TabularColumn[];
  /** The model config it was built from (rebuilds the same architecture). */
  config: Model['config'];
  /** Inference graph in evaluation mode. */
  graph: ModelGraph;
  weightsFile: string;
  weightsByteLength: number;
  weights: TensorEntry[];
  /** Anything else worth keeping with the model, such as final test metrics. */
  extra?: Record<string, unknown>;
}

/**
 * Serializes a model with its metadata.
 *
 * @example
 * const { json, weights } = exportModel(model, { inputShape: [28, 28, 1], preprocessing, labelNames });
 */
export function exportModel(
  model: Model,
  meta: { inputShape: number[]; preprocessing: Preprocessing; labelNames?: string[]; dataset?: string; columns?: TabularColumn[]; extra?: Record<string, unknown> },
): { metadata: ModelMetadata; weights: Uint8Array } {
  const { entries, bytes } = packTensors(model.variables());
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    vaekitVersion: VERSION,
    kind: model.config.kind,
    inputShape: meta.inputShape,
    inputDim: model.inputDim,
    latentDim: model.latentDim,
    likelihood: model.likelihood,
    preprocessing: meta.preprocessing,
    labelNames: meta.labelNames,
    dataset: meta.dataset,
    ...(meta.columns && { columns: meta.columns }),
    config: model.config,
    graph: model.graph(),
    weightsFile: 'weights.bin',
    weightsByteLength: bytes.byteLength,
    weights: entries,
    extra: meta.extra,
  };
  return { metadata, weights: bytes };
}

/**
 * Checks everything model.json declares before anything is built from it: format, version, config, kind, input
 * shape, weight manifest, graph and preprocessing (src/io/model-check.ts); `where` names the file in errors.
 */
export function validateMetadata(raw: unknown, where: string): ModelMetadata {
  if (typeof raw !== 'object' || raw === null) throw new ModelError(`${where}: expected a JSON object`);
  const m = raw as Partial<ModelMetadata>;
  if (m.format !== MODEL_FORMAT) throw new ModelError(`${where}: format is '${String(m.format)}', expected '${MODEL_FORMAT}'`);
  if (typeof m.formatVersion !== 'number' || !Number.isInteger(m.formatVersion)) {
    throw new ModelError(`${where}: formatVersion is ${JSON.stringify(m.formatVersion)}, expected an integer`);
  }
  if (m.formatVersion > MODEL_FORMAT_VERSION) {
    throw new ModelError(
      `${where}: formatVersion ${m.formatVersion} is newer than this vaekit (${VERSION}) reads (${MODEL_FORMAT_VERSION}); upgrade vaekit`,
    );
  }
  checkModelJson(m, where);
  const config = modelSchema.safeParse(m.config);
  if (!config.success) throw new ModelError(`${where}: config is not a valid model config (${config.error.issues[0]?.path.join('.')}: ${config.error.issues[0]?.message})`);
  if (m.kind !== config.data.kind) throw new ModelError(`${where}: kind is '${m.kind}', expected config.kind '${config.data.kind}'`);
  if (m.latentDim !== config.data.latent) throw new ModelError(`${where}: latentDim ${m.latentDim} does not match config.latent ${config.data.latent}`);
  // The model is built from config.likelihood; the top-level copy (what summary and the lab's card show) must agree.
  const likelihood = config.data.likelihood;
  if ((m.likelihood as { kind?: unknown } | undefined)?.kind !== likelihood.kind) {
    throw new ModelError(`${where}: likelihood is ${JSON.stringify(m.likelihood ?? null).slice(0, 60)}, expected config.likelihood's kind '${likelihood.kind}'`);
  }
  return { ...(m as ModelMetadata), config: config.data, likelihood };
}

/**
 * Rebuilds a model from its metadata and weight bytes, after checking both (validateMetadata, then every weight's
 * bytes and values); errors name `where` (model.json) or `weightsWhere` (the weights file, by default beside it).
 *
 * @example
 * const model = importModel(JSON.parse(jsonText), new Uint8Array(await (await fetch('weights.bin')).arrayBuffer()));
 */
export function importModel(raw: unknown, weights: Uint8Array, where = 'model.json', weightsWhere?: string): { model: Model; metadata: ModelMetadata } {
  const metadata = validateMetadata(raw, where);
  const weightsName = typeof metadata.weightsFile === 'string' ? metadata.weightsFile.split('/').pop()! : 'weights.bin';
  checkWeightBytes(metadata, weights, { json: where, weights: weightsWhere ?? (where.endsWith('model.json') ? where.slice(0, -'model.json'.length) + weightsName : where) });
  // Every byte is checked; what is left is whether the manifest fits the architecture the config declares, which
  // must not be too large to build (a config of 1e12 hidden units was a RangeError) before it can be compared.
  checkConfigSize(metadata, where);
  const model = buildModel(metadata.config, metadata.inputDim, new Rng(0), { inputShape: metadata.inputShape });
  const problems = assignTensors(model.variables(), metadata.weights, weights);
  if (problems.length > 0) {
    model.dispose();
    throw new ModelError(`${where}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`);
  }
  return { model, metadata };
}
