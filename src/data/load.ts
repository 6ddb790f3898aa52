/** loadDataset: one entry point from a dataset name or file path to a preprocessed, split Dataset. */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { loadFashionMnist, loadMnist } from './mnist.js';
import { loadSwissRoll } from './swiss-roll.js';
import { loadDsprites } from './dsprites.js';
import { loadXySquares } from './factors.js';
import type { DataOptions, Dataset } from './types.js';
import { loadCsvFile, loadIdxFile, loadNpyFile } from './user-files.js';
import { loadImageFolder } from './image-folder.js';

/** The built-in datasets' names, in the order loadDataset tries them. */
export const BUILT_IN_DATASETS = ['mnist', 'fashion-mnist', 'swiss-roll', 'swiss-roll-3d', 'dsprites', 'xy-squares'] as const;

/**
 * Every kind of data loadDataset accepts, in one sentence: its errors and `vaekit train --help` both say this.
 *
 * @example
 * DATA_ACCEPTED; // 'mnist, fashion-mnist, ..., or a path to a .csv, .npy, .idx or *-idx?-ubyte file (...) or to a folder of PNG images'
 */
export const DATA_ACCEPTED = `${BUILT_IN_DATASETS.join(', ')}, or a path to a .csv, .npy, .idx or *-idx?-ubyte file (any of them may be .gz) or to a folder of PNG images`;

/**
 * Loads a built-in dataset or a user file, split into train and test and preprocessed
 * (see {@link DataOptions} for the `limit` rule and the defaults).
 *
 * @example
 * const ds = loadDataset({ name: 'mnist', seed: 0, testFraction: 0.2, limit: 1000 });
 * // ds.shape [28, 28, 1], ds.train.n 1000, ds.test.n 167, ds.preprocessing { kind: 'scale', scale: 1/255 }
 */
export function loadDataset(opts: DataOptions): Dataset {
  checkOptions(opts);
  switch (opts.name as (typeof BUILT_IN_DATASETS)[number]) {
    case 'mnist':
      return loadMnist(opts);
    case 'fashion-mnist':
      return loadFashionMnist(opts);
    case 'swiss-roll':
      return loadSwissRoll(opts, 2);
    case 'swiss-roll-3d':
      return loadSwissRoll(opts, 3);
    case 'dsprites':
      return loadDsprites(opts);
    case 'xy-squares':
      return loadXySquares(opts);
  }
  if (existsSync(opts.name) && statSync(opts.name).isDirectory()) return loadImageFolder(opts.name, opts);
  const format = fileFormat(opts.name);
  if (format === 'csv') return loadCsvFile(opts.name, opts);
  if (format === 'npy') return loadNpyFile(opts.name, opts);
  if (format === 'idx') return loadIdxFile(opts.name, opts);
  const what = existsSync(opts.name) ? 'a file of unsupported type' : 'unknown dataset';
  throw new UsageError(`${what} '${opts.name}'; expected ${DATA_ACCEPTED}`);
}

/** The format a path's name claims; gzip is detected from the bytes later, and a bare .gz is taken as IDX. */
export function fileFormat(path: string): 'csv' | 'npy' | 'idx' | undefined {
  const name = basename(path).toLowerCase();
  const inner = name.replace(/\.gz$/, '');
  if (inner.endsWith('.csv')) return 'csv';
  if (inner.endsWith('.npy')) return 'npy';
  if (/(\.idx\d?|-ubyte)$/.test(inner) || inner !== name) return 'idx';
  return undefined;
}

function checkOptions(opts: DataOptions): void {
  const { limit, seed, testFraction, n, noise } = opts;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new UsageError(`limit must be a positive integer, got ${limit}`);
  if (!Number.isFinite(seed)) throw new UsageError(`seed must be a finite number, got ${seed}`);
  if (!(testFraction > 0 && testFraction < 1)) throw new UsageError(`testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  if (n !== undefined && !(Number.isInteger(n) && n >= 2)) throw new UsageError(`n must be an integer >= 2 (one point each for train and test), got ${n}`);
  if (noise !== undefined && !(Number.isFinite(noise) && noise >= 0)) throw new UsageError(`noise must be a finite number >= 0, got ${noise}`);
  const size = opts.imageSize;
  if (size !== undefined && !(size.length === 2 && size.every((v) => Number.isInteger(v) && v >= 1))) {
    throw new UsageError(`imageSize must be two positive integers [height, width], got [${size.join(', ')}]`);
  }
}
