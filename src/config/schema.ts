/** The one validated, JSON-serializable run configuration: data, model, training, backend. Types are inferred from it. */
import { z } from 'zod';
import { CSV_DELIMITERS, MISSING_POLICIES } from '../data/csv.js';

import { activation, betaScheduleSchema, convSchema, mlpSchema, objectiveSchema, positiveInt, width } from './fields.js';
import { MODEL_KIND_CONFIGS, kindConfig } from '../models/kinds.js';
import { flowSchema } from '../models/flow-vae.config.js';
import type { KindModelConfig, ModelKindConfig } from '../models/kind-config.js';

// The building blocks the model kinds share live in fields.ts, so that the kinds' own schemas (src/models/*.config.ts) can use them.
export { MAX_LAYER_WEIGHTS, MAX_WIDTH, capacityScheduleSchema } from './fields.js';
export { betaScheduleSchema, convSchema, flowSchema, mlpSchema, objectiveSchema };

/** An encoder or decoder: an MLP (no `kind` needed) or a conv stack. */
export const networkSchema = z.union([convSchema, mlpSchema]);

const meanActivation = z.enum(['linear', 'sigmoid']);
/**
 * Categorical columns of tabular data: one-hot blocks of the input x[:, start .. start + size), each scored by a
 * softmax (categorical) log-likelihood of the decoder's outputs there instead of the likelihood's own term. Set from
 * the data's columns when training (src/config/data-rules.ts); a config file need not give it.
 */
const categoricalBlocks = z.array(z.object({ start: z.number().int().min(0), size: z.number().int().min(1) }).strict()).optional();
export const likelihoodSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bernoulli'), categorical: categoricalBlocks }),
  z.object({
    kind: z.literal('gaussian'),
    variance: z.union([z.number().positive(), z.literal('learned')]).default(1),
    meanActivation: meanActivation.default('linear'),
    categorical: categoricalBlocks,
  }),
  z.object({ kind: z.literal('squared-error'), meanActivation: meanActivation.default('linear'), categorical: categoricalBlocks }),
]);

const common = {
  latent: width,
  encoder: networkSchema,
  decoder: networkSchema,
  likelihood: likelihoodSchema,
  /**
   * The decoder output layer's bias at the start of a fresh run. `data-mean`: the training data's mean per value,
   * mapped through the inverse of the output activation (logit of the mean clipped to [1e-3, 1 - 1e-3] for Bernoulli
   * and sigmoid means), as Burda et al. do; `default`: the layer's ordinary random initialization.
   */
  decoderBiasInit: z.enum(['default', 'data-mean']).default('default'),
};

/** One kind's object schema: its `kind`, the fields every kind has, then its own (src/models/<kind>.config.ts). */
function kindSchema<K extends string, F extends z.ZodRawShape>(kind: ModelKindConfig<K, F>) {
  return z.object({ kind: z.literal(kind.kind), ...common, ...kind.fields });
}

/** The schemas of MODEL_KIND_CONFIGS, element by element, as a tuple the discriminated union can type. */
type KindSchemas<T extends readonly ModelKindConfig<string, z.ZodRawShape>[]> = {
  -readonly [I in keyof T]: T[I] extends ModelKindConfig<infer K, infer F> ? ReturnType<typeof kindSchema<K, F>> : never;
};

/** The model section: one option per registered kind (src/models/kinds.ts), in its order. */
export const modelSchema = z.discriminatedUnion('kind', MODEL_KIND_CONFIGS.map((k) => kindSchema(k as ModelKindConfig)) as unknown as KindSchemas<typeof MODEL_KIND_CONFIGS>);

/** The fields every model kind has, as a config holds them. */
export type CommonModelConfig = z.output<z.ZodObject<typeof common>>;

