/** The PNG structure checks: damaged files named as such (empty, not PNG, truncated, corrupt IHDR); valid files pass with pngjs's size. */
import { crc32 } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { thrown } from '../../test/fixtures/data/build.js';
import { checkPngFile, checkPngHeader, PNG_HEADER_BYTES } from './png-check.js';

/** A valid 5x3 RGBA PNG written by pngjs. */
const good = (): Buffer => {
  const png = new PNG({ width: 5, height: 3 });
  png.data.fill(200);
  return PNG.sync.write(png);
};

/** `bytes` with IHDR's width and height replaced and its CRC recomputed by zlib, so only the size is wrong. */
function withSize(bytes: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

describe('checkPngFile', () => {
  it("passes a valid PNG and reads the size pngjs decodes", () => {
    const bytes = good();
    expect(() => checkPngFile('ok.png', bytes)).not.toThrow();
    const decoded = PNG.sync.read(bytes);
    expect(checkPngHeader('ok.png', bytes.subarray(0, PNG_HEADER_BYTES), bytes.length)).toEqual({ width: decoded.width, height: decoded.height });
  });

  const iend = good().lastIndexOf('IEND') - 4; // where the IEND chunk starts
  const cases: [string, () => Uint8Array, string][] = [
    ['an empty file', () => new Uint8Array(0), 'f.png: not a PNG: the file is empty (0 bytes)'],
    ['text named .png', () => Buffer.from('not really a png at all, just words'), 'f.png: not a PNG: the file does not start with the PNG signature'],
    ['the signature alone', () => good().subarray(0, 8), 'f.png: truncated PNG: 8 bytes, fewer than the 33 of the signature and header'],
    ['a file cut inside IDAT', () => good().subarray(0, iend - 3), `f.png: truncated PNG: its IDAT chunk at byte 33 needs ${iend} bytes, the file has ${iend - 3}`],
    ['a file without IEND', () => good().subarray(0, iend), `f.png: truncated PNG: the file ends after ${iend} bytes without an IEND chunk`],
    ['an IHDR whose checksum does not match', () => Buffer.from(good()).fill(0x7f, 16, 17), 'f.png: corrupt PNG header: the IHDR checksum does not match its contents'],
    ['an IHDR of width 0', () => withSize(good(), 0, 3), 'f.png: corrupt PNG header: size 0x3; expected 1 to 2^31-1 pixels each way'],
    // 2^31-1 squared, RGBA 8-bit: (2^31-1) * (1 + 4 (2^31-1)) bytes of rows could never come out of a file this small.
    ['an IHDR of 2^31-1 x 2^31-1 pixels', () => withSize(good(), 2 ** 31 - 1, 2 ** 31 - 1), 'f.png: corrupt PNG header: it says 2147483647x2147483647 pixels'],
  ];
  it.each(cases)('refuses %s with one line naming the file', (_what, bytes, message) => {
    const err = thrown(() => checkPngFile('f.png', bytes()));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message.startsWith(message), err.message).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('budgets a large but plausible size: 20000 x 20000 grey from a file that could hold it', () => {
    // One filter byte and 20000 grey bytes per row: 400,020,000 bytes, which 400 kB of deflate (at most 1032:1) can hold.
    const grey = Buffer.from(good());
    grey[25] = 0; // colour type grey
    const bytes = withSize(grey, 20000, 20000);
    expect(checkPngHeader('big.png', bytes.subarray(0, PNG_HEADER_BYTES), 400_000)).toEqual({ width: 20000, height: 20000 });
    expect(() => checkPngHeader('big.png', bytes.subarray(0, PNG_HEADER_BYTES), 300_000)).toThrow(/corrupt PNG header: it says 20000x20000 pixels, 400020000 bytes/);
  });
});
