/** `vaekit train`'s flags: their parsers, and the config layers they make (resolveConfig merges and checks them). */
import { capacityScheduleSchema, hasWeightedTerm, modelSchema, readConfigFile, resolveConfig, type BACKEND_OPTIONS, type LIKELIHOOD_KINDS, type MODEL_KINDS, type OBJECTIVE_KINDS, type ResolveOptions, type RunConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { ACTIVATIONS } from '../nn/index.js';
import { number, positiveInt } from './parse.js';
import { CSV_FLAGS, csvFlagValue, parseLabelColumn, type CsvDelimiter, type MissingPolicy, type NoiseSpec } from '../data/index.js';


export interface TrainFlags {
  preset?: string;
  config?: string;
  data?: string;
  dataPath?: string;
  labelColumn?: string;
  skipRows?: number;
  delimiter?: CsvDelimiter;
  categorical?: (string | number)[];
  missing?: MissingPolicy;
  shape?: [number, number, number];
  limit?: number;
  binarize?: boolean;
  model?: (typeof MODEL_KINDS)[number];
  latent?: number;
  hidden?: number[];
  activation?: (typeof ACTIVATIONS)[number];
  likelihood?: (typeof LIKELIHOOD_KINDS)[number];
  epochs?: number;
  batchSize?: number;
  lr?: number;
  beta?: number;
  klWarmup?: number;
  klCycle?: { period: number; ratio?: number };
  capacity?: { cMax: number; epochs: number; gamma?: number };
  objective?: (typeof OBJECTIVE_KINDS)[number];
  k?: number;
  seed?: number;
  out?: string;
  resume?: string;
  initFrom?: string;
  backend?: (typeof BACKEND_OPTIONS)[number];
  json?: boolean;
  denoise?: NoiseSpec;
  imageSize?: [number, number];
  stream?: boolean;
  chunkExamples?: number;
  /** --memory-budget in bytes (added by main.ts), for the data load. */
  memoryBudget?: number;
}

/** Flag values as a partial config, deep-merged over the preset and the config file. */
function overridesFrom(flags: TrainFlags, base: RunConfig): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (flags.data !== undefined) data.name = flags.data;
  if (flags.dataPath !== undefined) data.path = flags.dataPath;
  if (flags.labelColumn !== undefined) data.labelColumn = parseLabelColumn(flags.labelColumn);
  if (flags.skipRows !== undefined) data.skipRows = flags.skipRows;
  if (flags.delimiter !== undefined) data.delimiter = flags.delimiter;
  if (flags.categorical !== undefined) data.categorical = flags.categorical;
  if (flags.missing !== undefined) data.missing = flags.missing;
  if (flags.shape !== undefined) data.shape = flags.shape;
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
  if (flags.initFrom !== undefined) trainOpts.initFrom = flags.initFrom;
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
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
}

/** A KL-weight flag as given: `--beta 2`, `--kl-cycle 10:0.5`, `--capacity 25:100`. */
function flagText(flags: TrainFlags, key: 'beta' | 'klWarmup' | 'klCycle' | 'capacity'): string {
  const v = flags[key];
  const text = typeof v === 'object' ? Object.values(v).filter((x) => x !== undefined).join(':') : String(v);
  return `${flagName(key)} ${text}`;
}

/** Burgess et al.'s gamma for the capacity schedule, for the help text: the schema's default. */
export const DEFAULT_GAMMA = capacityScheduleSchema.shape.gamma.parse(undefined);

/** `--kl-cycle PERIOD[:RATIO]`: cycles of PERIOD epochs, ramping over the first RATIO of each (default: the schema's). */
export function klCycle(value: string): { period: number; ratio?: number } {
  const [period, ratio, extra] = value.split(':');
  const expected = `--kl-cycle: '${value}' is not a cycle; expected PERIOD[:RATIO], a positive integer number of epochs and a ramp fraction in (0, 1], e.g. 10:0.5`;
  if (extra !== undefined) throw new UsageError(expected);
  const p = positiveInt('--kl-cycle (PERIOD)')(period);
  if (ratio === undefined) return { period: p };
  const r = number('--kl-cycle (RATIO)', { min: 0, exclusiveMin: true, max: 1, what: 'a ramp fraction in (0, 1]' })(ratio);
  return { period: p, ratio: r };
}

