/**
 * Issue 19, CSV as people have it, through the CLI: a scikit-learn digits export trains with --skip-rows 1
 * --label-column -1 --shape 8x8 and its report draws 8x8 image grids; new CSV data for that model loads with the
 * model's shape and scale; semicolon files with missing cells train from a config file; the CSV flags' errors are one
 * line naming the flag and the value.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../src/engine/index.js';
import { encodeNpy } from './fixtures/data/build.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('csv-cli');
const dir = tmp.dir;
afterAll(tmp.remove);
const write = (name: string, content: string | Uint8Array): string => (writeFileSync(path.join(dir, name), content), name);

/** 90 digit-like 8x8 images in 0..16 (three stroke directions), as scikit-learn's export writes them. */
function digitsCsv(): string {
  const header = [...Array.from({ length: 64 }, (_, p) => `pixel_${p >> 3}_${p & 7}`), 'target'].join(',');
  const rows = Array.from({ length: 90 }, (_, i) => {
    const digit = i % 3;
    const pixels = Array.from({ length: 64 }, (_, p) => {
      const [r, c] = [p >> 3, p & 7];
      const on = digit === 0 ? r === c : digit === 1 ? c === 3 || c === 4 : r === 3 || r === 4;
      return on ? 16 - (i % 5) : (i * 7 + p) % 3;
    });
    return [...pixels, digit].join(',');
  });
  return ['90,64,0,1,2', header, ...rows].join('\n') + '\n';
}

const T = ['--epochs', '1', '--latent', '2', '--hidden', '16', '--backend', 'cpu'];

beforeAll(() => {
  write('digits.csv', digitsCsv());
  // Semicolons, quoted categories that hold the delimiter, NA and empty cells: 10 of 40 rows have a missing value.
  const table = Array.from({ length: 40 }, (_, i) => `${i % 8 === 3 ? 'NA' : (i * 0.37).toFixed(2)};${i % 8 === 6 ? '' : (i * 13) % 7};${i % 3}`);
  write('semi.csv', ['"size; cm";weight;group', ...table].join('\r\n') + '\r\n');
  write('tabs.csv', ['a\tb\tc', ...Array.from({ length: 30 }, (_, i) => `${i}\t${(i * 5) % 7}\t${i % 2}`)].join('\n') + '\n');
  write('semi.json', JSON.stringify({ data: { name: 'semi.csv', delimiter: ';', missing: 'mean' } }));
  write('points.npy', encodeNpy('<f4', [20, 2], Float32Array.from({ length: 40 }, (_, i) => i / 40)));
});

/** The pixel at (x, y) of a decoded grey/RGBA PNG, its red channel. */
const red = (png: PNG, x: number, y: number) => png.data[(y * png.width + x) * 4];

describe('vaekit train on CSV data as people have it', () => {
  it('trains scikit-learn digits with --skip-rows 1 --label-column -1 --shape 8x8 and draws 8x8 image grids', async () => {
    const r = await runCli(dir, 'train', '--data', 'digits.csv', '--skip-rows', '1', '--label-column', '-1', '--shape', '8x8', '--limit', '60', ...T, '--out', 'digits');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/data: digits\.csv \(60 train, 10 test, shape \[8, 8, 1\]\)/);
    const config = JSON.parse(readFileSync(path.join(dir, 'digits', 'config.json'), 'utf8'));
    expect(config.data).toMatchObject({ skipRows: 1, labelColumn: -1, shape: [8, 8, 1] });
    const model = JSON.parse(readFileSync(path.join(dir, 'digits', 'model', 'model.json'), 'utf8'));
    expect(JSON.stringify(model)).toContain('"preprocessing":{"kind":"scale","scale":0.0625}');

    // The reconstructions figure: three rows (originals, reconstructions, a transition) of 8x8 tiles, pad 1, scale 2.
    const recon = PNG.sync.read(readFileSync(path.join(dir, 'digits', 'reconstructions.png')));
    expect(recon.height).toBe((1 + 3 * (8 + 1)) * 2);
    // The samples figure: 64 draws as 8 x 8 tiles of 8x8 pixels below the title; the separators are grey at every 9th
    // (unscaled) pixel, where 64 histograms would not be.
    const samples = PNG.sync.read(readFileSync(path.join(dir, 'digits', 'samples.png')));
    const grid = (1 + 8 * (8 + 1)) * 2;
    expect(samples.width).toBeGreaterThanOrEqual(grid);
    const top = samples.height - grid;
    expect(top).toBeGreaterThan(0); // the title band
    for (let k = 0; k <= 8; k++) {
      for (let t = 0; t < grid; t++) {
        expect(Math.abs(red(samples, k * 18, top + t) - 128)).toBeLessThanOrEqual(1);
        expect(Math.abs(red(samples, t, top + k * 18) - 128)).toBeLessThanOrEqual(1);
      }
    }
  });

  it("reads new CSV rows for that model as its 8x8 images, scaled by the model's 1/16", async () => {
    const r = await runCli(dir, 'encode', 'digits', '--data', 'digits.csv', '--skip-rows', '1', '--label-column', '-1', '--out', 'codes.npy', '--backend', 'cpu', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.n).toBe(90);
    // Scaled pixels in [0, 1] reconstruct with a mean squared error under 1; unscaled 0..16 pixels could not.
    expect(result.reconstructionError.mse).toBeLessThan(1);
    expect(existsSync(path.join(dir, 'codes.npy'))).toBe(true);
  });

  it('trains a semicolon file with quoted headers and missing cells from a config file, and a tab file by flag', async () => {
    const semi = await runCli(dir, 'train', '--config', 'semi.json', '--label-column', 'group', ...T, '--out', 'semi');
    expect(semi.code, semi.stderr).toBe(0);
    expect(semi.stdout + semi.stderr).toMatch(/data: semi\.csv \(32 train, 8 test, shape \[2\]\)/);
    const tabs = await runCli(dir, 'train', '--data', 'tabs.csv', '--delimiter', 'tab', '--missing', 'drop', ...T, '--out', 'tabs');
    expect(tabs.code, tabs.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'tabs', 'config.json'), 'utf8')).data).toMatchObject({ delimiter: '\t', missing: 'drop' });
  });
});

