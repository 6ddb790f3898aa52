import { mkdirSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../errors.js';
import { encodeIdx, encodeNpy, gzip, tempFolder, thrown } from '../../test/fixtures/data/build.js';
import { formatBytes, parseByteSize } from './budget.js';
import { loadDataset } from './load.js';

const base = { seed: 3, testFraction: 0.2 };

describe('memory sizes', () => {
  it('parses sizes with decimal and binary units, and rejects nonsense naming the flag', () => {
    expect(parseByteSize('--memory-budget', '4GiB')).toBe(4 * 2 ** 30);
    expect(parseByteSize('--memory-budget', '512MB')).toBe(512e6);
    expect(parseByteSize('--memory-budget', '1.5g')).toBe(1.5e9);
    expect(parseByteSize('--memory-budget', '800000')).toBe(800000);
    for (const bad of ['0', '-1GB', 'lots', '3 parsecs', '']) {
      const err = thrown(() => parseByteSize('--memory-budget', bad));
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toContain(`--memory-budget: '${bad}' is not a memory size`);
    }
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1.5 GiB');
    expect(formatBytes(37.25 * 2 ** 30)).toBe('37.3 GiB');
  });
});

describe('data over the memory budget', () => {
  const { dir, write, remove } = tempFolder();
  afterAll(remove);

  // 10 million examples of 1000 float32 values: 40 GB that exist only as a sparse file's length.
  const huge = path.join(dir, 'huge.npy');
  const header = encodeNpy('<f4', [10_000_000, 1000], []);
  writeFileSync(huge, header);
  const fd = openSync(huge, 'r+');
  ftruncateSync(fd, header.length + 4e10);
  closeSync(fd);

  it('refuses a 40 GB .npy before allocating, naming the file, the estimate, the budget and --limit', () => {
    const err = thrown(() => loadDataset({ ...base, name: huge, memoryBudget: 2 ** 30 }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(
      `${huge}: loading it needs about 37.3 GiB (10000000 of 10000000 examples x 1000 float32 values), over the memory budget of 1 GiB; ` +
        'train with --stream (the file is read in shuffled chunks, never whole), use --limit N to read only the examples kept from disk, or raise --memory-budget',
    );
  });

  it('with --limit reads only the kept examples of the 40 GB file from disk', () => {
    const ds = loadDataset({ ...base, name: huge, limit: 60, memoryBudget: 2 ** 30 });
    expect([ds.train.n, ds.test.n, ds.shape]).toEqual([60, 10, [1000]]);
    expect(ds.train.x.length).toBe(60 * 1000);
  });

  it('refuses --limit too when even the kept examples are over the budget', () => {
    const err = thrown(() => loadDataset({ ...base, name: huge, limit: 1000, memoryBudget: 2 ** 20 }));
    expect(err.message).toMatch(/needs about 4.45 MiB \(1167 of 10000000 examples x 1000 float32 values\), over the memory budget of 1 MiB; use a smaller --limit, train with --stream, or raise --memory-budget$/);
  });

  it('reading example by example from disk gives exactly what reading the whole (gzipped) file gives', () => {
    const n = 500;
    const values = Array.from({ length: n * 6 }, (_, i) => Math.sin(i * 0.37) * 100 + (i % 7));
    const labels = Array.from({ length: n }, (_, i) => (i * 7) % 4);
    const npy = write('t.npy', encodeNpy('<f8', [n, 6], values));
    const npyGz = write('t.npy.gz', gzip(encodeNpy('<f8', [n, 6], values)));
    const idx = write('t-idx2-ubyte', encodeIdx(0x0b, [n, 6], values.map((v) => Math.round(v))));
    const idxGz = write('t-idx2-ubyte.gz', gzip(encodeIdx(0x0b, [n, 6], values.map((v) => Math.round(v)))));
    const lab = write('t-labels-idx1-ubyte', encodeIdx(0x08, [n], labels));
    for (const limit of [undefined, 37]) {
      const pairs: [string, string, string | undefined][] = [[npy, npyGz, undefined], [idx, idxGz, lab]];
      for (const [raw, gz, labelsFile] of pairs) {
        const fromDisk = loadDataset({ ...base, name: raw, limit, path: labelsFile });
        const whole = loadDataset({ ...base, name: gz, limit, path: labelsFile });
        expect(fromDisk.train.x).toEqual(whole.train.x);
        expect(fromDisk.test.x).toEqual(whole.test.x);
        expect(fromDisk.train.labels).toEqual(whole.train.labels);
        expect(fromDisk.preprocessing).toEqual(whole.preprocessing);
        expect(fromDisk.train.n).toBe(limit ?? 400);
      }
    }
  });

  it('a non-finite value read from disk names its example in the file', () => {
    const values = Array.from({ length: 40 * 3 }, (_, i) => (i === 3 * 17 + 2 ? NaN : i));
    const file = write('nan.npy', encodeNpy('<f4', [40, 3], values));
    expect(thrown(() => loadDataset({ ...base, name: file })).message).toMatch(/nan\.npy: non-finite value at example 17, element 2/);
  });

  it('refuses a gzipped array, a CSV, an image folder and MNIST over the budget, each naming what it is', () => {
    const gz = write('big.npy.gz', gzip(encodeNpy('<f4', [2000, 50], new Float32Array(100_000))));
    expect(thrown(() => loadDataset({ ...base, name: gz, memoryBudget: 100_000 })).message).toMatch(
      /big\.npy\.gz: loading it needs about .* \(100000 values, decompressed whole\), over the memory budget of 97.7 KiB; use a smaller file \(or convert it to an uncompressed \.npy/,
    );
    const csv = write('big.csv', Array.from({ length: 2000 }, (_, i) => `${i},${i * 2},${i % 3}`).join('\n'));
    expect(thrown(() => loadDataset({ ...base, name: csv, memoryBudget: 10_000 })).message).toMatch(/big\.csv: loading it needs about .* values parsed from text\), over the memory budget/);
    const folder = path.join(dir, 'pngs');
    mkdirSync(folder);
    const png = new PNG({ width: 64, height: 48 });
    for (let i = 0; i < 5; i++) writeFileSync(path.join(folder, `${i}.png`), PNG.sync.write(png));
    expect(thrown(() => loadDataset({ ...base, name: folder, memoryBudget: 50_000 })).message).toMatch(/pngs: loading it needs about .* \(5 images decoded and resized to 48x64\)/);
    expect(thrown(() => loadDataset({ ...base, name: 'mnist', memoryBudget: 2 ** 20 })).message).toMatch(
      /^mnist: loading it needs about .* \(70000 images of 784 values as float32, read from 70000\), over the memory budget of 1 MiB; use --limit N/,
    );
    expect(loadDataset({ ...base, name: 'mnist', limit: 100, memoryBudget: 64 * 2 ** 20 }).train.n).toBe(100);
  });
});