/** `--capacity CMAX:EPOCHS[:GAMMA]`: C ramps from 0 to CMAX nats over EPOCHS epochs; the penalty is GAMMA * |KL - C|. */
export function capacity(value: string): { cMax: number; epochs: number; gamma?: number } {
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
  // The kinds whose config has an objective (the VAE's), from the schema.
  const hasObjective = modelSchema.options.some((o) => o.shape.kind.value === kind && 'objective' in o.shape);
  if (!hasObjective) throw new UsageError(`--objective/--k: only a VAE has an ELBO or IWAE objective; the model is ${kind}`);
  const current = 'objective' in base.model ? base.model.objective.kind : 'elbo';
  const chosen = flags.objective ?? current;
  if (chosen === 'elbo') {
    if (flags.k !== undefined) throw new UsageError(`--k ${flags.k}: the number of importance samples applies to --objective iwae, miwae, ciwae or piwae only`);
    return { kind: 'elbo' };
  }
  return { kind: chosen, ...(flags.k !== undefined ? { k: flags.k } : {}) };
}


/** Which config key each flag sets, for errors that name the flag: `--beta 0.5 (model.beta): ...`. */
const FLAG_KEYS: Partial<Record<keyof TrainFlags, string>> = {
  data: 'data.name', dataPath: 'data.path', labelColumn: 'data.labelColumn', skipRows: 'data.skipRows', delimiter: 'data.delimiter',
  categorical: 'data.categorical', missing: 'data.missing', shape: 'data.shape', limit: 'data.limit', binarize: 'data.binarize',
  imageSize: 'data.imageSize', stream: 'data.stream', chunkExamples: 'data.chunkExamples', model: 'model.kind', latent: 'model.latent',
  likelihood: 'model.likelihood', beta: 'model.beta', klWarmup: 'model.betaSchedule', klCycle: 'model.betaSchedule',
  capacity: 'model.betaSchedule', objective: 'model.objective', k: 'model.objective', epochs: 'train.epochs',
  batchSize: 'train.batchSize', lr: 'train.lr', seed: 'train.seed', denoise: 'train.denoise', backend: 'backend',
};

/** A flag's parsed value as typed: `8x8` (--shape, --image-size), `a,b` (--categorical), `tab`, `10:0.5`. */
function flagValueText(flag: keyof TrainFlags, v: unknown): string {
  if (flag in CSV_FLAGS) return csvFlagValue(flag as keyof typeof CSV_FLAGS, v);
  if (flag === 'imageSize') return (v as number[]).join('x');
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'object' && v !== null) return Object.values(v).filter((x) => x !== undefined).join(':');
  return String(v);
}

/** The config keys the given flags set, each with the flag as typed. */
function namedKeys(flags: TrainFlags): Record<string, string> {
  const named: Record<string, string> = {};
  for (const [flag, key] of Object.entries(FLAG_KEYS) as [keyof TrainFlags, string][]) {
    const v = flags[flag];
    if (v === undefined) continue;
    const text = v === true ? '' : ` ${flagValueText(flag, v)}`;
    named[key] = `${flagName(flag)}${text}`;
  }
  return named;
}

/**
 * A fresh run's config layers from its flags: the preset, the config file and the flags as overrides, for
 * resolveConfig, which owns the defaults and every rule; only what concerns the flags themselves is checked here.
 */
export function configLayers(flags: TrainFlags): ResolveOptions {
  const file = flags.config ? readConfigFile(flags.config) : undefined;
  const origin = flags.config ? `--config ${flags.config}` : undefined;
  const base = resolveConfig({ preset: flags.preset, file, origin });
  const kind = flags.model ?? base.model.kind;
  const weighted = (['beta', 'klWarmup', 'klCycle', 'capacity'] as const).filter((k) => flags[k] !== undefined);
  if (weighted.length > 0 && !hasWeightedTerm(kind)) throw new UsageError(`${weighted.map((k) => flagText(flags, k)).join(', ')}: ${kind === 'autoencoder' ? 'an autoencoder' : `a ${kind} model`} has no KL or anchor term to weight`);
  const overridesChoseLikelihood = flags.likelihood !== undefined; // --model carries the preset's likelihood over, unchosen
  return { preset: flags.preset, file, origin, overrides: overridesFrom(flags, base), named: namedKeys(flags), overridesChoseLikelihood };
}
