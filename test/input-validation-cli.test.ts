/**
 * Issue 22's input cases through the CLI, end to end: strict config keys, partial configs, the Bernoulli/data rule,
 * decimal-only number flags and the bound on --k, negative label columns, and damaged NPY and PNG inputs. Each refusal
 * exits 2 with one `vaekit:` line naming the flag, key or file and the value, prints no stack trace, leaves no run
 * folder and builds no tensor.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../src/engine/index.js';
import { encodeNpy } from './fixtures/data/build.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('input22');
const dir = tmp.dir;
afterAll(tmp.remove);

const write = (name: string, content: Uint8Array | string): string => {
  mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  writeFileSync(path.join(dir, name), content);
  return name;
};

/** A CSV of 40 rows, 3 columns of values around 5 (standardized to about [-2, 2] by the loader), header a,b,c. */
const csv = ['a,b,c', ...Array.from({ length: 40 }, (_, i) => `${(i * 7) % 11},${(i * 3) % 5 + 2},${i % 4}`)].join('\n') + '\n';

/** A 4x4 grey PNG written by pngjs, optionally with its IHDR size replaced (its CRC recomputed by zlib). */
function png(size?: [number, number]): Buffer {
  const image = new PNG({ width: 4, height: 4 });
  image.data.fill(128);
  const bytes = PNG.sync.write(image, { colorType: 0 });
  if (!size) return bytes;
  bytes.writeUInt32BE(size[0], 16);
  bytes.writeUInt32BE(size[1], 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}

/** A folder `name` with one good PNG and `bad` as 2.png. */
function pngFolder(name: string, bad: Uint8Array): string {
  write(`${name}/c/1.png`, png());
  write(`${name}/c/2.png`, bad);
  return name;
}

beforeAll(async () => {
  write('wine.csv', csv);
  write('typo.json', JSON.stringify({ train: { epoch: 1, learningRate: 5 } }));
  write('partial.json', JSON.stringify({ model: { latent: 3 } }));
  write('wide.json', JSON.stringify({ model: { encoder: { hidden: [1_000_000_000] } } }));
  const r = await runCli(dir, 'train', '--config', 'partial.json', '--data', 'swiss-roll', '--hidden', '8', '--epochs', '1', '--limit', '60', '--backend', 'cpu', '--out', 'partial');
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

const T = ['--epochs', '1', '--limit', '30', '--backend', 'cpu', '--out', 'never'];
const good = png();
/** [what, argv, the one line expected on stderr after `vaekit: `, exactly or as a pattern]. */
const refusals: [string, () => string[], string | RegExp][] = [
  ['a config file with typos', () => ['train', '--config', 'typo.json', ...T], /^--config typo\.json: train\.epoch: unknown key; did you mean train\.epochs\? train\.learningRate: unknown key; the keys of train are epochs, /],
  ['a config file with a width of 1e9', () => ['train', '--config', 'wide.json', ...T], '--config wide.json: model.encoder.hidden.0 = 1000000000: expected at most 65536 units in a layer'],
  ['--hidden 1000000000', () => ['train', '--hidden', '1000000000', ...T], "--hidden (in '1000000000'): 1000000000 is out of range; expected a positive integer up to 65536"],
  ['--latent 100000', () => ['train', '--latent', '100000', ...T], '--latent: 100000 is out of range; expected a positive integer up to 65536'],
  ['Bernoulli on a standardized CSV', () => ['train', '--data', 'wine.csv', '--likelihood', 'bernoulli', ...T], /^--likelihood bernoulli: a Bernoulli decoder needs data in \[0, 1\], and 'wine\.csv' has values from -\d\.\d+ to \d\.\d+ \(standardized\); use --likelihood gaussian/],
  ['--lr 0x10', () => ['train', '--lr', '0x10', ...T], "--lr: '0x10' is not a learning rate > 0 (decimal notation, e.g. 0.5 or 1e-3)"],
  ['--lr Infinity', () => ['train', '--lr', 'Infinity', ...T], /^--lr: 'Infinity' is not a learning rate > 0/],
  ['--lr 1e400', () => ['train', '--lr', '1e400', ...T], "--lr: '1e400' is not a learning rate > 0"],
  ['--beta 0b1', () => ['train', '--beta', '0b1', ...T], /^--beta: '0b1' is not a weight >= 0 \(decimal notation/],
  ['--epochs 1e400', () => ['train', ...T, '--epochs', '1e400'], "--epochs: '1e400' is not a positive integer"],
  ['--epochs ""', () => ['train', ...T, '--epochs', ''], "--epochs: '' is not a positive integer"],
  ['--denoise gaussian:0x1', () => ['train', '--denoise', 'gaussian:0x1', ...T], "--denoise: 'gaussian:0x1': the standard deviation must be a number >= 0"],
  ['--label-column -4 of 3 columns', () => ['train', '--data', 'wine.csv', '--label-column', '-4', ...T], 'wine.csv: label column -4 is out of range; the file has 3 columns (0-based 0..2, or -3..-1 from the end)'],
  ['eval --nll --k above its bound', () => ['eval', 'partial', '--nll', '--k', '100001'], '--k: 100001 is out of range; expected a positive integer up to 100000'],
  ['anomaly --k above its bound', () => ['anomaly', 'partial', '--data', 'swiss-roll', '--score', 'nll', '--k', '1000000'], '--k: 1000000 is out of range; expected a positive integer up to 100000'],
  ['an NPY with zero columns', () => ['train', '--data', write('zero.npy', encodeNpy('<f4', [5, 0], [])), '--model', 'vae', ...T], 'zero.npy: examples of shape [0] hold no values (the array is [5, 0]); expected at least one value per example'],
  ['an NPY header that cannot be read', () => ['train', '--data', write('header.npy', encodeNpy('<f4', [1], [0], { header: '{garb\nage}' })), ...T], /^header\.npy: unsupported dtype in header \{garb\\nage\}; expected one of/],
  ['a symbolic link loop in a PNG folder', () => {
    write('loop/c/1.png', good);
    if (!existsSync(path.join(dir, 'loop/c/up'))) symlinkSync('..', path.join(dir, 'loop/c/up'));
    return ['train', '--data', 'loop', ...T];
  }, /^loop\/c\/up: a symbolic link loop: it leads back to .*loop, a folder it is in; remove the link$/],
  ['an empty PNG', () => ['train', '--data', pngFolder('empty-png', new Uint8Array(0)), ...T], 'empty-png/c/2.png: not a PNG: the file is empty (0 bytes)'],
  ['a truncated PNG', () => ['train', '--data', pngFolder('cut-png', good.subarray(0, good.length - 15)), ...T], /^cut-png\/c\/2\.png: truncated PNG: its IDAT chunk at byte 33 needs \d+ bytes, the file has \d+$/],
  ['a PNG whose IHDR claims 2^31-1 x 2^31-1 pixels', () => ['train', '--data', pngFolder('huge-png', png([2 ** 31 - 1, 2 ** 31 - 1])), ...T], /^huge-png\/c\/2\.png: corrupt PNG header: it says 2147483647x2147483647 pixels, \d+ bytes of pixel data, more than a file of \d+ bytes can hold/],
];

describe('issue 22: bad input is refused with one line, no stack trace, no run folder and no tensor', () => {
  it.each(refusals)('%s', async (_what, args, expected) => {
    const tensors = tf.memory().numTensors;
    const r = await runCli(dir, ...args());
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => !/^(backend|notice): /.test(l));
    expect(lines, r.stderr).toHaveLength(1);
    const message = lines[0].replace(/^vaekit: /, '');
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
    expect(existsSync(path.join(dir, 'never')), 'a run folder left behind').toBe(false);
    expect(tf.memory().numTensors, 'tensors built before the refusal').toBe(tensors);
  });
});

describe('issue 22: what is now accepted', () => {
  it("a partial config file ({ model: { latent: 3 } }) trains the preset's model with latent 3", () => {
    const config = JSON.parse(readFileSync(path.join(dir, 'partial', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ preset: 'mnist-vae', model: { kind: 'vae', latent: 3, variance: 'softplus', encoder: { hidden: [8] } } });
  });

  it('--label-column -1 takes the last column as the labels', async () => {
    const r = await runCli(dir, 'train', '--data', 'wine.csv', '--label-column', '-1', '--model', 'cvae', '--latent', '2', '--hidden', '4', '--epochs', '1', '--backend', 'cpu', '--out', 'labelled');
    expect(r.code, r.stderr).toBe(0);
    // Column c holds i % 4: four classes, and two feature columns left.
    expect(r.stdout + r.stderr).toMatch(/data: wine\.csv \(\d+ train, \d+ test, shape \[2\]\)/);
    const config = JSON.parse(readFileSync(path.join(dir, 'labelled', 'config.json'), 'utf8'));
    // --model cvae carries mnist-vae's Bernoulli decoder over unchosen, so the standardized table gets a Gaussian one.
    expect(config).toMatchObject({ data: { labelColumn: -1 }, model: { kind: 'cvae', classes: 4, likelihood: { kind: 'gaussian' } } });
  });
});
