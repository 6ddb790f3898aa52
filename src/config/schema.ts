/** The one validated, JSON-serializable run configuration: data, model, training, backend. Types are inferred from it. */
import { z } from 'zod';
import { CSV_DELIMITERS, MISSING_POLICIES } from '../data/csv.js';

/** Hidden-layer activations. The native kernels number them in this order (engine/fused.ts): append, never reorder. */
const activation = z.enum(['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'elu', 'softplus']);
const positiveInt = z.number().int().positive();

/**
 * The most units a layer may have (hidden widths, conv filters, the latent size, a CVAE's classes), and the most
 * weights one dense layer between two hidden layers may hold (512 MiB of float32, before Adam's two moments): a
 * config over them is refused here, before any tensor is allocated, not by an out-of-memory crash mid-build.
 */
export const MAX_WIDTH = 65_536;
export const MAX_LAYER_WEIGHTS = 2 ** 27;
const width = positiveInt.max(MAX_WIDTH, `expected at most ${MAX_WIDTH} units in a layer`);

/** A list of dense widths whose consecutive layers stay within MAX_LAYER_WEIGHTS. */
const widths = z
  .array(width)
  .default([])
  .refine((h) => h.every((n, i) => i === 0 || n * h[i - 1] <= MAX_LAYER_WEIGHTS), {
    message: `two consecutive layers hold more than ${MAX_LAYER_WEIGHTS} weights (${MAX_LAYER_WEIGHTS * 4 / 2 ** 20} MiB of float32); use narrower layers`,
  });

export const mlpSchema = z
  .object({
    /** `mlp` (the default, so configs without a kind stay valid) or `conv` (convSchema). */
    kind: z.literal('mlp').default('mlp'),
    /** Hidden layer widths in order. */
    hidden: widths,
    /** One activation for every hidden layer, or one per layer. */
    activation: z.union([activation, z.array(activation)]).default('relu'),
    batchNorm: z.enum(['none', 'before', 'after']).default('none'),
    dropout: z.number().min(0).lt(1).default(0),
  })
  .refine((m) => !Array.isArray(m.activation) || m.activation.length >= m.hidden.length, {
    path: ['activation'],
    message: 'a list of activations needs one per hidden layer',
  });

/**
 * A conv encoder or decoder (src/nn/conv.ts) over image data [H, W, C], NHWC. Encoder: strided 'same' convs with
 * `filters` channels, flattened, then dense layers `hidden`. Decoder: dense layers `hidden`, a projection to
 * [ceil(H / stride^n), ceil(W / stride^n), firstChannels (default filters[0])], n transposed convs to `filters`
 * channels, a stride-1 transposed conv to the data's channels, cropped to [H, W].
 */
export const convSchema = z.object({
  kind: z.literal('conv'),
  filters: z.array(width).min(1),
  kernel: positiveInt.default(3),
  stride: positiveInt.default(2),
  activation: activation.default('relu'),
  batchNorm: z.enum(['none', 'before', 'after']).default('none'),
  hidden: widths,
  /** Decoder only: channels of the first feature map (default filters[0]); PyTorch-VAE's VanillaVAE starts at 512 and upsamples to 256. */
  firstChannels: width.optional(),
});

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

/**
 * A VAE's training objective. `elbo`: the ELBO with one sample of z. `iwae`: the importance-weighted bound with
 * `k` samples per example (Burda et al. 2015); k = 1 is the ELBO estimated with a sampled KL. Rainforth et al. 2018:
 * `miwae` averages `m` independent IWAE bounds of k samples each; `ciwae` is beta ELBO + (1 - beta) IWAE over the
 * same k samples (the ELBO estimated from them); `piwae` trains the decoder on the IWAE bound of all m k samples and
 * the encoder on the MIWAE bound (m groups of k: k = 1 is the ELBO) of the same samples, each its own gradient.
 */
export const objectiveSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('elbo') }),
  z.object({ kind: z.literal('iwae'), k: positiveInt.default(50) }),
  z.object({ kind: z.literal('miwae'), k: positiveInt.default(8), m: positiveInt.default(8) }),
  z.object({ kind: z.literal('ciwae'), k: positiveInt.default(64), beta: z.number().min(0).max(1).default(0.5) }),
  z.object({ kind: z.literal('piwae'), k: positiveInt.default(8), m: positiveInt.default(8) }),
]);

/** Burgess et al. 2018's capacity schedule; gamma's default (theirs, 1000) is defined here alone, the CLI reads it. */
export const capacityScheduleSchema = z.object({ kind: z.literal('capacity'), gamma: z.number().min(0).default(1000), cMax: z.number().min(0), epochs: positiveInt });

