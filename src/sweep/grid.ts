/** A sweep's grid: `--over KEY=V1,V2,...` axes parsed, and every grid point's config resolved and checked before training. */
import { deepMerge, resolveConfig, type ResolveOptions, type RunConfig } from '../config/index.js';
import { UsageError, VaekitError } from '../errors.js';

/** A JSON value a config key can take. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** One axis of the grid: a dotted config key and the values it takes, in order. */
export interface Axis {
  key: string;
  values: Value[];
}

/** One grid point: the value of each axis, its folder name under the sweep folder, and its checked config. */
export interface GridPoint {
  name: string;
  values: Record<string, Value>;
  config: RunConfig;
  /** The layers that resolve to `config`; with the dataset added, resolveConfig fits them to the data. */
  layers: ResolveOptions;
}

/** Splits on commas that are not inside brackets or braces, so `[400],[200,100]` is two values. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** A value as typed: JSON when it parses (`8`, `0.5`, `true`, `[400]`), else the bare string (`vae`). */
function parseValue(text: string): Value {
  try {
    return JSON.parse(text) as Value;
  } catch {
    return text;
  }
}

/**
 * Parses one `--over KEY=V1,V2,...`; errors name the flag, the text and what was expected.
 *
 * @example
 * parseOver('model.latent=2,4,8'); // { key: 'model.latent', values: [2, 4, 8] }
 */
export function parseOver(text: string): Axis {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq).trim();
  const expected = `expected KEY=V1,V2,... with a dotted config key, e.g. model.latent=2,4,8`;
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(key)) throw new UsageError(`--over '${text}': ${expected}`);
  const parts = splitTopLevel(text.slice(eq + 1));
  if (parts.some((p) => p === '')) throw new UsageError(`--over '${text}': an empty value; ${expected}`);
  const values = parts.map(parseValue);
  const seen = new Set(values.map((v) => JSON.stringify(v)));
  if (seen.size !== values.length) throw new UsageError(`--over '${text}': a value is repeated; expected each value once`);
  return { key, values };
}

/** `{ model: { latent: 8 } }` for key `model.latent` and value 8. */
function nested(key: string, value: Value): Record<string, unknown> {
  return key.split('.').reduceRight<unknown>((inner, k) => ({ [k]: inner }), value) as Record<string, unknown>;
}

function valueAt(obj: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), obj);
}

/** Equal as JSON values, with object keys in any order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) || a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** `model.latent` -> `latent`; a value as a folder-name part (`[400,200]` -> `400-200`). */
function namePart(key: string, value: Value, keys: string[]): string {
  const last = key.split('.').at(-1)!;
  const short = keys.filter((k) => k.split('.').at(-1) === last).length > 1 ? key : last;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `${short}-${text.replace(/[^A-Za-z0-9.+-]+/g, '-').replace(/^-|-$/g, '')}`;
}

/** What a grid point's config is built from: the sweep's base layers and, for `model.kind`, how to switch the kind. */
export interface GridBase {
  /** The layers every run shares (preset, config file, flags), as resolveConfig takes them. */
  layers: (kind: string | undefined) => ResolveOptions;
}

/**
 * Every grid point of `axes` (the first axis varies slowest), each config resolved and checked by the schema before any
 * training: an unknown key or a value the schema refuses is a one-line UsageError naming `--over KEY=VALUE`.
 * `model.kind` switches the kind as `train --model` does (keeping the architecture); any other key is set as given.
 *
 * @example
 * const points = gridPoints([{ key: 'model.latent', values: [2, 4] }], { layers: () => ({ preset: 'mnist-vae' }) });
 */
export function gridPoints(axes: Axis[], base: GridBase): GridPoint[] {
  if (axes.length === 0) throw new UsageError('--over: no axis given; expected one or two, e.g. --over model.latent=2,4,8');
  if (axes.length > 2) throw new UsageError(`--over: ${axes.length} axes given (${axes.map((a) => a.key).join(', ')}); expected one or two`);
  if (axes.length === 2 && axes[0].key === axes[1].key) throw new UsageError(`--over ${axes[0].key}: given twice; expected two different keys`);
  const keys = axes.map((a) => a.key);
  const combos: Record<string, Value>[] = axes.reduce<Record<string, Value>[]>((acc, axis) => acc.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.key]: v }))), [{}]);
  const width = String(combos.length).length;
  return combos.map((values, i) => {
    const kind = values['model.kind'];
    if (kind !== undefined && typeof kind !== 'string') throw new UsageError(`--over model.kind=${JSON.stringify(kind)}: expected a model kind name`);
    const layers = base.layers(kind);
    const named = { ...layers.named };
    let overrides = layers.overrides ?? {};
    for (const [key, value] of Object.entries(values)) {
      named[key] = `--over ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
      if (key !== 'model.kind') overrides = deepMerge(overrides, nested(key, value));
    }
    let config: RunConfig;
    try {
      config = resolveConfig({ ...layers, overrides, named });
    } catch (err) {
      // The schema's message may span lines (one per issue); the first names the key and the value.
      if (err instanceof VaekitError) throw new UsageError(err.message.split('\n')[0]);
      throw err;
    }
    for (const [key, value] of Object.entries(values)) {
      // zod drops keys it does not know, so a key that is not in the resolved config is not a key of the schema.
      if (!sameValue(valueAt(config, key), value)) {
        const found = valueAt(config, key);
        const why = found === undefined ? `not a config key of a ${config.model.kind} model (see src/config/schema.ts)` : `the resolved config holds ${JSON.stringify(found)} instead`;
        throw new UsageError(`--over ${named[key].slice('--over '.length)}: ${why}`);
      }
    }
    const name = `${String(i + 1).padStart(width, '0')}-${keys.map((k) => namePart(k, values[k], keys)).join('_')}`;
    return { name, values, config, layers: { ...layers, overrides, named } };
  });
}
