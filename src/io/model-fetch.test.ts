import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { buildModel } from '../models/index.js';
import { ModelError } from '../errors.js';
import { rejection, tempDir } from '../../test/helpers.js';
import { saveModel } from './model-files.js';
import { fetchModel } from './model-fetch.js';

const tmp = tempDir('model-fetch');
let server: http.Server;
let base: string;

beforeAll(async () => {
  await initBackend('cpu');
  // A folder of two models served over HTTP: /vae/ as saveModel wrote it; /bad/ with a truncated weights file.
  server = http.createServer((req, res) => {
    try {
      res.end(readFileSync(path.join(tmp.dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  tmp.remove();
});

describe('fetchModel', () => {
  it('rebuilds a saved model from its folder URL, with or without model.json, decoding exactly as the original', async () => {
    const config = modelSchema.parse({ kind: 'vae', latent: 2, encoder: { hidden: [5] }, decoder: { hidden: [5] }, likelihood: { kind: 'bernoulli' } });
    const original = buildModel(config, 6, new Rng(3), { inputShape: [6] });
    saveModel(path.join(tmp.dir, 'vae'), original, { inputShape: [6], preprocessing: { kind: 'none' } });
    const z = tf.tensor2d([0.5, -1, 2, 0.25], [2, 2]); // [B, L]
    const want = original.decode(z).arraySync();
    for (const url of [`${base}/vae/`, `${base}/vae`, `${base}/vae/model.json`]) {
      const { model, metadata } = await fetchModel(url);
      expect(metadata.latentDim).toBe(2);
      expect(model.decode(z).arraySync()).toEqual(want);
      model.dispose();
    }
    original.dispose();
    z.dispose();
  });

  it('names the URL and the status when a file is missing or the weights do not match', async () => {
    const missing = await rejection(() => fetchModel(`${base}/nowhere/`));
    expect(missing).toBeInstanceOf(ModelError);
    expect(missing.message).toBe(`${base}/nowhere/model.json: the server answered 404 Not Found`);
    mkdirSync(path.join(tmp.dir, 'bad'));
    copyFileSync(path.join(tmp.dir, 'vae', 'model.json'), path.join(tmp.dir, 'bad', 'model.json'));
    const weights = await rejection(() => fetchModel(`${base}/bad/`));
    expect(weights.message).toBe(`${base}/bad/weights.bin: the server answered 404 Not Found`);
    writeFileSync(path.join(tmp.dir, 'bad', 'weights.bin'), readFileSync(path.join(tmp.dir, 'vae', 'weights.bin')).subarray(8));
    const short = await rejection(() => fetchModel(`${base}/bad/`));
    expect(short).toBeInstanceOf(ModelError);
    expect(short.message).toMatch(new RegExp(`^${base}/bad/weights.bin: the file has \\d+ bytes, expected \\d+ \\(weightsByteLength in ${base}/bad/model.json\\)$`));
  });

  it('checks the files as loadModel does: a NaN weight or a zero std is one ModelError naming the URL, the field and the value', async () => {
    mkdirSync(path.join(tmp.dir, 'nan'));
    copyFileSync(path.join(tmp.dir, 'vae', 'model.json'), path.join(tmp.dir, 'nan', 'model.json'));
    const bytes = readFileSync(path.join(tmp.dir, 'vae', 'weights.bin'));
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setFloat32(0, NaN, true);
    writeFileSync(path.join(tmp.dir, 'nan', 'weights.bin'), bytes);
    const nan = await rejection(() => fetchModel(`${base}/nan/`));
    expect(nan).toBeInstanceOf(ModelError);
    expect(nan.message).toBe(`${base}/nan/weights.bin: weight 'encoder.dense0.kernel' [0] is NaN, expected finite values with |w| <= 1000000`);

    mkdirSync(path.join(tmp.dir, 'std'));
    copyFileSync(path.join(tmp.dir, 'vae', 'weights.bin'), path.join(tmp.dir, 'std', 'weights.bin'));
    const meta = JSON.parse(readFileSync(path.join(tmp.dir, 'vae', 'model.json'), 'utf8'));
    meta.preprocessing = { kind: 'standardize', mean: [0, 0, 0, 0, 0, 0], std: [1, 1, 0, 1, 1, 1] };
    writeFileSync(path.join(tmp.dir, 'std', 'model.json'), JSON.stringify(meta));
    const std = await rejection(() => fetchModel(`${base}/std/`));
    expect(std.message).toBe(`${base}/std/model.json: preprocessing.std[2] is 0, expected a finite number > 0`);
  });
});