/**
 * The weight on the KL (VAE) or anchor (poor man's VAE) term by epoch; see src/train/beta-schedule.ts.
 * `constant`: `beta` (beta-VAE). `linear`: warm-up from 0 to `beta` over `epochs` epochs. `cyclical`: Fu et al. 2019,
 * cycles of `period` epochs, ramping 0 -> beta over the first `ratio` of each. `capacity`: Burgess et al. 2018,
 * loss = reconstruction + gamma * |KL - C| with C ramped 0 -> cMax (nats) over `epochs` epochs; `beta` is unused.
 */
export const betaScheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }),
  z.object({ kind: z.literal('linear'), epochs: positiveInt }),
  z.object({ kind: z.literal('cyclical'), period: positiveInt, ratio: z.number().gt(0).max(1).default(0.5) }),
  capacityScheduleSchema,
]);

/** The weighted regularizer (KL or anchor) of vae, cvae and poor-man-vae: beta and its schedule, defined once. */
const weightedTerm = {
  /** Weight on the KL (or anchor) term; unused under the capacity schedule, whose weight is gamma. */
  beta: z.number().min(0).default(1),
  betaSchedule: betaScheduleSchema.default({ kind: 'constant' }),
};

/** The Gaussian posterior's variance head, for the kinds with q(z|x) = N(mean, var). */
const gaussianEncoder = {
  /** How the encoder outputs the variance: a log-variance head (seeds 002, 003) or softplus variance (seed 004). */
  variance: z.enum(['logVar', 'softplus']).default('logVar'),
};

/** The MMD between the batch's codes and as many prior draws (src/objectives/mmd.ts). */
const mmdTerm = {
  kernel: z.enum(['imq', 'rbf']).default('imq'),
  /** The kernel's scale C = 2 L bandwidth^2; 1 matches the prior N(0, I). */
  bandwidth: z.number().positive().default(1),
};

/**
 * FactorVAE's discriminator: an MLP from z to one logit, trained by its own Adam on the batch's codes against the codes
 * permuted per dimension. The paper's: 6 x 1000 leaky-ReLU layers, lr 1e-4, betas 0.5 and 0.9; the default is narrower
 * (3 x 256) for small MLP models.
 */
const discriminatorSchema = z.object({
  hidden: z.array(width).min(1).default([256, 256, 256]),
  activation: activation.default('leakyRelu'),
  lr: z.number().positive().default(1e-4),
  beta1: z.number().min(0).lt(1).default(0.5),
  beta2: z.number().min(0).lt(1).default(0.9),
});

/**
 * The normalizing flow of a flow-vae's posterior, `steps` transforms of z_0 ~ N(mean, var): planar and radial flows
 * (Rezende & Mohamed 2015; their parameters learned, the same for every example) or inverse autoregressive flow
 * (Kingma et al. 2016; each step a MADE with one hidden layer of `hidden` units reading z and a `context` vector the
 * encoder computes from x).
 */
export const flowSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('planar'), steps: positiveInt.max(1000).default(10) }),
  z.object({ kind: z.literal('radial'), steps: positiveInt.max(1000).default(10) }),
  z.object({ kind: z.literal('iaf'), steps: positiveInt.max(1000).default(2), hidden: width.default(128), context: width.default(32) }),
]);

