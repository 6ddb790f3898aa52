/** Flag parsing helpers: numbers and lists checked up front, with errors that name the flag, the value and what was expected. */
import { UsageError } from '../errors.js';
import { parseDecimal } from '../data/csv.js';

/** A positive integer flag (epochs, batch size, latent size, limit), optionally at most `max`. */
export function positiveInt(flag: string, { max }: { max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
      throw new UsageError(`${flag}: '${value}' is not a positive integer`);
    }
    if (max !== undefined && n > max) throw new UsageError(`${flag}: ${value} is out of range; expected a positive integer up to ${max}`);
    return n;
  };
}

/** A non-negative integer flag (an example index, a latent dimension, a class label). */
export function index(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag}: '${value}' is not a non-negative integer`);
    return n;
  };
}

/** A comma-separated list of non-negative integers (`--dims 0,1`). */
export function indexList(flag: string) {
  return (value: string): number[] => value.split(',').map((part) => index(`${flag} (in '${value}')`)(part.trim()));
}

/** An integer flag (seed). */
export function integer(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag}: '${value}' is not an integer`);
    return n;
  };
}

/** A finite decimal number flag (`0.5`, `1e-3`) with bounds: `min` inclusive unless `exclusiveMin`. */
export function number(flag: string, opts: { min?: number; exclusiveMin?: boolean; max?: number; what?: string } = {}) {
  return (value: string): number => {
    const n = parseDecimal(value); // decimal only: Number() would take '0x10' as 16
    const expected = opts.what ?? 'a number';
    if (!Number.isFinite(n)) throw new UsageError(`${flag}: '${value}' is not ${expected}${Number.isNaN(n) ? ' (decimal notation, e.g. 0.5 or 1e-3)' : ''}`);
    if (opts.min !== undefined && (opts.exclusiveMin ? n <= opts.min : n < opts.min)) throw new UsageError(`${flag}: ${value} is out of range; expected ${expected}`);
    if (opts.max !== undefined && n > opts.max) throw new UsageError(`${flag}: ${value} is out of range; expected ${expected}`);
    return n;
  };
}

/** A comma-separated list of positive integers (`--hidden 400,200`), each optionally at most `max`. */
export function intList(flag: string, { max }: { max?: number } = {}) {
  return (value: string): number[] => {
    if (value.trim() === '') return [];
    return value.split(',').map((part) => positiveInt(`${flag} (in '${value}')`, { max })(part.trim()));
  };
}

/** An image size `HxW` (`--image-size 28x28`) as [height, width]. */
export function imageSize(flag: string) {
  return (value: string): [number, number] => {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(value);
    const h = Number(m?.[1]);
    const w = Number(m?.[2]);
    if (!m || !(h >= 1 && w >= 1 && Number.isSafeInteger(h) && Number.isSafeInteger(w))) throw new UsageError(`${flag}: '${value}' is not an image size; expected HEIGHTxWIDTH with positive integers, e.g. 28x28`);
    return [h, w];
  };
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag}: unknown value '${value}'; expected one of ${choices.join(', ')}`);
    return value as T;
  };
}
