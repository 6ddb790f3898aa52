import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { DataError } from '../errors.js';
import { encodeIdx, gzip, tempFolder, thrown } from '../../test/fixtures/data/build.js';
import { loadDataset } from './load.js';
import { FASHION_MNIST_CLASSES, mnistFiles } from './mnist.js';

const base = { seed: 0, testFraction: 0.2 };

describe('MNIST', () => {
  it('reads the four files the design names, by md5', () => {
    const md5 = (f: string): string => createHash('md5').update(readFileSync(f)).digest('hex');
    const files = mnistFiles();
    expect(md5(files.trainImages)).toBe('6bbc9ace898e44ae57da46a324031adb');
    expect(md5(files.trainLabels)).toBe('a25bea736e30d166cdddb491f175f624');
    expect(md5(files.testImages)).toBe('2646ac647ad5339dbf082846283269ea');
    expect(md5(files.testLabels)).toBe('27ae3e4e09519cfbb04c329615203637');
  });

  it('reports the conversion of the kept images in blocks of 2000 examples, and gives the same data as without', () => {
    const seen: { phase: string; done: number; total: number }[] = [];
    const ds = loadDataset({ ...base, name: 'mnist', limit: 5000, onProgress: (p) => seen.push(p) });
    // --limit 5000 keeps 5000 train and ceil(5000 / 6) = 834 test examples: train blocks, then test's one.
    expect(seen).toEqual([2000, 4000, 5000, 5834].map((done) => ({ phase: 'converting images', done, total: 5834 })));
    const quiet = loadDataset({ ...base, name: 'mnist', limit: 5000 });
    const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    expect(same(ds.train.x, quiet.train.x) && same(ds.test.x, quiet.test.x)).toBe(true);
    // An independent answer: the first training image's pixel bytes straight from the IDX file, scaled.
    const bytes = readFileSync(mnistFiles().trainImages).subarray(16, 16 + 784);
    expect(Array.from(ds.train.x.subarray(0, 784))).toEqual(Array.from(bytes, (b) => Math.fround(b / 255)));
  });

  it('loads 60000 + 10000 28x28x1 images in [0, 1] with the known label histogram', () => {
    const ds = loadDataset({ ...base, name: 'mnist' });
    expect(ds).toMatchObject({ name: 'mnist', kind: 'image', shape: [28, 28, 1], preprocessing: { kind: 'scale', scale: 1 / 255 } });
    expect(ds.labelNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect([ds.train.n, ds.test.n, ds.train.x.length, ds.test.x.length]).toEqual([60000, 10000, 60000 * 784, 10000 * 784]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.train.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
    const histogram = new Array<number>(10).fill(0);
    ds.train.labels!.forEach((c) => histogram[c]++);
    expect(histogram).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);

    // Pixels against the raw file bytes (16-byte header), and the first labels (5, 0, 4, 1, 9 is MNIST's well-known start).
    const raw = readFileSync(mnistFiles().testImages);
    let mismatches = 0;
    for (let k = 0; k < ds.test.x.length; k++) if (ds.test.x[k] !== Math.fround(raw[16 + k] / 255)) mismatches++;
    expect(mismatches).toBe(0);
    expect(Array.from(ds.train.labels!.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  });

  it('limit keeps the first examples of each split', () => {
    const ds = loadDataset({ ...base, name: 'mnist', limit: 100 });
    expect([ds.train.n, ds.test.n, ds.train.x.length, ds.train.labels!.length]).toEqual([100, 17, 78400, 100]);
    expect(Array.from(ds.train.labels!.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(loadDataset({ ...base, name: 'mnist', limit: 1 }).test.n).toBe(1);
  });
});

describe('Fashion-MNIST', () => {
  // A miniature copy: 3 train and 2 test images of 2x2, some files gzipped, some raw.
  const { remove, dir, write } = tempFolder();
  afterAll(remove);
  write('train-images-idx3-ubyte.gz', gzip(encodeIdx(0x08, [3, 2, 2], [0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8])));
  write('train-labels-idx1-ubyte', encodeIdx(0x08, [3], [9, 0, 3]));
  write('t10k-images-idx3-ubyte', encodeIdx(0x08, [2, 2, 2], [10, 20, 30, 40, 50, 60, 70, 80]));
  write('t10k-labels-idx1-ubyte.gz', gzip(encodeIdx(0x08, [2], [1, 2])));

  it('reads the four files from the folder, raw or gzipped, with the 10 class names', () => {
    const ds = loadDataset({ ...base, name: 'fashion-mnist', path: dir });
    expect(ds).toMatchObject({ name: 'fashion-mnist', kind: 'image', shape: [2, 2, 1], source: dir });
    expect(ds.labelNames).toEqual(FASHION_MNIST_CLASSES);
    expect(ds.labelNames![9]).toBe('Ankle boot');
    expect(ds.train.x.subarray(0, 4)).toEqual(Float32Array.of(0, 51 / 255, 102 / 255, 1));
    expect(Array.from(ds.train.labels!)).toEqual([9, 0, 3]);
    expect(Array.from(ds.test.labels!)).toEqual([1, 2]);
  });

  it('says where it looked and how to get the files when the folder is missing', () => {
    const missing = join(dir, 'nowhere');
    const err = thrown(() => loadDataset({ ...base, name: 'fashion-mnist', path: missing }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain(missing);
    expect(err.message).toContain('apt-get install dataset-fashion-mnist');
    expect(err.message).toContain('--data-path');
  });

  it('names a missing file and a label count that does not match', () => {
    const other = tempFolder();
    onTestFinished(other.remove);
    other.write('train-images-idx3-ubyte', encodeIdx(0x08, [3, 2, 2], new Array(12).fill(0)));
    other.write('train-labels-idx1-ubyte', encodeIdx(0x08, [2], [0, 1]));
    other.write('t10k-images-idx3-ubyte', encodeIdx(0x08, [1, 2, 2], [0, 0, 0, 0]));
    const err = thrown(() => loadDataset({ ...base, name: 'fashion-mnist', path: other.dir }));
    expect(err.message).toMatch(/t10k-labels-idx1-ubyte: missing; expected t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte\.gz/);
    other.write('t10k-labels-idx1-ubyte', encodeIdx(0x08, [1], [0]));
    const err2 = thrown(() => loadDataset({ ...base, name: 'fashion-mnist', path: other.dir }));
    expect(err2).toBeInstanceOf(DataError);
    expect(err2.message).toMatch(/train-labels-idx1-ubyte: has 2 labels, expected 3 to match .*train-images-idx3-ubyte/);
  });
});
