/** Saves a model folder (model.json + weights.bin) atomically and loads one with errors that name the file. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Model } from '../models/index.js';
import { ModelError, oneLineReason } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { exportModel, importModel, type ModelMetadata } from './model-format.js';

/**
 * Writes `dir/weights.bin` then `dir/model.json`, each atomically.
 *
 * @example
 * saveModel('runs/a/model', model, { inputShape: [28, 28, 1], preprocessing });
 */
export function saveModel(dir: string, model: Model, meta: Parameters<typeof exportModel>[1]): ModelMetadata {
  const { metadata, weights } = exportModel(model, meta);
  writeFileAtomic(path.join(dir, metadata.weightsFile), weights);
  writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(metadata, null, 2) + '\n');
  return metadata;
}

/**
 * Loads a model folder, or a run folder holding `model/`.
 *
 * @example
 * const { model, metadata } = loadModel('runs/mnist-vae-20261122');
 */
export function loadModel(dirOrRun: string): { model: Model; metadata: ModelMetadata; dir: string } {
  const dir = existsSync(path.join(dirOrRun, 'model', 'model.json')) ? path.join(dirOrRun, 'model') : dirOrRun;
  const jsonPath = path.join(dir, 'model.json');
  if (!existsSync(jsonPath)) throw new ModelError(`${dirOrRun}: no model found (expected ${jsonPath} or ${path.join(dirOrRun, 'model', 'model.json')})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (err) {
    throw new ModelError(`${jsonPath}: not valid JSON (${oneLineReason(err)})`);
  }
  const weightsFile = typeof (raw as ModelMetadata)?.weightsFile === 'string' ? (raw as ModelMetadata).weightsFile : 'weights.bin';
  const weightsPath = path.join(dir, path.basename(weightsFile));
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(weightsPath);
  } catch (err) {
    throw new ModelError(`${weightsPath}: cannot read the weights (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return { ...importModel(raw, bytes, jsonPath, weightsPath), dir };
}
