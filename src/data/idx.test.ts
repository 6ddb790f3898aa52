import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { encodeIdx, gzip, tempFolder, thrown } from '../../test/fixtures/data/build.js';
import { parseIdx, readIdx } from './idx.js';

describe('IDX', () => {
  const { remove, write } = tempFolder();
  afterAll(remove);

  it('round-trips uint8 and float32, raw and gzipped', () => {
    const u8 = [0, 1, 127, 128, 255, 42];
    const f32 = [0.5, -1.25, 3e-8, 1e20, -0, 7];
    for (const compress of [false, true]) {
      const wrap = (b: Uint8Array): Uint8Array => (compress ? gzip(b) : b);
      const ext = compress ? '.gz' : '';
      const a = readIdx(write(`u8-idx3-ubyte${ext}`, wrap(encodeIdx(0x08, [1, 2, 3], u8))));
      expect(a.dims).toEqual([1, 2, 3]);
      expect(a.data).toBeInstanceOf(Uint8Array);
      expect(Array.from(a.data)).toEqual(u8);
      const b = readIdx(write(`f32.idx${ext}`, wrap(encodeIdx(0x0d, [3, 2], f32))));
      expect(b.dims).toEqual([3, 2]);
      expect(b.data).toBeInstanceOf(Float32Array);
      expect(b.data).toEqual(Float32Array.from(f32));
    }
  });

  it('detects gzip from the bytes, not the name', () => {
    const a = readIdx(write('no-extension.idx', gzip(encodeIdx(0x08, [2], [9, 8]))));
    expect(Array.from(a.data)).toEqual([9, 8]);
  });

  it('decodes every element type big-endian', () => {
    const cases: [number, ArrayLike<number>, string][] = [
      [0x09, [-128, 127, -1], 'Int8Array'],
      [0x0b, [-32768, 258, 32767], 'Int16Array'],
      [0x0c, [-(2 ** 31), 16909060, 2 ** 31 - 1], 'Int32Array'],
      [0x0e, [Math.PI, -1e300, 5e-324], 'Float64Array'],
    ];
    for (const [type, values, name] of cases) {
      const { dims, data } = parseIdx(encodeIdx(type, [3], values), 't.idx');
      expect(dims).toEqual([3]);
      expect(data.constructor.name).toBe(name);
      expect(Array.from(data)).toEqual(Array.from(values));
    }
    // 0x01020304 written big-endian must read back as 16909060, not byte-swapped.
    expect(Array.from(encodeIdx(0x0c, [1], [16909060]).subarray(8))).toEqual([1, 2, 3, 4]);
  });

  const good = encodeIdx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
  const malformed: [string, Uint8Array, RegExp][] = [
    ['wrong magic', Uint8Array.of(0x12, 0x34, ...good.subarray(2)), /expected IDX magic starting 0x0000, found 0x12340802/],
    ['unknown type byte', Uint8Array.of(0, 0, 0x07, ...good.subarray(3)), /unknown IDX element type 0x07; expected one of 0x08/],
    ['header shorter than its dims', good.subarray(0, 9), /truncated IDX header: 2 dims need 12 bytes, found 9/],
    ['truncated data', good.subarray(0, good.length - 1), /truncated data: dims \[2, 3\] of uint8 need 6 data bytes, found 5/],
    ['dims that do not match the byte count', Uint8Array.of(...good, 7, 8), /dims do not match the data: dims \[2, 3\] of uint8 need 6 data bytes, found 8/],
    ['too short for a header', Uint8Array.of(0, 0), /expected an IDX header of at least 4 bytes, found 2/],
  ];
  for (const [what, bytes, message] of malformed) {
    it(`rejects ${what} with a DataError naming the file`, () => {
      const file = write(`bad-${what.replace(/ /g, '-')}.idx`, bytes);
      const err = thrown(() => readIdx(file));
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).file).toBe(file);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(message);
    });
  }

  it('rejects a .gz file that is not gzip', () => {
    const file = write('plain-idx1-ubyte.gz', good);
    const err = thrown(() => readIdx(file));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`${file}: named .gz but is not gzip: expected magic bytes 1f 8b, found 00 00`);
  });

  it('rejects corrupt gzip and a missing file', () => {
    const corrupt = write('corrupt.idx.gz', gzip(good).subarray(0, 15));
    expect(thrown(() => readIdx(corrupt)).message).toMatch(/corrupt\.idx\.gz: corrupt gzip data/);
    const missing = write('x', '') + '-does-not-exist.idx';
    const err = thrown(() => readIdx(missing));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`${missing}: no such file`);
  });
});
