/** Builds a validated run config from a preset, a config file and flag overrides, in that order. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema, type RunConfig } from './schema.js';
import { DEFAULT_PRESET, PRESETS, findPreset } from './presets.js';
import { UsageError } from '../errors.js';

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

/** Formats zod issues as `key = value: message` lines naming the offending config key and the value found there. */
function formatIssues(err: z.ZodError, origin: string, raw: unknown): string {
  return err.issues
    .map((i) => {
      const value = valueAt(raw, i.path);
      const shown = value === undefined || isObject(value) ? '' : ` = ${JSON.stringify(value)}`;
      return `${origin}: ${i.path.join('.') || '(root)'}${shown}: ${i.message}`;
    })
    .join('\n');
}

/** Validates a raw config object; errors name each offending key and its value. */
export function parseConfig(raw: unknown, origin = 'config'): RunConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new UsageError(formatIssues(result.error, origin, raw));
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

/**
 * The run config: preset (default `mnist-vae` unless the file gives a model), then the file, then overrides. Errors
 * name `origin` (e.g. `--config my.json`; default `config`, or the preset without a file).
 *
 * @example
 * const config = resolveConfig({ preset: 'swiss-roll-vae', overrides: { train: { epochs: 3 } } });
 */
export function resolveConfig(opts: { preset?: string; file?: Json; overrides?: Json; origin?: string }): RunConfig {
  const presetName = opts.preset ?? (typeof opts.file?.preset === 'string' ? opts.file.preset : opts.file?.model ? undefined : DEFAULT_PRESET);
  let base: Json = {};
  if (presetName !== undefined) {
    const preset = findPreset(presetName);
    if (!preset) throw new UsageError(`--preset: unknown preset '${presetName}'; expected one of ${PRESETS.map((p) => p.name).join(', ')}`);
    base = { ...(structuredClone(preset.config) as Json), preset: preset.name };
  }
  const merged = deepMerge(deepMerge(base, opts.file ?? {}), opts.overrides ?? {});
  return parseConfig(merged, opts.origin ?? (opts.file ? 'config' : presetName ? `preset ${presetName}` : 'config'));
}