export const dataSchema = z.object({
  /** A built-in dataset's name or a path to a data file or PNG folder: what loadDataset accepts (DATA_ACCEPTED, src/data/load.ts). */
  name: z.string().min(1).default('mnist'),
  limit: positiveInt.optional(),
  testFraction: z.number().gt(0).lt(1).default(0.2),
  /** CSV: the label column's header name or 0-based index, negative from the end (-1 the last column). */
  labelColumn: z.union([z.string(), z.number().int()]).optional(),
  /** CSV: physical lines skipped before anything else (scikit-learn's exports start with a line of counts). */
  skipRows: z.number().int().min(0).optional(),
  /** CSV: ',', ';' or '\t'; absent: sniffed from the first records. */
  delimiter: z.enum(CSV_DELIMITERS).optional(),
  /** CSV: feature columns read as categorical even when numeric, as header names or 0-based indices (negative from the end). */
  categorical: z.array(z.union([z.string(), z.number().int()])).optional(),
  /** CSV: missing cells are an `error` (absent: DEFAULT_MISSING in src/data/csv.ts), or `drop` their rows, or are filled (`mean`). */
  missing: z.enum(MISSING_POLICIES).optional(),
  /** CSV: read each row's feature columns as an image [H, W, C] (row-major), C 1, 3 or 4. */
  shape: z.tuple([positiveInt, positiveInt, z.union([z.literal(1), z.literal(3), z.literal(4)])]).optional(),
  standardize: z.boolean().optional(),
  /** `dynamic`: resample binary pixels from the grey levels at every batch (Burda et al.). */
  binarize: z.enum(['none', 'dynamic']).default('none'),
  /** A folder (Fashion-MNIST) or an IDX labels file. */
  path: z.string().optional(),
  /** Generated data: number of points and noise. */
  n: positiveInt.optional(),
  noise: z.number().min(0).optional(),
  /** A folder of PNG images: [height, width] every image is resized to (default the first image's size). */
  imageSize: z.tuple([positiveInt, positiveInt]).optional(),
  /** Uncompressed .npy / IDX: train from the file in shuffled chunks (bounded memory) instead of loading it. */
  stream: z.boolean().optional(),
  /** Streaming: examples per chunk (default 8 MiB of float32 rows); the shuffle depends on it. */
  chunkExamples: positiveInt.optional(),
});

export const trainSchema = z.object({
  epochs: positiveInt.default(10),
  batchSize: positiveInt.default(128),
  lr: z.number().positive().default(1e-3),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
  seed: z.number().int().default(1),
  /**
   * The learning rate by epoch: `constant` is `lr`; `burda` is 3^i epochs at lr * 10^(-i/7), i = 0..7 (3,280 epochs),
   * then the last; `scale` compresses every stage to round(3^i scale) epochs, at least 1 (bench/paper.ts).
   */
  lrSchedule: z
    .discriminatedUnion('kind', [z.object({ kind: z.literal('constant') }), z.object({ kind: z.literal('burda'), scale: z.number().positive().max(1).default(1) })])
    .default({ kind: 'constant' }),
  /**
   * A run (or model) folder whose model's weights start a fresh run instead of a random initialization: every
   * variable by name, with the same shape (fine-tuning; Burda et al.'s VAE-to-IWAE runs). Adam starts afresh; a
   * resumed run continues from its checkpoint and never reads it again.
   */
  initFrom: z.string().min(1).optional(),
  /**
   * Denoising training (src/data/noise.ts): each batch's input is corrupted with noise from the run's RNG and the
   * loss reconstructs the clean batch. Absent: ordinary training.
   */
  denoise: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('gaussian'), std: z.number().min(0) }),
      z.object({ kind: z.literal('salt-pepper'), p: z.number().min(0).max(1) }),
      z.object({ kind: z.literal('mask'), p: z.number().min(0).max(1) }),
    ])
    .optional(),
});

export const BACKEND_OPTIONS = ['auto', 'native', 'tensorflow', 'wasm', 'cpu'] as const;

/**
 * The rules between fields of a config, each defined once: a model kind's own in its config file
 * (src/models/<kind>.config.ts, `rules`); the rules between a config and its data are in data-rules.ts.
 */
function crossFieldRules(config: { model: z.infer<typeof modelSchema> }, ctx: z.RefinementCtx): void {
  const m = config.model;
  const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path: ['model', ...path], message });
  kindConfig(m.kind)?.rules?.(m as KindModelConfig<string, z.ZodRawShape>, issue);
}

