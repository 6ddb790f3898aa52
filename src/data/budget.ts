/**
 * The memory budget for loading data: every loader estimates what it will allocate from the file's header or size
 * and refuses, before allocating anything, when the estimate is over the budget. The budget is an option of each
 * load (`DataOptions.memoryBudget`, the CLI's --memory-budget); absent, it is half of physical memory.
 */
import { totalmem } from 'node:os';
import { DataError, UsageError } from '../errors.js';

/** The budget of a load whose options give none: half of physical memory. */
export function defaultMemoryBudget(): number {
  return Math.floor(totalmem() / 2);
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 2 ** 10, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30, t: 1e12, tb: 1e12, tib: 2 ** 40 };

/**
 * A size with an optional unit (`512MB`, `4GiB`, `1.5g`, `800000`), as bytes; `flag` names the source in errors.
 *
 * @example
 * parseByteSize('--memory-budget', '4GiB'); // 4294967296
 */
export function parseByteSize(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) {
    throw new UsageError(`${flag}: '${text}' is not a memory size; expected a positive number with an optional unit, e.g. 512MB, 4GiB or 1.5G`);
  }
  return bytes;
}

/**
 * Bytes as a short human-readable size in binary units.
 *
 * @example
 * formatBytes(1536 * 2 ** 20); // '1.5 GiB'
 */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} bytes` : `${v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, '')} ${units[i]}`;
}

/** What a loader is about to allocate, for {@link checkBudget}. */
export interface MemoryNeed {
  /** Estimated peak bytes the load allocates. */
  bytes: number;
  /** What it holds, for the message, e.g. '70000 examples x 784 float32 values'. */
  what: string;
  /** What the user can do: `limit` when --limit would make the loader read fewer examples, `smaller-limit` when a limit is set, `file` when neither helps. */
  remedy: 'limit' | 'smaller-limit' | 'file' | 'stream' | 'smaller-limit-stream' | 'chunk';
}

const REMEDIES: Record<MemoryNeed['remedy'], string> = {
  limit: 'use --limit N to read only the examples kept from disk, or raise --memory-budget',
  'smaller-limit': 'use a smaller --limit, or raise --memory-budget',
  stream: 'train with --stream (the file is read in shuffled chunks, never whole), use --limit N to read only the examples kept from disk, or raise --memory-budget',
  'smaller-limit-stream': 'use a smaller --limit, train with --stream, or raise --memory-budget',
  chunk: 'use a smaller --chunk-examples, or raise --memory-budget',
  file: 'use a smaller file (or convert it to an uncompressed .npy, which vaekit reads example by example with --limit), or raise --memory-budget',
};

/**
 * Throws a DataError naming the file, the estimate and the budget when `need` is over `budget` (absent: the
 * default); call it before allocating.
 *
 * @example
 * checkBudget('big.npy', { bytes: 9e9, what: '1200000 examples x 2048 float32 values', remedy: 'limit' }, 4 * 2 ** 30);
 */
export function checkBudget(file: string, need: MemoryNeed, budget = defaultMemoryBudget()): void {
  if (need.bytes <= budget) return;
  throw new DataError(file, `loading it needs about ${formatBytes(need.bytes)} (${need.what}), over the memory budget of ${formatBytes(budget)}; ${REMEDIES[need.remedy]}`);
}
