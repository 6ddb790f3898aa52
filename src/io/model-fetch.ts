/** Loads a saved model over HTTP with `fetch` alone (browsers, Deno, Node 18+): model.json, then its weights file. */
import type { Model } from '../models/index.js';
import { ModelError } from '../errors.js';
import { importModel, type ModelMetadata } from './model-format.js';

/** The bytes at `url`; a failed request throws a ModelError naming the URL and the status. */
async function fetchOk(url: string, init?: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new ModelError(`${url}: the request failed (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!res.ok) throw new ModelError(`${url}: the server answered ${res.status} ${res.statusText}`.trimEnd());
  return res;
}

/**
 * Fetches `model.json` from `url` (a model folder's URL, with or without the trailing `model.json`) and the weights
 * file it names from the same folder, and rebuilds the model. Errors name the URL.
 *
 * @example
 * const { model, metadata } = await fetchModel('/models/mnist-vae/');
 * const images = model.decode(tf.randomNormal([16, metadata.latentDim])); // [16, 784]
 */
export async function fetchModel(url: string | URL, init?: RequestInit): Promise<{ model: Model; metadata: ModelMetadata }> {
  const base = typeof location !== 'undefined' ? location.href : undefined;
  let jsonUrl = new URL(String(url), base);
  if (!jsonUrl.pathname.endsWith('.json')) jsonUrl = new URL(jsonUrl.pathname.endsWith('/') ? 'model.json' : `${jsonUrl.pathname.split('/').pop()}/model.json`, jsonUrl);
  const jsonText = await (await fetchOk(jsonUrl.href, init)).text();
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText);
  } catch (err) {
    throw new ModelError(`${jsonUrl.href}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const file = (raw as { weightsFile?: unknown })?.weightsFile;
  const weightsUrl = new URL(typeof file === 'string' ? file.split('/').pop()! : 'weights.bin', jsonUrl);
  const weights = new Uint8Array(await (await fetchOk(weightsUrl.href, init)).arrayBuffer());
  return importModel(raw, weights, jsonUrl.href, weightsUrl.href);
}