/** [what, argv, the one line expected on stderr after `vaekit: `]. */
const refusals: [string, string[], string | RegExp][] = [
  ['a count line without --skip-rows', ['train', '--data', 'digits.csv', ...T], "digits.csv: line 2 has 65 cells, expected 5 as on line 1 (delimiter ','); line 1 has fewer cells than the lines after it: if it is not data (scikit-learn's CSV exports start with a line of counts), skip it with --skip-rows 1"],
  ['missing cells under the default policy', ['train', '--data', 'semi.csv', ...T], 'semi.csv: line 5, column 1 (size; cm): missing value \'NA\'; use --missing drop to drop rows with missing cells or --missing mean to fill them'],
  ['an unknown delimiter', ['train', '--data', 'digits.csv', '--delimiter', 'pipe', ...T], "--delimiter: unknown delimiter 'pipe'; expected , (comma), ; (semicolon) or tab"],
  ['an unknown missing policy', ['train', '--data', 'semi.csv', '--missing', 'zero', ...T], "--missing: unknown value 'zero'; expected one of error, drop, mean"],
  ['a shape of 2 channels', ['train', '--data', 'digits.csv', '--shape', '8x8x2', ...T], "--shape: '8x8x2' is not an image shape; expected HxW or HxWxC with positive integers and C 1, 3 or 4 channels, e.g. 8x8 or 32x32x3"],
  ['a shape that is not the column count', ['train', '--data', 'digits.csv', '--skip-rows', '1', '--label-column', '-1', '--shape', '8x9', ...T], '--shape 8x9: 72 values per example, but digits.csv has 64 feature columns; expected H x W x C = 64'],
  ['a negative --skip-rows', ['train', '--data', 'digits.csv', '--skip-rows', '-1', ...T], "--skip-rows: '-1' is not a non-negative integer"],
  ['--skip-rows on NPY data', ['train', '--data', 'points.npy', '--skip-rows', '1', ...T], "--skip-rows 1: applies to CSV data only; 'points.npy' is not a .csv file"],
  ['--delimiter on a built-in dataset', ['train', '--data', 'swiss-roll', '--delimiter', 'tab', ...T], "--delimiter tab: applies to CSV data only; 'swiss-roll' is not a .csv file"],
  ['--shape on NPY data', ['train', '--data', 'points.npy', '--shape', '1x2', ...T], "--shape 1x2: applies to CSV data only; 'points.npy' is not a .csv file"],
  ['--categorical on NPY data', ['train', '--data', 'points.npy', '--categorical', '0,b', ...T], "--categorical 0,b: applies to CSV data only; 'points.npy' is not a .csv file"],
  ['a categorical column of rows read as images', ['train', '--data', 'digits.csv', '--skip-rows', '1', '--label-column', '-1', '--shape', '8x8', '--categorical', '0', ...T], /^digits\.csv: categorical column '[^']+' \(values such as '[^']+', named by --categorical\): --shape 8x8 reads every feature column as pixel values$/],
  ['CSV flags when resuming', ['train', '--resume', 'digits', '--skip-rows', '1', '--missing', 'drop'], '--resume continues a run with its own config; drop --skip-rows, --missing (only --epochs, --backend and --json apply)'],
  ['--missing on new NPY data', ['encode', 'digits', '--data', 'points.npy', '--missing', 'drop', '--skip-rows', '2', '--out', 'never.npy', '--backend', 'cpu'], "--skip-rows 2, --missing drop: applies to CSV data only; 'points.npy' is not a .csv file"],
];

describe('the CSV flags refuse bad values with one line, no run folder and no tensor', () => {
  it.each(refusals)('%s', async (_what, args, expected) => {
    const tensors = tf.memory().numTensors;
    const r = await runCli(dir, ...args, ...(args[0] === 'train' && !args.includes('--resume') ? ['--out', 'never'] : []));
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => !/^(backend|notice): /.test(l));
    expect(lines, r.stderr).toHaveLength(1);
    const message = lines[0].replace(/^vaekit: /, '');
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
    expect(existsSync(path.join(dir, 'never')), 'a run folder left behind').toBe(false);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
