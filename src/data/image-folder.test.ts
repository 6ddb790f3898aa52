/** The PNG-folder loader: mixed sizes and colour types (grey, RGB, RGBA, palette, 16-bit), resizing, labels from sub-folders, errors naming the file. */
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from './load.js';
import { readImageFolder, resizeBilinear } from './image-folder.js';
import { loadForModel } from './for-model.js';
import { tempDir } from '../../test/helpers.js';
import { thrown } from '../../test/fixtures/data/build.js';
import { DataError } from '../errors.js';

/** Writes a PNG whose RGBA pixel (x, y) is `pixel(x, y)`, in the given colour type and bit depth. */
function writePng(file: string, width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number], opts: { colorType: 0 | 2 | 4 | 6; bitDepth?: 8 | 16 }) {
  const png = new PNG({ width, height });
  if (opts.bitDepth === 16) {
    // pngjs reads 16-bit input as native-endian uint16 values: 8-bit v becomes v * 257.
    const wide = new Uint16Array(width * height * 4);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) wide.set(pixel(x, y).map((v) => v * 257), (y * width + x) * 4);
    png.data = Buffer.from(wide.buffer);
  } else {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set(pixel(x, y), (y * width + x) * 4);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, PNG.sync.write(png, { colorType: opts.colorType, inputColorType: 6, bitDepth: opts.bitDepth ?? 8 }));
}

/** A hand-made 2-colour palette PNG (pngjs cannot write palettes): IHDR, PLTE, IDAT, IEND. */
function writePalettePng(file: string, width: number, height: number, index: (x: number, y: number) => 0 | 1, palette: [number, number, number][]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8); // 8-bit indices, colour type 3 (palette)
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = index(x, y);
  const bytes = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', Buffer.from(palette.flat())),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

const tmp = tempDir('image-folder');
afterAll(() => tmp.remove());

