/** The building blocks of the config schemas that the model kinds' own schemas (src/models/*.config.ts) share: widths, activations, networks, objectives, KL schedules and the term fields several kinds have. */
import { z } from 'zod';

/** Hidden-layer activations. The native kernels number them in this order (engine/fused.ts): append, never reorder. */
export const activation = z.enum(['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'elu', 'softplus']);
export const positiveInt = z.number().int().positive();

/**
 * The most units a layer may have (hidden widths, conv filters, the latent size, a CVAE's classes), and the most
 * weights one dense layer between two hidden layers may hold (512 MiB of float32, before Adam's two moments): a
 * config over them is refused here, before any tensor is allocated, not by an out-of-memory crash mid-build.
 */
export const MAX_WIDTH = 65_536;
export const MAX_LAYER_WEIGHTS = 2 ** 27;
export const width = positiveInt.max(MAX_WIDTH, `expected at most ${MAX_WIDTH} units in a layer`);

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

/** The weighted regularizer (KL, anchor or TC): beta and its schedule, defined once for every kind that has one. */
export const weightedTerm = {
  /** Weight on the KL (or anchor) term; unused under the capacity schedule, whose weight is gamma. */
  beta: z.number().min(0).default(1),
  betaSchedule: betaScheduleSchema.default({ kind: 'constant' }),
};

/** The Gaussian posterior's variance head, for the kinds with q(z|x) = N(mean, var). */
export const gaussianEncoder = {
  /** How the encoder outputs the variance: a log-variance head (seeds 002, 003) or softplus variance (seed 004). */
  variance: z.enum(['logVar', 'softplus']).default('logVar'),
};

/** The MMD between the batch's codes and as many prior draws (src/objectives/mmd.ts). */
export const mmdTerm = {
  kernel: z.enum(['imq', 'rbf']).default('imq'),
  /** The kernel's scale C = 2 L bandwidth^2; 1 matches the prior N(0, I). */
  bandwidth: z.number().positive().default(1),
};
