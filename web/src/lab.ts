/**
 * The lab's current model and data, and how to get them: from the bundled default, from the served run
 * (`vaekit serve RUN`), or from files the user picks. Every failure becomes an Error whose message names the file.
 */
import { importModel, type ModelMetadata } from '../../src/io/model-format.js';
import type { Model } from '../../src/models/index.js';
import { ModelError } from '../../src/errors.js';
import { readExamples, type Examples, type NamedBytes } from './examples.js';

/** A loaded model with its test examples (when there are any) and where it came from. */
export interface Lab {
  model: Model;
  metadata: ModelMetadata;
  /** e.g. 'bundled default model', 'run runs/a', 'files model.json + weights.bin'. */
  source: string;
  test?: Examples;
  /** Where the test examples come from when not with the model, e.g. the page's bundled digits (shown in the page). */
  testSource?: string;
  /** Why there is no test data, for the views that need it. */
  dataNote?: string;
}

/** The MNIST test digits the page ships (the bundled default model's), which any model of their shape can be shown with. */
const BUNDLED_DIGITS = { base: 'default/', inputShape: [28, 28, 1], dataset: 'mnist' } as const;

/** What the page says when it shows a model with its bundled digits. */
export const BUNDLED_DIGITS_NOTE = "using the lab's bundled MNIST test digits";

/** True when a model reads MNIST digits: input shape [28, 28, 1], and trained on MNIST when its dataset is recorded. */
function readsBundledDigits(metadata: ModelMetadata): boolean {
  const { inputShape, dataset } = BUNDLED_DIGITS;
  const sameShape = metadata.inputShape.length === inputShape.length && metadata.inputShape.every((v, i) => v === inputShape[i]);
  return sameShape && (metadata.dataset === undefined || metadata.dataset === dataset);
}

/** What `vaekit serve [RUN]` says about the run at `run/manifest.json`; `name` is null when it serves none. */
export type RunManifest =
  | { name: string; data: { available: boolean; /** the test data files served, e.g. test-images.idx.gz */ files?: string[]; /** why there are no test examples */ note?: string } }
  | { name: null };

/** The file names a model folder and the lab's data use. */
export const FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  testImages: 'test-images.idx.gz',
  testLabels: 'test-labels.idx.gz',
  testPositions: 'test-positions.idx.gz',
  trainImages: 'train-images.idx.gz',
  trainLabels: 'train-labels.idx.gz',
} as const;

/** Fetches a URL's bytes, or undefined on 404; other failures throw naming the URL. */
export async function fetchBytes(url: string): Promise<NamedBytes | undefined> {
  const res = await fetch(url, { cache: 'no-store' });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`${url}: the server answered ${res.status} ${res.statusText}`);
  return { name: url, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/**
 * Builds a model from model.json and weights.bin bytes; errors name the file.
 *
 * @example
 * const { model, metadata } = modelFromBytes(json, weights);
 */
function modelFromBytes(json: NamedBytes, weights: NamedBytes): { model: Model; metadata: ModelMetadata } {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(json.bytes));
  } catch (err) {
    throw new ModelError(`${json.name}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return importModel(raw, weights.bytes, json.name, weights.name);
}

/** Adds test examples to a model; a failure to read them disposes the model and throws. */
async function withData(
  loaded: { model: Model; metadata: ModelMetadata },
  source: string,
  { images, labels, positions }: { images?: NamedBytes; labels?: NamedBytes; positions?: NamedBytes },
  missing: string,
): Promise<Lab> {
  const bundled = !images && readsBundledDigits(loaded.metadata);
  if (!images && !bundled) return { ...loaded, source, dataNote: missing };
  try {
    if (bundled) [images, labels] = await Promise.all([fetchBytes(BUNDLED_DIGITS.base + FILES.testImages), fetchBytes(BUNDLED_DIGITS.base + FILES.testLabels)]);
    if (!images) throw new Error(`${BUNDLED_DIGITS.base + FILES.testImages}: not found on the server`);
    const testSource = bundled ? BUNDLED_DIGITS_NOTE : undefined;
    const test = await readExamples({ images, labels, positions, inputShape: loaded.metadata.inputShape, preprocessing: loaded.metadata.preprocessing });
    return { ...loaded, source, test, ...(testSource && { testSource }) };
  } catch (err) {
    loaded.model.dispose();
    throw err;
  }
}

/**
 * Loads a model folder served over HTTP (`default/` or `run/`) with its test examples when the folder has them;
 * `files` names the test data files there when the server says (then no other is asked for).
 *
 * @example
 * const lab = await loadFromUrl('default/', 'bundled default model');
 */
export async function loadFromUrl(base: string, source: string, dataNote = 'this model came without test examples', files?: string[]): Promise<Lab> {
  const [json, weights] = await Promise.all([fetchBytes(base + FILES.model), fetchBytes(base + FILES.weights)]);
  if (!json) throw new ModelError(`${base + FILES.model}: not found on the server`);
  if (!weights) throw new ModelError(`${base + FILES.weights}: not found on the server`);
  const loaded = modelFromBytes(json, weights);
  const get = async (name: string) => (files && !files.includes(name) ? undefined : fetchBytes(base + name));
  const [images, labels] = await Promise.all([get(FILES.testImages), get(FILES.testLabels)]);
  // Unlabelled examples may come with the Swiss roll's positions to colour the map by (a labelled map never asks).
  const positions = images && !labels ? await get(FILES.testPositions) : undefined;
  return withData(loaded, source, { images, labels, positions }, dataNote);
}

/** The run `vaekit serve RUN` serves, or undefined when it serves none (or the page is not served by vaekit). */
export async function runManifest(): Promise<Extract<RunManifest, { name: string }> | undefined> {
  const bytes = await fetchBytes('run/manifest.json');
  const manifest = bytes && (JSON.parse(new TextDecoder().decode(bytes.bytes)) as RunManifest);
  return manifest && manifest.name !== null ? manifest : undefined;
}

/**
 * Loads picked files: a model.json (any .json) and its weights (.bin), and optionally test images and labels as IDX
 * files (`*images*`, `*labels*`, gzip or not).
 */
export async function loadFromFiles(files: File[]): Promise<Lab> {
  const pick = (test: (name: string) => boolean) => files.find((f) => test(f.name.toLowerCase()));
  const json = pick((n) => n.endsWith('.json'));
  const weights = pick((n) => n.endsWith('.bin'));
  if (!json || !weights) {
    throw new ModelError(`picked ${files.map((f) => f.name).join(', ') || 'no files'}; expected a model.json and its weights.bin (pick both at once)`);
  }
  const read = async (f: File | undefined): Promise<NamedBytes | undefined> => f && { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
  const isData = (n: string) => !n.endsWith('.json') && !n.endsWith('.bin');
  const loaded = modelFromBytes((await read(json))!, (await read(weights))!);
  const images = await read(pick((n) => isData(n) && n.includes('images')));
  const labels = await read(pick((n) => isData(n) && n.includes('labels')));
  const names = [json, weights].map((f) => f.name).join(' + ');
  return withData(loaded, `files ${names}`, { images, labels }, 'no test examples were picked (add an images IDX file, and a labels one, to the selection)');
}