export const modelSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('autoencoder'),
    ...common,
    /** Activation on the code itself (seed 004's AE has ReLU on its 200-unit code). */
    latentActivation: activation.default('linear'),
  }),
  z.object({
    kind: z.literal('vae'),
    ...common,
    /** How the encoder outputs the variance: a log-variance head (seeds 002, 003) or softplus variance (seed 004). */
    variance: z.enum(['logVar', 'softplus']).default('logVar'),
    ...weightedTerm,
    /** `mean` reproduces seed 002's mean-BCE weighting; the ELBO is `sum`. */
    reconstructionReduction: z.enum(['sum', 'mean']).default('sum'),
    objective: objectiveSchema.default({ kind: 'elbo' }),
  }),
  z.object({
    kind: z.literal('cvae'),
    ...common,
    /** Number of classes: the encoder reads [x, onehot(y)] and the decoder [z, onehot(y)]; labels lie in 0..classes-1. */
    classes: width.default(10),
    variance: z.enum(['logVar', 'softplus']).default('logVar'),
    ...weightedTerm,
    reconstructionReduction: z.enum(['sum', 'mean']).default('sum'),
  }),
  z.object({
    kind: z.literal('poor-man-vae'),
    ...common,
    /** `beta` weighs the anchor term. */
    ...weightedTerm,
    /** `batch`: seed 000's z.pow(2).sum().sqrt() over the whole batch; `per-example`: ||z_i|| for each example. */
    anchor: z.enum(['batch', 'per-example']).default('batch'),
    /** Standard deviation of the noise added to z (seed 000: 1). */
    noise: z.number().min(0).default(1),
  }),
  // The model zoo (src/models/zoo/): a Gaussian encoder with a regularizer beside or in place of the KL, or a
  // deterministic code matched to the prior.
  z.object({
    kind: z.literal('beta-tcvae'),
    ...common,
    ...gaussianEncoder,
    /** `beta` weighs the total correlation (Chen et al. 2018; their dSprites runs use 6), under any schedule but capacity. */
    ...weightedTerm,
    /** Weight on the index-code mutual information. */
    alpha: z.number().min(0).default(1),
    /** Weight on the dimension-wise KL. */
    gamma: z.number().min(0).default(1),
    /** How log q(z) is estimated from the batch: minibatch stratified (`mss`, unbiased) or minibatch weighted (`mws`) sampling. */
    estimator: z.enum(['mss', 'mws']).default('mss'),
    /** N, the training set's size the estimators weight by; taken from the data when not given (data-rules.ts). */
    datasetSize: positiveInt.optional(),
  }),
  z.object({
    kind: z.literal('dip-vae'),
    ...common,
    ...gaussianEncoder,
    /** `beta` weighs the KL, as in a beta-VAE. */
    ...weightedTerm,
    /** `i`: match the covariance of the posterior means to I; `ii`: the covariance of q(z) (Kumar et al. 2018). */
    dip: z.enum(['i', 'ii']).default('ii'),
    /** Weight on the squared off-diagonal covariances. */
    lambdaOffDiag: z.number().min(0).default(10),
    /** Weight on the squared deviations of the variances from 1; default 10 x lambdaOffDiag for DIP-VAE-I, lambdaOffDiag for II (the paper's choices). */
    lambdaDiag: z.number().min(0).optional(),
  }),
  z.object({
    kind: z.literal('info-vae'),
    ...common,
    ...gaussianEncoder,
    ...mmdTerm,
    /** loss = reconstruction + (1 - alpha) KL + (alpha + lambda - 1) MMD (Zhao et al. 2019); alpha = 1 drops the KL. */
    alpha: z.number().max(1).default(0),
    lambda: z.number().min(0).default(1000),
  }),
  z.object({
    kind: z.literal('wae-mmd'),
    ...common,
    ...mmdTerm,
    /** loss = reconstruction + lambda MMD(q(z), p(z)) with a deterministic encoder (Tolstikhin et al. 2018; MNIST: 10). */
    lambda: z.number().min(0).default(10),
  }),
  z.object({
    kind: z.literal('rae'),
    ...common,
    /**
     * loss = reconstruction + embeddingWeight |z|^2 / 2 + decoderWeight R(decoder) (Ghosh et al. 2020): R the squared
     * weights (`l2`, RAE-L2) or the gradient penalty |d sum_j D(z)_j / dz|^2 of the decoded mean per example
     * (`gradient-penalty`, RAE-GP).
     */
    embeddingWeight: z.number().min(0).default(1),
    decoderWeight: z.number().min(0).default(1e-7),
    decoderRegularizer: z.enum(['l2', 'gradient-penalty']).default('l2'),
  }),
  z.object({
    kind: z.literal('vamp-prior'),
    ...common,
    ...gaussianEncoder,
    /** `beta` weighs log q(z|x) - log p(z), the KL to the mixture prior estimated from the sampled z. */
    ...weightedTerm,
    /** K, the learned pseudo-inputs u_k of the prior p(z) = (1/K) sum_k q(z|u_k) (Tomczak & Welling 2018: 500 on MNIST). */
    pseudoInputs: width.default(500),
    /** How the pseudo-inputs start on a fresh run: `random`, N(0.05, 0.01^2) per value, or `data`, K training examples drawn at random. */
    pseudoInputInit: z.enum(['random', 'data']).default('random'),
  }),
  z.object({
    kind: z.literal('flow-vae'),
    ...common,
    ...gaussianEncoder,
    /** `beta` weighs log q(z_K|x) - log p(z_K), the KL estimated from the flowed sample. */
    ...weightedTerm,
    flow: flowSchema.default({ kind: 'planar', steps: 10 }),
  }),
  z.object({
    kind: z.literal('hierarchical-vae'),
    /** `latent` is z1's size, `encoder` the trunk of q(z1|x), `decoder` the network of p(x|z1). */
    ...common,
    ...gaussianEncoder,
    /** z2's size (Burda et al.'s second architecture: 50). */
    latent2: width.default(50),
    /** The hidden layers of q(z2|z1) and of p(z1|z2) (Burda et al.: 50-50, tanh). */
    upper: mlpSchema.default({ kind: 'mlp', hidden: [50, 50], activation: 'tanh', batchNorm: 'none', dropout: 0 }),
    /** Importance samples per example in the training bound: 1 the ELBO, k > 1 the IWAE bound L_k (Burda et al.: 1 or 50). */
    samples: positiveInt.max(5000).default(1),
  }),
  z.object({
    kind: z.literal('factor-vae'),
    ...common,
    ...gaussianEncoder,
    /** `beta` weighs the KL (1 in Kim & Mnih 2018). */
    ...weightedTerm,
    /** Weight on the discriminator's estimate of the total correlation (vaekit's default, not tuned; the paper sweeps it). */
    gamma: z.number().min(0).default(10),
    /** The discriminator and its Adam (discriminatorSchema). */
    discriminator: discriminatorSchema.default(discriminatorSchema.parse({})),
  }),
  z.object({
    kind: z.literal('vq-vae'),
    /** `latent` is codes x codeDim: the encoder gives latent / codeDim vectors of codeDim values, each quantized. */
    ...common,
    /** K, the number of codebook entries. */
    codebookSize: width.default(512),
    /** D, the size of each code vector; must divide `latent`. */
    codeDim: width.default(8),
    /** beta of the commitment loss beta ||z_e - sg(e)||^2 (van den Oord et al. 2017: 0.25). */
    commitment: z.number().min(0).default(0.25),
    /** The codebook's exponential-moving-average decay (0.99 in the paper) and Laplace smoothing epsilon. */
    decay: z.number().min(0).lt(1).default(0.99),
    epsilon: z.number().positive().default(1e-5),
    /** A code no batch has used for this many training steps is reset to a random encoder output of the batch. */
    restartAfter: positiveInt.default(100),
  }),
]);

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
 * The rules between fields of a config, each defined here once (the rules between a config and its data are in
 * data-rules.ts). The IWAE bound is defined for beta = 1 with no KL schedule and the summed reconstruction; the
 * conditional VAE takes MLP encoders and decoders.
 */
