/** Datasets for vaekit: loading (MNIST, Fashion-MNIST, Swiss roll, CSV, NPY, IDX), batching and binarization, on plain typed arrays. */
export type { DataKind, DataOptions, DataSplit, Dataset, Preprocessing, TabularColumn } from './types.js';
export { loadDataset, fileFormat, BUILT_IN_DATASETS, DATA_ACCEPTED } from './load.js';
export { batchIndices, binarize, exampleSize, gather, memoryBatches, type Batch } from './batch.js';
export { parseIdx, readIdx, type IdxArray, type IdxData } from './idx.js';
export { parseNpy, writeNpy, type NpyArray, type NpyDtype } from './npy.js';
export {
  parseCsv,
  numericMatrix,
  parseDecimal,
  parseLabelColumn,
  parseColumnList,
  parseDelimiter,
  parseShape,
  shapeText,
  delimiterName,
  csvFlagValue,
  csvFlagsGiven,
  CSV_FLAGS,
  CSV_DELIMITERS,
  MISSING_POLICIES,
  DEFAULT_MISSING,
  type CsvColumn,
  type CsvDelimiter,
  type CsvOptions,
  type CsvTable,
  type MissingPolicy,
} from './csv.js';
export { mnistFiles, loadMnist, loadFashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, type MnistFile } from './mnist.js';
export { swissRoll, loadSwissRoll, SWISS_ROLL_N, SWISS_ROLL_NOISE, type SwissRollOptions } from './swiss-roll.js';
export { loadDsprites, drawDsprite, dspritesFactorIndices, DSPRITES_COUNT, DSPRITES_FACTORS, DSPRITES_SHAPES } from './dsprites.js';
export { loadXySquares, groundTruthFor, dspritesTruth, xySquaresTruth, GROUND_TRUTHS, XY_SQUARES, type GroundTruth } from './factors.js';
export { loadCsvFile, loadIdxFile, loadNpyFile } from './user-files.js';
export { encodeLabels, limitCounts } from './preprocess.js';
export { readDataFile, isGzip } from './files.js';
export { checkBudget, defaultMemoryBudget, formatBytes, parseByteSize, type MemoryNeed } from './budget.js';
export { loadImageFolder, readImageFolder, resizeBilinear, type ImageFolder, type ImageFolderOptions } from './image-folder.js';
export { loadForModel, applyPreprocessing, invertPreprocessing, type ModelDataOptions, type ModelExamples } from './for-model.js';
export { addNoise, parseNoise, noiseText, NOISE_KINDS, type NoiseSpec } from './noise.js';
export { streamBatches, streamFeatureStats, defaultChunkExamples, type DataStream, type RecordRange } from './stream.js';