describe('readImageFolder', () => {
  const dir = path.join(tmp.dir, 'mixed');
  // Class 'a': a grey 8x8 ramp and a 16-bit RGB 16x12 constant; class 'b': an RGBA 4x4 half-transparent red and a palette image.
  writePng(path.join(dir, 'a', '1.png'), 8, 8, (x) => [x * 32, x * 32, x * 32, 255], { colorType: 0 });
  writePng(path.join(dir, 'a', '2.png'), 16, 12, () => [200, 100, 50, 255], { colorType: 2, bitDepth: 16 });
  writePng(path.join(dir, 'b', '3.png'), 4, 4, () => [255, 0, 0, 128], { colorType: 6 });
  writePalettePng(path.join(dir, 'b', '4.png'), 8, 8, (x, y) => ((x + y) % 2 === 0 ? 1 : 0), [[0, 0, 0], [0, 255, 0]]);
  writeFileSync(path.join(dir, '.DS_Store'), 'ignored');

  it('resizes every image to the first one\'s size, goes RGB when any image has colour, and labels by sub-folder', () => {
    const f = readImageFolder(dir);
    expect(f.n).toBe(4);
    expect(f.shape).toEqual([8, 8, 3]);
    expect(f.labelNames).toEqual(['a', 'b']);
    expect(Array.from(f.labels!)).toEqual([0, 0, 1, 1]);
    const px = (i: number, y: number, x: number) => Array.from(f.x.subarray(i * 192 + (y * 8 + x) * 3, i * 192 + (y * 8 + x) * 3 + 3));
    expect(px(0, 3, 5)).toEqual([160, 160, 160]); // grey replicated
    px(1, 4, 4).forEach((v, k) => expect(v).toBeCloseTo([200, 100, 50][k], 3)); // a constant stays constant after resizing
    px(2, 7, 0).forEach((v, k) => expect(v).toBeCloseTo([255 * (128 / 255), 0, 0][k], 3)); // alpha composited over black
    const green = f.x.subarray(3 * 192, 4 * 192).filter((_, i) => i % 3 === 1);
    expect(Math.max(...green)).toBe(255); // palette colours come through
  });

  it('resizes to a chosen size and converts to grey on request', () => {
    const f = readImageFolder(dir, { imageSize: [5, 7], channels: 1 });
    expect(f.shape).toEqual([5, 7, 1]);
    expect(f.x.length).toBe(4 * 35);
    expect(f.x[35 + 10]).toBeCloseTo(0.299 * 200 + 0.587 * 100 + 0.114 * 50, 3);
  });

  it('loads through loadDataset as an image dataset scaled to [0, 1] with a seeded split', () => {
    const ds = loadDataset({ name: dir, seed: 1, testFraction: 0.25, imageSize: [6, 6] });
    expect(ds.kind).toBe('image');
    expect(ds.shape).toEqual([6, 6, 3]);
    expect(ds.train.n + ds.test.n).toBe(4);
    expect(ds.preprocessing).toEqual({ kind: 'scale', scale: 1 / 255 });
    expect(ds.train.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(ds.labelNames).toEqual(['a', 'b']);
  });

  it('feeds a model of another size and channel count through loadForModel', () => {
    const ex = loadForModel({ name: dir, inputShape: [28, 28, 1], preprocessing: { kind: 'scale', scale: 1 / 255 } });
    expect(ex.n).toBe(4);
    expect(ex.x.length).toBe(4 * 784);
    expect(ex.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('a non-image file is a DataError naming it; loose images beside class folders too', () => {
    const bad = path.join(tmp.dir, 'bad');
    writePng(path.join(bad, 'x.png'), 4, 4, () => [0, 0, 0, 255], { colorType: 0 });
    writeFileSync(path.join(bad, 'notes.txt'), 'hello');
    expect(() => readImageFolder(bad)).toThrow(/notes\.txt: not a PNG image/);
    const broken = path.join(tmp.dir, 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'y.png'), 'not really a png');
    expect(() => readImageFolder(broken)).toThrow(/y\.png: not a PNG: the file does not start with the PNG signature/);
    const mixed = path.join(tmp.dir, 'loose');
    writePng(path.join(mixed, 'top.png'), 4, 4, () => [0, 0, 0, 255], { colorType: 0 });
    writePng(path.join(mixed, 'c', 'in.png'), 4, 4, () => [0, 0, 0, 255], { colorType: 0 });
    expect(() => readImageFolder(mixed)).toThrow(/top\.png: sits directly in/);
    const empty = path.join(tmp.dir, 'empty');
    mkdirSync(empty);
    expect(() => readImageFolder(empty)).toThrow(/holds no images/);
  });

  it('a symbolic link loop is a DataError naming the link; a link to a class folder elsewhere is followed', () => {
    const looped = path.join(tmp.dir, 'looped');
    writePng(path.join(looped, 'cls', '1.png'), 4, 4, () => [0, 0, 0, 255], { colorType: 0 });
    symlinkSync('..', path.join(looped, 'cls', 'up')); // cls/up -> looped: the walk would descend for ever
    const err = thrown(() => readImageFolder(looped));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`${path.join(looped, 'cls', 'up')}: a symbolic link loop: it leads back to ${realpathSync(looped)}, a folder it is in; remove the link`);
    const self = path.join(tmp.dir, 'self');
    writePng(path.join(self, 'c', '1.png'), 4, 4, () => [0, 0, 0, 255], { colorType: 0 });
    symlinkSync('me', path.join(self, 'c', 'me')); // a link to itself: stat fails with ELOOP
    expect(thrown(() => readImageFolder(self)).message).toBe(`${path.join(self, 'c', 'me')}: a symbolic link loop (the link leads back to itself); remove the link`);
    const linked = path.join(tmp.dir, 'linked');
    mkdirSync(linked);
    symlinkSync(path.join(dir, 'a'), path.join(linked, 'a'));
    expect(readImageFolder(linked).files).toEqual([path.join(linked, 'a', '1.png'), path.join(linked, 'a', '2.png')]);
  });

  it('an empty, truncated or corrupt PNG is named as such before decoding or budgeting', () => {
    const damaged = (name: string, bytes: Uint8Array) => {
      const folder = path.join(tmp.dir, `damaged-${name}`);
      writePng(path.join(folder, '1.png'), 4, 4, () => [0, 0, 0, 255], { colorType: 0 });
      writeFileSync(path.join(folder, '2.png'), bytes);
      return thrown(() => readImageFolder(folder)).message;
    };
    const valid = readFileSync(path.join(dir, 'a', '1.png'));
    expect(damaged('empty', new Uint8Array(0))).toMatch(/2\.png: not a PNG: the file is empty \(0 bytes\)$/);
    expect(damaged('cut', valid.subarray(0, valid.length - 20))).toMatch(/2\.png: truncated PNG: /);
    const huge = Buffer.from(valid);
    huge.writeUInt32BE(2 ** 31 - 1, 16);
    huge.writeUInt32BE(2 ** 31 - 1, 20);
    expect(damaged('ihdr', huge)).toMatch(/2\.png: corrupt PNG header: the IHDR checksum does not match its contents$/);
  });
});

describe('resizeBilinear', () => {
  it('matches hand-computed half-pixel-centre values', () => {
    // A 1x2 row [0, 10] to 1x4: centres at -0.25, 0.25, 0.75, 1.25 of the source -> clamp, 2.5, 7.5, clamp.
    expect(Array.from(resizeBilinear(Float32Array.from([0, 10]), { height: 1, width: 2, channels: 1 }, [1, 4]))).toEqual([0, 2.5, 7.5, 10]);
    // Halving a 4x4 ramp averages each 2x2 block.
    const ramp = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(resizeBilinear(ramp, { height: 4, width: 4, channels: 1 }, [2, 2]))).toEqual([2.5, 4.5, 10.5, 12.5]);
  });
});
