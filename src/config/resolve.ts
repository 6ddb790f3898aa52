/** Builds a validated run config from a preset, a config file and flag overrides, in that order. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema, type RunConfig } from './schema.js';
import { DEFAULT_PRESET, PRESETS, findPreset } from './presets.js';
import { UsageError } from '../errors.js';
import type { Dataset } from '../data/types.js';
import { fitToData } from './data-rules.js';
import { kindConfig } from '../models/kinds.js';
import { describeUnknownKey, unknownKeys } from './unknown-keys.js';

/** A plain JSON object. */
type Json = { [key: string]: unknown };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `over` into `base`: objects merge key by key, everything else (arrays included) replaces. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(out[k]) && !('kind' in v && (out[k] as Json).kind !== v.kind) ? deepMerge(out[k] as Json, v) : v;
  }
  return out;
}

/** The value at `path` in `raw`, or undefined. */
function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) v = isObject(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/**
 * Formats zod issues as lines naming the offending config key and the value found there: `origin: key = value:
 * message`, or `--flag value (key): message` where `named` says which source (a flag) set that key or one above it.
 */
function formatIssues(err: z.ZodError, origin: string, raw: unknown, named: Record<string, string>): string {
  return err.issues
    .map((i) => {
      const key = i.path.join('.') || '(root)';
      const setBy = i.path.map((_, n) => named[i.path.slice(0, i.path.length - n).join('.')]).find((v) => v !== undefined);
      if (setBy) return `${setBy} (${key}): ${i.message}`;
      const value = valueAt(raw, i.path);
      const shown = value === undefined || isObject(value) ? '' : ` = ${JSON.stringify(value)}`;
      return `${origin}: ${key}${shown}: ${i.message}`;
    })
    .join('\n');
}

/**
 * Refuses a key the schema does not define (a typo would otherwise be dropped and its default used): one line naming
 * each such key, where it came from (`originOf` its path) and the nearest known key.
 */
function checkKeys(raw: unknown, originOf: (path: string[]) => string): void {
  const unknown = unknownKeys(raw);
  if (unknown.length === 0) return;
  const byOrigin = new Map<string, string[]>();
  for (const u of unknown) byOrigin.set(originOf(u.path), [...(byOrigin.get(originOf(u.path)) ?? []), describeUnknownKey(u)]);
  throw new UsageError([...byOrigin].map(([origin, phrases]) => `${origin}: ${phrases.join(' ')}`).join(' '));
}

/**
 * Validates a raw config object; errors name each offending key and its value, or the source `named` for that key.
 * Unknown keys are errors.
 */
export function parseConfig(raw: unknown, origin = 'config', named: Record<string, string> = {}): RunConfig {
  checkKeys(raw, () => origin);
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new UsageError(formatIssues(result.error, origin, raw, named));
  return result.data;
}

/** Reads and parses a JSON config file; errors name the file. */
export function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--config ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) throw new UsageError(`--config ${path}: expected a JSON object`);
  return raw;
}

/** What resolveConfig takes: the layers of a config, and optionally the dataset it trains on. */
export interface ResolveOptions {
  /** A preset's name; default the file's `preset`, else `mnist-vae`. */
  preset?: string;
  /** A config file's contents, merged over the preset. */
  file?: Json;
  /** Last-word values (the CLI's flags), merged over the file. */
  overrides?: Json;
  /** Names the source in errors, e.g. `--config my.json`; default `config`, or the preset without a file. */
  origin?: string;
  /**
   * Whether a likelihood in the overrides is the user's choice (default true); false when the overrides only carry the
   * preset's over, as `--model KIND` does, so that data that is not images still gets its Gaussian decoder.
   */
  overridesChoseLikelihood?: boolean;
  /** Config keys set by a named source, e.g. { 'model.beta': '--beta 0.5' }: errors about them name it instead. */
  named?: Record<string, string>;
  /** The data the run trains on: when given, the config is fitted to it (src/config/data-rules.ts). */
  dataset?: Dataset;
  /** Told each change the data made to the config (a notice line). */
  onNotice?: (line: string) => void;
}

/** The model section of a config layer, if it has one. */
const modelOf = (layer: Json | undefined): Json | undefined => (isObject(layer?.model) ? layer.model : undefined);

/**
 * The run config: preset, then the file, then overrides, and with `dataset` the rules that tie a config to its data
 * (the same run the CLI trains). Errors name `origin`.
 *
 * @example
 * const config = resolveConfig({ preset: 'swiss-roll-vae', overrides: { train: { epochs: 3 } } });
 */
export function resolveConfig(opts: ResolveOptions): RunConfig {
  const config = resolveLayers(opts);
  if (!opts.dataset) return config;
  const [fileModel, overModel] = [modelOf(opts.file), modelOf(opts.overrides)];
  const overridesChose = overModel?.likelihood !== undefined && opts.overridesChoseLikelihood !== false;
  const likelihoodBy = overridesChose
    ? (opts.named?.['model.likelihood'] ?? 'overrides (model.likelihood)')
    : fileModel?.likelihood !== undefined
      ? `${opts.origin ?? 'config'} (model.likelihood)`
      : `preset ${config.preset ?? DEFAULT_PRESET} (model.likelihood)`;
  const choices = {
    likelihoodChosen: fileModel?.likelihood !== undefined || overridesChose,
    likelihoodBy,
    classesFromData: typeof overModel?.kind === 'string' && kindConfig(overModel.kind)?.conditional === true && overModel.classes === undefined,
  };
  return fitToData(config, opts.dataset, choices, opts.onNotice);
}

function resolveLayers(opts: ResolveOptions): RunConfig {
  // Any part of a config may be given: the file merges over the preset, whose model it replaces only by naming
  // another model.kind (deepMerge), so a partial model such as { latent: 3 } keeps the preset's kind and layers.
  const presetName = opts.preset ?? (typeof opts.file?.preset === 'string' ? opts.file.preset : DEFAULT_PRESET);
  const preset = findPreset(presetName);
  if (!preset) throw new UsageError(`--preset: unknown preset '${presetName}'; expected one of ${PRESETS.map((p) => p.name).join(', ')}`);
  const base: Json = { ...(structuredClone(preset.config) as Json), preset: preset.name };
  const merged = deepMerge(deepMerge(base, opts.file ?? {}), opts.overrides ?? {});
  const origin = opts.origin ?? (opts.file ? 'config' : `preset ${presetName}`);
  const named = opts.named ?? {};
  checkKeys(merged, (path) => {
    if (valueAt(opts.overrides, path) !== undefined) return named[path.join('.')] ?? named[path.slice(0, -1).join('.')] ?? 'overrides';
    return valueAt(opts.file, path) !== undefined ? origin : `preset ${presetName}`;
  });
  return parseConfig(merged, origin, named);
}
