/** The keys of a raw config that its schema does not define, each with the nearest key it does: a typo is an error, not a default. */
import { z } from 'zod';
import { configSchema } from './schema.js';

/** A key the schema does not know, at `path` (the key last), and the keys it knows there. */
export interface UnknownKey {
  path: string[];
  known: string[];
}

type Json = { [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema under defaults, optionals and nullables. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * The option of a union of objects that `value` is read as: the one whose literal `kind` is value.kind, or, without a
 * kind, the one whose kind has a default (an MLP network); undefined when none fits (the schema reports the kind).
 */
function branch(union: z.ZodUnion, value: Json): z.ZodObject | undefined {
  const objects = union.options.map((o) => unwrap(o as z.ZodType)).filter((o): o is z.ZodObject => o instanceof z.ZodObject);
  if (value.kind === undefined) return objects.find((o) => o.shape.kind instanceof z.ZodDefault);
  return objects.find((o) => {
    const kind = o.shape.kind && unwrap(o.shape.kind as z.ZodType);
    return kind instanceof z.ZodLiteral && kind.values.has(value.kind as never);
  });
}

function walk(schema: z.ZodType, value: unknown, path: string[], out: UnknownKey[]): void {
  const s = unwrap(schema);
  if (s instanceof z.ZodUnion) {
    const chosen = isObject(value) ? branch(s, value) : undefined;
    if (chosen) walk(chosen, value, path, out);
  } else if (s instanceof z.ZodObject && isObject(value)) {
    const shape = s.shape as Record<string, z.ZodType>;
    for (const [key, v] of Object.entries(value)) {
      if (key in shape) walk(shape[key], v, [...path, key], out);
      else out.push({ path: [...path, key], known: Object.keys(shape) });
    }
  } else if (s instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((v, i) => walk(s.element as z.ZodType, v, [...path, String(i)], out));
  }
}

/**
 * Every key of `raw` that the config schema does not define, in the order met (a model's keys are read against its
 * `kind`, a network's against `mlp` or `conv`).
 *
 * @example
 * unknownKeys({ train: { epoch: 3 } }); // [{ path: ['train', 'epoch'], known: ['epochs', 'batchSize', ...] }]
 */
export function unknownKeys(raw: unknown, schema: z.ZodType = configSchema): UnknownKey[] {
  const out: UnknownKey[] = [];
  walk(schema, raw, [], out);
  return out;
}

/** Levenshtein distance, ignoring case. */
function distance(a: string, b: string): number {
  const [s, t] = [a.toLowerCase(), b.toLowerCase()];
  let row = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const next = [i];
    for (let j = 1; j <= t.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    row = next;
  }
  return row[t.length];
}

/** The known key nearest to `key`, when it is near enough to be a typo of it (at most a third of its letters differ). */
export function nearestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * One unknown key as a phrase: `train.epoch: unknown key; did you mean train.epochs?`, or, with nothing near it, the
 * keys known there.
 *
 * @example
 * describeUnknownKey({ path: ['train', 'epoch'], known: ['epochs', 'lr'] }); // 'train.epoch: unknown key; did you mean train.epochs?'
 */
export function describeUnknownKey({ path, known }: UnknownKey): string {
  const parent = path.slice(0, -1);
  const near = nearestKey(path[path.length - 1], known);
  const full = (k: string) => [...parent, k].join('.');
  if (near) return `${path.join('.')}: unknown key; did you mean ${full(near)}?`;
  return `${path.join('.')}: unknown key; the keys of ${parent.length ? parent.join('.') : 'a config'} are ${known.join(', ')}`;
}
