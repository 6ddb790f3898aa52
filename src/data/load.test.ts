import { afterAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../errors.js';
import { encodeIdx, encodeNpy, gzip, tempFolder, thrown } from '../../test/fixtures/data/build.js';
import { fileFormat, loadDataset } from './load.js';

const base = { seed: 0, testFraction: 0.25 };

describe('loadDataset', () => {
  const { remove, dir, write } = tempFolder();
  afterAll(remove);

  it('rejects an unknown name that is not a file, listing the accepted names', () => {
    const err = thrown(() => loadDataset({ ...base, name: 'cifar10' }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/unknown dataset 'cifar10'; expected mnist, fashion-mnist, swiss-roll, swiss-roll-3d, dsprites, xy-squares, or a path to a \.csv, \.npy/);
    const txt = write('notes.txt', 'hello');
    expect(thrown(() => loadDataset({ ...base, name: txt })).message).toMatch(/a file of unsupported type '.*notes\.txt'; expected mnist/);
  });

  it('names the path of a missing file', () => {
    const path = `${dir}/missing.csv`;
    const err = thrown(() => loadDataset({ ...base, name: path }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`${path}: no such file`);
  });

  it('rejects bad options as usage errors', () => {
    for (const bad of [{ limit: 0 }, { limit: 1.5 }, { testFraction: 1 }, { testFraction: 0 }, { n: 1 }, { noise: -1 }, { seed: NaN }]) {
      expect(thrown(() => loadDataset({ ...base, name: 'swiss-roll', ...bad }))).toBeInstanceOf(UsageError);
    }
  });

  it('tells formats from names', () => {
    expect(['a.csv', 'a.CSV.gz', 'x.npy', 'train-images-idx3-ubyte', 'a.idx', 'b.idx3.gz', 'c.gz', 'd.txt'].map(fileFormat)).toEqual([
      'csv', 'csv', 'npy', 'idx', 'idx', 'idx', 'idx', undefined,
    ]);
  });

  it('reads uint8 .npy images [n, H, W] as [H, W, 1] scaled to [0, 1]', () => {
    const values = Array.from({ length: 8 * 2 * 3 }, (_, i) => (i * 5) % 256);
    const ds = loadDataset({ ...base, name: write('faces.npy', encodeNpy('|u1', [8, 2, 3], values)) });
    expect(ds).toMatchObject({ name: 'faces.npy', kind: 'image', shape: [2, 3, 1], preprocessing: { kind: 'scale', scale: 1 / 255 } });
    expect([ds.train.n, ds.test.n]).toEqual([6, 2]);
    // Every example is one of the originals, scaled, and all 8 appear once across the splits.
    const originals = Array.from({ length: 8 }, (_, k) => values.slice(6 * k, 6 * k + 6).map((v) => Math.fround(v / 255)).join());
    const got = [ds.train, ds.test].flatMap((s) => Array.from({ length: s.n }, (_, k) => Array.from(s.x.subarray(6 * k, 6 * k + 6)).join()));
    expect(got.sort()).toEqual(originals.sort());
  });

  it('reads 2-d float .npy as tabular, standardized, and float images unscaled', () => {
    const tab = loadDataset({ ...base, name: write('t.npy', encodeNpy('<f8', [4, 2], [1, 10, 2, 20, 3, 30, 4, 40])) });
    expect(tab).toMatchObject({ kind: 'tabular', shape: [2], preprocessing: { kind: 'standardize' } });
    const img = loadDataset({ ...base, name: write('i.npy', encodeNpy('<f4', [2, 1, 2, 3], new Array(12).fill(0.5))) });
    expect(img).toMatchObject({ kind: 'image', shape: [1, 2, 3], preprocessing: { kind: 'none' } });
    expect(img.train.x.every((v) => v === 0.5)).toBe(true);
  });

  it('rejects data with fewer than 2 examples, and non-finite values', () => {
    const one = write('one.npy', encodeNpy('<f4', [1, 3], [1, 2, 3]));
    expect(thrown(() => loadDataset({ ...base, name: one })).message).toBe(`${one}: has 1 example(s); need at least 2, one for train and one for test`);
    const nan = write('nan.npy', encodeNpy('<f4', [2, 2], [1, 2, NaN, 4]));
    expect(thrown(() => loadDataset({ ...base, name: nan })).message).toMatch(/nan\.npy: non-finite value at example 1, element 0/);
    const big = write('big.npy', encodeNpy('<f8', [2, 1], [1, 1e300]));
    expect(thrown(() => loadDataset({ ...base, name: big })).message).toMatch(/big\.npy: non-finite value at example 1, element 0 \(as float32: Infinity\)/);
  });

  it('reads a user IDX file with labels from path', () => {
    const images = write('digits-idx3-ubyte.gz', gzip(encodeIdx(0x08, [4, 2, 2], Array.from({ length: 16 }, (_, i) => i * 17))));
    const labels = write('digits-labels.idx', encodeIdx(0x08, [4], [7, 3, 7, 3]));
    const ds = loadDataset({ ...base, name: images, path: labels });
    expect(ds).toMatchObject({ kind: 'image', shape: [2, 2, 1], labelNames: ['3', '7'], preprocessing: { kind: 'scale' } });
    for (const s of [ds.train, ds.test]) {
      s.labels!.forEach((c, k) => {
        const example = Math.round((s.x[4 * k] * 255) / 17 / 4); // the first pixel of example e is 68 e
        expect(ds.labelNames![c]).toBe(example % 2 === 0 ? '7' : '3');
      });
    }
    const wrong = write('wrong-labels.idx', encodeIdx(0x08, [3], [1, 2, 3]));
    expect(thrown(() => loadDataset({ ...base, name: images, path: wrong })).message).toBe(`${wrong}: has 3 labels, expected 4, one per example`);
  });

  it('keeps the limit rule on user files: limit train, max(1, ceil(limit / 6)) test', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${-i}`).join('\n');
    const ds = loadDataset({ ...base, name: write('r.csv', rows), limit: 13 });
    expect([ds.train.n, ds.test.n]).toEqual([13, 3]);
  });
});
