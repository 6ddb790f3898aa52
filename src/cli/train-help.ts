/** `vaekit train --help`'s defaults, read from the default preset and the schema so the help never restates a value. */
import type { z } from 'zod';
import { DEFAULT_PRESET, PRESETS, findPreset } from '../config/index.js';

/** A config key as a path, e.g. ['train', 'batchSize']. */
export type ConfigPath = readonly string[];

/** The value at `path` in a config as written (a preset's), or undefined when it does not set it. */
function valueAt(config: unknown, path: ConfigPath): unknown {
  let v = config;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** A discriminated union of object schemas keyed by `kind`, as the schema's model, objective and schedule unions are. */
interface KindUnion {
  options: readonly { shape: { kind: { value: unknown } } }[];
}

/**
 * The field `key` of the `kind` option of a union in the schema, e.g. the VAE's `beta` in modelSchema.
 *
 * @example
 * schemaDefault(optionField(objectiveSchema, 'iwae', 'k')); // 50
 */
export function optionField(union: KindUnion, kind: string, key: string): z.ZodType | undefined {
  const option = union.options.find((o) => o.shape.kind.value === kind);
  return (option?.shape as Record<string, z.ZodType> | undefined)?.[key];
}

/** The default a schema field fills in when the key is left out; undefined when it has none. */
export function schemaDefault(field: z.ZodType | undefined): unknown {
  const parsed = field?.safeParse(undefined);
  return parsed?.success ? parsed.data : undefined;
}

/** A default as the help shows it: lists joined with commas, objects by their kind. */
function show(v: unknown): string {
  if (Array.isArray(v)) return v.length > 0 ? v.join(',') : 'none';
  if (v !== null && typeof v === 'object' && 'kind' in v) return String(v.kind);
  return String(v);
}

/**
 * Where `path`'s value comes from when no flag sets it: the preset (a bare `vaekit train` uses DEFAULT_PRESET) or,
 * when the preset and the config file leave it out, the schema's default `field`.
 *
 * @example
 * defaultNote(['train', 'batchSize'], trainSchema.shape.batchSize);
 * // "default: the preset's, mnist-vae: 100; else 128 from the schema"
 */
export function defaultNote(path: ConfigPath, field?: z.ZodType): string | undefined {
  const fromSchema = schemaDefault(field);
  const schemaText = fromSchema === undefined ? undefined : `${show(fromSchema)} from the schema`;
  const fromPreset = valueAt(findPreset(DEFAULT_PRESET)?.config, path);
  if (fromPreset !== undefined) return `default: the preset's, ${DEFAULT_PRESET}: ${show(fromPreset)}${schemaText ? `; else ${schemaText}` : ''}`;
  if (!schemaText) return undefined;
  const somePresetSets = PRESETS.some((p) => valueAt(p.config, path) !== undefined);
  return somePresetSets ? `default: the preset's if it sets one, else ${schemaText}` : `default: ${schemaText}`;
}

/**
 * An option's help with its default appended, e.g. `batch size (default: the preset's, mnist-vae: 100; else 128 from the schema)`.
 *
 * @example
 * withDefault('random seed', ['train', 'seed'], trainSchema.shape.seed); // 'random seed (default: 1 from the schema)'
 */
export function withDefault(help: string, path: ConfigPath, field?: z.ZodType): string {
  const note = defaultNote(path, field);
  return note ? `${help} (${note})` : help;
}
