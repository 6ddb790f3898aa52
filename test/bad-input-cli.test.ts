/**
 * Bad input through the CLI, end to end: each malformed data file given to `train --data`, and each damaged model
 * folder given to `sample` (the adversarial pass's invalid models also to eval, summary, anomaly and serve), exits 2
 * with a message naming the file and what was expected, prints no stack trace, and leaves no run folder or output file
 * behind. (The loaders' and the model format's own tests check each message in
 * detail; this checks that every one of them reaches the user as a clean exit.)
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx, encodeNpy } from './fixtures/data/build.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('bad-input');
const dir = tmp.dir;
afterAll(tmp.remove);

const write = (name: string, content: Uint8Array | string): string => {
  writeFileSync(path.join(dir, name), content);
  return name;
};

function expectCleanFailure(r: { code: number; stderr: string }, names: string | RegExp, leftover: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(typeof names === 'string' ? new RegExp(names.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : names);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('vaekit:'))).toHaveLength(1);
  expect(existsSync(path.join(dir, leftover)), `${leftover} left behind`).toBe(false);
}

describe('bad data files through vaekit train', () => {
  const images = Array.from({ length: 6 * 4 * 4 }, (_, i) => i % 256);
  const idx = encodeIdx(0x08, [6, 4, 4], images);
  const cases: [string, () => string[], RegExp][] = [
    ['a missing file', () => ['--data', 'nowhere.csv'], /nowhere\.csv: no such file/],
    ['an empty folder', () => (mkdirSync(path.join(dir, 'folder.csv'), { recursive: true }), ['--data', 'folder.csv']), /folder\.csv: the folder holds no images/],
    ['IDX with a wrong magic number', () => ['--data', write('magic-idx3-ubyte', Uint8Array.from([1, 2, 8, 3, ...idx.subarray(4)]))], /magic-idx3-ubyte: expected IDX magic starting 0x0000/],
    ['truncated IDX data', () => ['--data', write('short-idx3-ubyte', idx.subarray(0, idx.length - 5))], /short-idx3-ubyte: truncated data: dims \[6, 4, 4\] of uint8 need 96 data bytes, found 91/],
    ['IDX labels whose count does not match', () => ['--data', write('img-idx3-ubyte', idx), '--data-path', write('lab-idx1-ubyte', encodeIdx(0x08, [5], [0, 1, 2, 3, 4]))], /lab-idx1-ubyte: has 5 labels, expected 6/],
    ['a .gz that is not gzip', () => ['--data', write('fake-idx3-ubyte.gz', idx)], /fake-idx3-ubyte\.gz: named \.gz but is not gzip: expected magic bytes 1f 8b, found 00 00/],
    ['CSV with ragged rows', () => ['--data', write('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n')], /ragged\.csv/],
    ['CSV with a non-numeric cell', () => ['--data', write('words.csv', 'a,b\n1,2\n3,four\n5,6\n')], /words\.csv.*four/],
    ['CSV with NaN', () => ['--data', write('nan.csv', 'a,b\n1,2\nNaN,3\n5,6\n')], /nan\.csv/],
    ['CSV with Inf', () => ['--data', write('inf.csv', 'a,b\n1,2\nInf,3\n5,6\n')], /inf\.csv/],
    ['an empty CSV', () => ['--data', write('empty.csv', '')], /empty\.csv/],
    ['NPY with an unsupported dtype', () => ['--data', write('complex.npy', encodeNpy('<c8', [2, 2], []))], /complex\.npy: unsupported dtype '<c8'/],
    ['NPY in Fortran order', () => ['--data', write('fortran.npy', encodeNpy('<f4', [3, 2], [1, 2, 3, 4, 5, 6], { fortran: true }))], /fortran\.npy: fortran_order is True/],
    ['truncated NPY', () => ['--data', write('cut.npy', encodeNpy('<f4', [3, 2], [1, 2, 3, 4, 5, 6]).subarray(0, 140))], /cut\.npy: truncated data/],
    ['an image folder holding a non-image', () => {
      mkdirSync(path.join(dir, 'pics'), { recursive: true });
      write('pics/notes.txt', 'hello');
      return ['--data', 'pics'];
    }, /notes\.txt: not a PNG image/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await runCli(dir, 'train', ...args(), '--model', 'vae', '--latent', '2', '--hidden', '4', '--epochs', '1', '--backend', 'cpu', '--out', 'never');
      expectCleanFailure(r, message, 'never');
    });
  }
});

describe('conv presets on data they cannot take', () => {
  const small = encodeIdx(0x08, [6, 8, 8], Array.from({ length: 6 * 64 }, (_, i) => (i * 37) % 256));
  const cases: [string, () => string[], RegExp][] = [
    ['non-image data', () => ['--preset', 'mnist-conv-vae', '--data', 'swiss-roll'], /preset mnist-conv-vae on swiss-roll: model\.encoder: a conv encoder needs image data .*shape \[2\]/],
    ['images too small for five stride-2 layers', () => ['--preset', 'dsprites-conv-vae', '--data', write('small-idx3-ubyte', small)], /preset dsprites-conv-vae on .*: model\.encoder: 5 conv layers of stride 2 need images of at least 17x17 pixels.*\[8, 8, 1\]/],
    ['the 64x64 image preset without --data', () => ['--preset', 'images64-conv-vae'], /preset images64-conv-vae reads a folder of PNG images.*pass --data FOLDER/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await runCli(dir, 'train', ...args(), '--epochs', '1', '--backend', 'cpu', '--out', 'never-conv');
      expectCleanFailure(r, message, 'never-conv');
    });
  }
});

describe('damaged model folders through vaekit sample', () => {
  beforeAll(async () => {
    const r = await runCli(dir, 'train', '--preset', 'swiss-roll-vae', '--epochs', '1', '--backend', 'cpu', '--out', 'good');
    expect(r.code, r.stderr).toBe(0);
  });

  /** A copy of the good run with its model folder damaged by `edit`. */
  function damaged(name: string, edit: (modelDir: string) => void): string {
    rmSync(path.join(dir, name), { recursive: true, force: true });
    cpSync(path.join(dir, 'good'), path.join(dir, name), { recursive: true });
    edit(path.join(dir, name, 'model'));
    return name;
  }
  const json = (modelDir: string) => JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  const cases: [string, (modelDir: string) => void, RegExp][] = [
    ['missing weights', (m) => rmSync(path.join(m, 'weights.bin')), /weights\.bin/],
    ['weights of the wrong size', (m) => writeFileSync(path.join(m, 'weights.bin'), new Uint8Array(12)), /weights\.bin: the file has 12 bytes, expected \d+/],
    ['a weight of the wrong shape', (m) => {
      const meta = json(m);
      meta.weights[0].shape = [meta.weights[0].shape[1], meta.weights[0].shape[0]];
      writeFileSync(path.join(m, 'model.json'), JSON.stringify(meta));
    }, /weight 'encoder\.dense0\.kernel' has shape \[128, 2\], expected \[2, 128\]/],
    ['tampered metadata', (m) => {
      const meta = json(m);
      meta.latentDim = 'two';
      writeFileSync(path.join(m, 'model.json'), JSON.stringify(meta));
    }, /model\.json: latentDim/],
    ['truncated JSON', (m) => writeFileSync(path.join(m, 'model.json'), '{"format": "vaekit-model", '), /model\.json: not valid JSON/],
    ['a newer format version', (m) => {
      const meta = json(m);
      meta.formatVersion = 99;
      writeFileSync(path.join(m, 'model.json'), JSON.stringify(meta));
    }, /formatVersion 99 is newer than this vaekit .* reads \(1\); upgrade vaekit/],
  ];
  for (const [what, edit, message] of cases) {
    it(what, async () => {
      const run = damaged(what.replace(/\W+/g, '-'), edit);
      const r = await runCli(dir, 'sample', run, '--backend', 'cpu', '--out', 'samples-out');
      expectCleanFailure(r, message, 'samples-out');
    });
  }

  // The adversarial pass's models: each once crashed a command with a RangeError or ran it to a NaN with exit 0. Every
  // command that loads a model, and serve at start, now refuses it with the loader's one line (src/io/model-check.ts).
  const editJson = (edit: (meta: Record<string, any>) => void) => (m: string) => {
    const meta = json(m);
    edit(meta);
    writeFileSync(path.join(m, 'model.json'), JSON.stringify(meta));
  };
  const setWeight = (j: number, value: number) => (m: string) => {
    const bytes = readFileSync(path.join(m, 'weights.bin'));
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setFloat32(4 * j, value, true);
    writeFileSync(path.join(m, 'weights.bin'), bytes);
  };
  const invalid: [string, (modelDir: string) => void, 'model.json' | 'weights.bin', string][] = [
    ['inputShape of 1e12 values', editJson((m) => ((m.inputShape = [1e6, 1e6]), (m.inputDim = 1e12))), 'model.json',
      'inputShape [1000000, 1000000] holds 1000000000000 values per example, expected at most 268435456 (2^28)'],
    ['a NaN weight', setWeight(1, NaN), 'weights.bin', "weight 'encoder.dense0.kernel' [1] is NaN, expected finite values with |w| <= 1000000"],
    ['an infinite weight', setWeight(2, Infinity), 'weights.bin', "weight 'encoder.dense0.kernel' [2] is Infinity, expected finite values with |w| <= 1000000"],
    ['a weight of 1e30', setWeight(0, 1e30), 'weights.bin', `weight 'encoder.dense0.kernel' [0] is ${Math.fround(1e30)}, expected finite values with |w| <= 1000000`],
    ['kind gan', editJson((m) => (m.kind = 'gan')), 'model.json', "kind is 'gan', expected one of autoencoder, vae, poor-man-vae, cvae, beta-tcvae, dip-vae, info-vae, wae-mmd, rae, factor-vae, vq-vae, vamp-prior, flow-vae, hierarchical-vae"],
    ['no graph', editJson((m) => delete m.graph), 'model.json', 'graph is missing, expected { encoder, heads: { mean, logVar? }, decoder }, each a list of ops'],
    ['a float64 dtype', editJson((m) => (m.weights[0].dtype = 'float64')), 'model.json',
      "weights[0].dtype ('encoder.dense0.kernel') is 'float64', expected 'float32' (the only dtype of format version 1)"],
    ['a zero std', editJson((m) => (m.preprocessing = { kind: 'standardize', mean: [0, 0], std: [1, 0] })), 'model.json', 'preprocessing.std[1] is 0, expected a finite number > 0'],
  ];
  const commands: [string, string[]][] = [
    ['eval', ['--backend', 'cpu']],
    ['summary', []],
    ['sample', ['--backend', 'cpu', '--out', 'invalid-out']],
    // A valid data file: with a zero std in the model, anomaly used to blame the data.
    ['anomaly', ['--data', write('two-columns.csv', 'a,b\n0.5,1\n1,2\n'), '--backend', 'cpu', '--out', 'invalid-out']],
    ['serve', ['--port', '0']],
  ];
  for (const [what, edit, file, message] of invalid) {
    it(`${what}: ${commands.map(([c]) => c).join(', ')} each exit 2 with the loader's one line`, async () => {
      const run = damaged(`invalid-${what.replace(/\W+/g, '-')}`, edit);
      for (const [command, args] of commands) {
        const r = await runCli(dir, command, run, ...args);
        expectCleanFailure(r, message, 'invalid-out');
        expect(r.stderr.trim(), command).toBe(`vaekit: ${path.join(run, 'model', file)}: ${message}`);
      }
    });
  }
});
