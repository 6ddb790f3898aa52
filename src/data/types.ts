/** The Dataset interface every loader returns: preprocessed float examples, optional labels, and how they were made. */
import type { DataStream } from './stream.js';

/** What the examples are; models and figures choose their defaults from it. */
export type DataKind = 'image' | 'points' | 'tabular';

/** One split of a dataset, examples stored back to back. */
export interface DataSplit {
  /** [n, ...shape] row-major, already preprocessed. */
  x: Float32Array;
  /** [n] class index into `Dataset.labelNames`. */
  labels?: Int32Array;
  /** Number of examples. */
  n: number;
  /** Per-example side information that is not model input. */
  aux?: {
    /** [n] the Swiss roll's angle t (the position along the roll), for colouring latent maps. */
    position?: Float32Array;
    /** [n, f] generative factors per example (dSprites: shape, scale, orientation, posX, posY), for disentanglement metrics. */
    factors?: Float32Array;
  };
}

/** How raw values became `x`; saved with a model so new inputs are treated the same way. */
export type Preprocessing =
  /** x = raw * scale (images: 1/255). */
  | { kind: 'scale'; scale: number }
  /** x = (raw - mean) / std per feature; stats from the train split only; a feature with std 0 uses 1. */
  | { kind: 'standardize'; mean: number[]; std: number[] }
  | { kind: 'none' };

/**
 * One column of a tabular file as the model sees it: a numeric column is one input value, a categorical column a
 * one-hot block of as many inputs as it has categories (scored by a categorical, softmax, likelihood term).
 */
export type TabularColumn =
  /** x[:, index], in the file's units before preprocessing. */
  | { name: string; kind: 'numeric'; index: number }
  /** x[:, start .. start + labels.length), one-hot; `labels` the categories as written, in the order of the block. */
  | { name: string; kind: 'categorical'; start: number; labels: string[] };

/** A loaded dataset: a train and a test split plus everything needed to interpret them. */
export interface Dataset {
  /** e.g. 'mnist', 'swiss-roll', or the file name. */
  name: string;
  kind: DataKind;
  /** Per-example shape: [28, 28, 1] for MNIST (H, W, C), [2] for the 2-D roll, [d] for tabular. */
  shape: number[];
  /** Class names, indexed by the split's `labels`. */
  labelNames?: string[];
  train: DataSplit;
  test: DataSplit;
  preprocessing: Preprocessing;
  /** Human-readable origin: a path, or the generator and its seed. */
  source: string;
  /** Tabular data from a file: its columns, in the file's order (label column removed), and where each sits in x. */
  columns?: TabularColumn[];
  /**
   * Set when the data streams from disk (`DataOptions.stream`): training and the test loss read the file in chunks,
   * and `train` and `test` hold only their first examples, for figures.
   */
  stream?: DataStream;
}

/** Options for {@link loadDataset}. */
export interface DataOptions {
  /** 'mnist' | 'fashion-mnist' | 'swiss-roll' | 'swiss-roll-3d' | 'dsprites' | a path to .csv / .npy / .idx / *-idx?-ubyte, optionally .gz, or a folder of PNG images. */
  name: string;
  /**
   * Keep the first `limit` training examples and the first max(1, ceil(limit / 6)) test examples
   * (6 is MNIST's train:test ratio). Applied before standardization, so its stats come from the kept examples.
   */
  limit?: number;
  /** Seeds generated data, and the train/test split of data that has none. */
  seed: number;
  /** Fraction of examples held out for test; used only where the data has no split of its own. */
  testFraction: number;
  /** CSV only: the label column, as a header name or a 0-based column index. */
  labelColumn?: string | number;
  /** CSV only: physical lines skipped before anything else (scikit-learn's exports start with a line of counts). */
  skipRows?: number;
  /** CSV only: the delimiter; default sniffed from the first records among comma, semicolon and tab. */
  delimiter?: ',' | ';' | '\t';
  /** CSV only: feature columns read as categorical even when numeric (zip codes), as header names or 0-based indices. */
  categorical?: (string | number)[];
  /** CSV only: missing cells (empty, NA, N/A, NaN, null, ?) are an error (default), drop their rows, or are filled (`mean`). */
  missing?: 'error' | 'drop' | 'mean';
  /**
   * CSV only: each row's feature columns are an image [H, W, C], read row-major (H, then W, then C); the data is then
   * kind 'image', scaled by 1/max when its max is over 1 (its values must be >= 0).
   */
  shape?: [number, number, number];
  /** Standardize each feature with train-split stats. Default: true for tabular and points, false for images. */
  standardize?: boolean;
  /** Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist/), or the IDX labels file for a user IDX file. */
  path?: string;
  /** Generated data: total number of points before the split (default 10000; dSprites: all 737,280 combinations). */
  n?: number;
  /** Generated data: Gaussian noise std in the roll's raw units, before standardization (default 0.1). */
  noise?: number;
  /** A folder of PNG images: the [height, width] every image is resized to (default the first image's size). */
  imageSize?: [number, number];
  /**
   * Bytes a load may allocate (default half of physical memory). A loader whose estimate is over it refuses before
   * allocating; uncompressed .npy and IDX files are read example by example, so `limit` brings them under it.
   */
  memoryBudget?: number;
  /** Uncompressed .npy and IDX files: train from the file in shuffled chunks instead of loading it (see `streamBatches`). */
  stream?: boolean;
  /** Hears how far a load of seconds has got (MNIST and Fashion-MNIST: the images converted to floats); not part of a config. */
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
  /** Streaming: examples per chunk (default: 8 MiB of float32 rows). The shuffle, hence the results, depend on it. */
  chunkExamples?: number;
}