function crossFieldRules(config: { model: z.infer<typeof modelSchema> }, ctx: z.RefinementCtx): void {
  const m = config.model;
  const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path: ['model', ...path], message });
  if (m.kind === 'vae' && m.objective.kind !== 'elbo') {
    const elbo = 'drop it or train with objective elbo';
    if (m.beta !== 1) issue(['beta'], `the IWAE objective is defined for beta = 1; ${elbo}`);
    if (m.betaSchedule.kind !== 'constant') issue(['betaSchedule'], `the IWAE objective is defined for beta = 1 with no KL schedule; ${elbo}`);
    if (m.reconstructionReduction !== 'sum') issue(['reconstructionReduction'], `the IWAE objective is defined for the summed reconstruction; ${elbo}`);
  }
  if (m.kind === 'beta-tcvae' && m.betaSchedule.kind === 'capacity') issue(['betaSchedule'], 'the capacity schedule controls a KL, and beta-TCVAE weighs its total correlation; use a constant, linear or cyclical schedule');
  if (m.kind === 'vq-vae' && m.latent % m.codeDim !== 0) issue(['latent'], `latent ${m.latent} is not a multiple of codeDim ${m.codeDim}: the encoder's output is split into vectors of codeDim values`);
  if (m.kind === 'rae' && m.decoderRegularizer === 'gradient-penalty' && (m.decoder.kind === 'conv' || m.decoder.batchNorm !== 'none' || m.decoder.dropout > 0)) {
    issue(['decoderRegularizer'], "the gradient penalty needs an MLP decoder of dense layers alone (no conv, BatchNorm or dropout); use decoderRegularizer 'l2'");
  }
  if (m.kind === 'cvae' && (m.encoder.kind === 'conv' || m.decoder.kind === 'conv')) {
    issue(['kind'], 'the conditional VAE takes MLP encoders and decoders, and this config has conv layers; start from an MLP preset such as mnist-cvae or mnist-vae');
  }
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
 * Every model kind, in the schema's order.
 *
 * @example
 * MODEL_KINDS.join(', '); // 'autoencoder, vae, cvae, poor-man-vae'
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
