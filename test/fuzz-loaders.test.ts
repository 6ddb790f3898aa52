/**
 * Seeded fuzzing of the file loaders: thousands of mutated valid IDX, NPY and CSV files give data or a typed
 * DataError, never anything else; and a slice of `npm run fuzz`'s corpus (test/fuzz-corpus.ts) of mutated model folders
 * and checkpoints gives a usable model or checkpoint or a one-line VaekitError.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/rng.js';
import { loadDataset, parseCsv, parseIdx, parseNpy } from '../src/data/index.js';
import { DataError } from '../src/errors.js';
import { initBackend, tf } from '../src/engine/index.js';
import { checkpointCase, dataCase, idxBytes as idxFile, makeBases, modelCase, npyBytes as npyFile, tally, type Bases } from './fuzz-corpus.js';
import { mutate } from './fuzz-corpus.js';

const ROUNDS = 2500;

const CSV = 'a,b,c,label\n1,2,3,x\n4,5.5,-6,y\n7,8e-1,9,x\n0,0,1,y\n';


/** Runs `fn` and requires that it either returns or throws a DataError that names the file. */
function onlyTypedErrors(fn: () => unknown, file: string): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof DataError)) throw new Error(`expected a DataError, got ${String(err)}`);
    expect(err.message.startsWith(file)).toBe(true);
    return 'error';
  }
}

describe('fuzzed loaders throw only typed errors', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('IDX', () => {
    const rng = new Rng('fuzz-idx');
    const valid = idxFile();
    const seen = { ok: 0, error: 0 };
    for (let i = 0; i < ROUNDS; i++) seen[onlyTypedErrors(() => parseIdx(mutate(valid, rng), 'f.idx'), 'f.idx')]++;
    expect(seen.error).toBeGreaterThan(ROUNDS / 2); // most mutations break the strict format
  });

  it('NPY', () => {
    const rng = new Rng('fuzz-npy');
    const valid = npyFile();
    const seen = { ok: 0, error: 0 };
    for (let i = 0; i < ROUNDS; i++) seen[onlyTypedErrors(() => parseNpy(mutate(valid, rng), 'f.npy'), 'f.npy')]++;
    expect(seen.error).toBeGreaterThan(ROUNDS / 2);
  });

  it('CSV', () => {
    const rng = new Rng('fuzz-csv');
    const valid = new TextEncoder().encode(CSV);
    const seen = { ok: 0, error: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      const text = new TextDecoder().decode(mutate(valid, rng));
      seen[onlyTypedErrors(() => parseCsv(text, 'f.csv', { labelColumn: 'label' }), 'f.csv')]++;
    }
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  it('whole files through loadDataset, raw and gzipped, with and without a limit', () => {
    const rng = new Rng('fuzz-files');
    const sources: [string, Uint8Array][] = [
      ['x.npy', npyFile()],
      ['x-idx3-ubyte', idxFile()],
      ['x.csv', new TextEncoder().encode(CSV)],
    ];
    // Raw .npy and IDX files take the example-by-example reader (with and without --limit), gzipped ones the whole read.
    for (let i = 0; i < 1500; i++) {
      const [name, valid] = sources[i % sources.length];
      const gz = rng.uniform() < 0.3;
      let bytes = mutate(valid, rng);
      if (gz) bytes = rng.uniform() < 0.5 ? gzipSync(bytes) : mutate(gzipSync(bytes), rng);
      const file = path.join(dir, `${i}-${name}${gz ? '.gz' : ''}`);
      writeFileSync(file, bytes);
      const limit = rng.uniform() < 0.5 ? 2 : undefined;
      onlyTypedErrors(() => loadDataset({ name: file, seed: 1, testFraction: 0.25, limit, labelColumn: name.endsWith('.csv') ? 'label' : undefined }), file);
    }
  });
});

describe('fuzzed model folders, checkpoints and data files (npm run fuzz\'s corpus)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-fuzz-models-'));
  let bases: Bases;
  beforeAll(async () => {
    await initBackend('cpu');
    bases = await makeBases(path.join(dir, 'bases'));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [corpus, run] of [['models', modelCase], ['checkpoints', checkpointCase]] as const) {
    it(`${corpus}: each case a result or a one-line VaekitError, no tensor left`, { timeout: 60_000 }, () => {
      const before = tf.memory().numTensors;
      const results = Array.from({ length: 200 }, (_, i) => run(bases, `suite:${corpus}:${i}`, path.join(dir, 'case')));
      const failures = results.filter((r) => r.outcome === 'crash' || r.outcome === 'slow').map((r) => `${r.outcome} (seed ${r.seed}, ${r.mutation}): ${r.message}`);
      expect(failures).toEqual([]);
      expect(tf.memory().numTensors).toBe(before);
      const counts = tally(results);
      // Most mutations break a strict format; the corpus still reaches the success paths.
      expect(counts.refused).toBeGreaterThan(corpus === 'models' ? 150 : 10);
      expect(counts.ok).toBeGreaterThan(0);
      if (corpus === 'checkpoints') expect(counts.fallback).toBeGreaterThan(100);
    });
  }

  for (const corpus of ['csv', 'npy', 'idx', 'idx-gz', 'png', 'safetensors'] as const) {
    it(`${corpus} (npm run fuzz's corpus, 150 cases): each a dataset or a one-line VaekitError, never a crash or a hang`, { timeout: 60_000 }, () => {
      const results = Array.from({ length: 150 }, (_, i) => dataCase(bases, corpus, `suite:${corpus}:${i}`, path.join(dir, 'case')));
      const failures = results.filter((r) => r.outcome === 'crash' || r.outcome === 'slow').map((r) => `${r.outcome} (seed ${r.seed}, ${r.mutation}): ${r.message}`);
      expect(failures).toEqual([]);
      expect(tally(results).refused).toBeGreaterThan(50); // most mutations break the format, and are told so
    });
  }
});