export const configSchema = z
  .object({
    /** The preset this config started from, if any (informational). */
    preset: z.string().optional(),
    data: dataSchema.default(dataSchema.parse({})),
    model: modelSchema,
    train: trainSchema.default(trainSchema.parse({})),
    backend: z.enum(BACKEND_OPTIONS).default('auto'),
  })
  .superRefine(crossFieldRules);

export type MlpConfig = z.infer<typeof mlpSchema>;
export type ConvConfig = z.infer<typeof convSchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;
export type LikelihoodConfig = z.infer<typeof likelihoodSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type BetaSchedule = z.infer<typeof betaScheduleSchema>;
export type ObjectiveConfig = z.infer<typeof objectiveSchema>;
export type FlowConfig = z.infer<typeof flowSchema>;
export type DataConfig = z.infer<typeof dataSchema>;
export type TrainConfig = z.infer<typeof trainSchema>;
export type RunConfig = z.infer<typeof configSchema>;
/** A config as a user may write it: every field with a default may be left out. */
export type RunConfigInput = z.input<typeof configSchema>;

// The enumerated lists, read off the schemas above: the CLI's choices, the engine's backends and the activation
// functions all ask these instead of keeping a copy.

/** A hidden-layer activation function's name. */
export type Activation = z.infer<typeof activation>;

/**
 * Every activation, in the schema's order (the native kernels' numbering).
 *
 * @example
 * ACTIVATIONS.includes('tanh'); // true
 */
export const ACTIVATIONS: readonly Activation[] = activation.options;

/** A model kind (`model.kind`). */
export type ModelKind = ModelConfig['kind'];

/**
 * Every model kind, in the order of src/models/kinds.ts (the registry's).
 *
 * @example
 * MODEL_KINDS.slice(0, 4).join(', '); // 'autoencoder, vae, poor-man-vae, cvae'
 */
export const MODEL_KINDS: readonly ModelKind[] = modelSchema.options.map((m) => m.shape.kind.value);

/**
 * Whether a model kind has the weighted term (`beta` and `betaSchedule`): the KL, anchor or total correlation that
 * --beta and the KL schedules weight.
 *
 * @example
 * hasWeightedTerm('wae-mmd'); // false
 */
export function hasWeightedTerm(kind: string): boolean {
  const option = modelSchema.options.find((m) => m.shape.kind.value === kind);
  return option !== undefined && 'betaSchedule' in option.shape;
}

/** A decoder likelihood kind (`model.likelihood.kind`). */
export type LikelihoodKind = LikelihoodConfig['kind'];

/**
 * Every decoder likelihood kind, in the schema's order.
 *
 * @example
 * LIKELIHOOD_KINDS.join(', '); // 'bernoulli, gaussian, squared-error'
 */
export const LIKELIHOOD_KINDS: readonly LikelihoodKind[] = likelihoodSchema.options.map((l) => l.shape.kind.value);

/** A VAE training objective kind (`model.objective.kind`). */
export type ObjectiveKind = ObjectiveConfig['kind'];

/**
 * Every VAE training objective kind, in the schema's order.
 *
 * @example
 * OBJECTIVE_KINDS.join(', '); // 'elbo, iwae, miwae, ciwae, piwae'
 */
export const OBJECTIVE_KINDS: readonly ObjectiveKind[] = objectiveSchema.options.map((o) => o.shape.kind.value);

/** A tensor backend a run can name (`backend`, `--backend`); `auto` is not one, it picks one. */
export type BackendName = Exclude<(typeof BACKEND_OPTIONS)[number], 'auto'>;

/**
 * The backends a Node run can name, fastest first: with `auto` the engine tries them in this order.
 *
 * @example
 * BACKENDS.join(', '); // 'native, tensorflow, wasm, cpu'
 */
export const BACKENDS: readonly BackendName[] = BACKEND_OPTIONS.filter((b): b is BackendName => b !== 'auto');

/** A tensor backend of the lab page (`?backend=`). */
export type PageBackendName = (typeof PAGE_BACKENDS)[number];

/**
 * The lab page's backends, fastest first: with no `?backend=` the engine tries them in this order.
 *
 * @example
 * PAGE_BACKENDS.join(', '); // 'webgpu, webgl, wasm, cpu'
 */
export const PAGE_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
