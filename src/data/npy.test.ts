import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { encodeNpy, tempFolder, thrown } from '../../test/fixtures/data/build.js';
import { loadDataset } from './load.js';
import { parseNpy } from './npy.js';

const fixture = (name: string): Uint8Array => readFileSync(fileURLToPath(new URL(`../../test/fixtures/data/${name}`, import.meta.url)));

describe('NPY', () => {
  it('reads files written by NumPy itself (make-npy.py)', () => {
    expect(parseNpy(fixture('numpy-f4.npy'), 'f4')).toEqual({ shape: [2, 3], dtype: '<f4', data: Float32Array.of(0, 0.25, 0.5, 0.75, 1, 1.25) });
    expect(parseNpy(fixture('numpy-f8-v2.npy'), 'f8')).toEqual({ shape: [2, 2], dtype: '<f8', data: Float32Array.of(1.5, -2.25, 0.1, 1e30) });
    const u1 = parseNpy(fixture('numpy-u1-v3.npy'), 'u1');
    expect(u1).toEqual({ shape: [2, 2, 2], dtype: '|u1', data: Float32Array.of(0, 30, 60, 90, 120, 150, 180, 210) });
    expect(parseNpy(fixture('numpy-i4.npy'), 'i4')).toEqual({ shape: [3], dtype: '<i4', data: Float32Array.of(-7, 0, 2 ** 24) });
  });

  it('reads f4, f8 and u1 in header versions 1, 2 and 3', () => {
    const values = [0, 1, 2.5, -3, 200, 7];
    for (const version of [1, 2, 3] as const) {
      for (const descr of ['<f4', '<f8', '|u1'] as const) {
        const v = descr === '|u1' ? values.map((x) => Math.abs(Math.trunc(x))) : values;
        const parsed = parseNpy(encodeNpy(descr, [3, 2], v, { version }), 'a.npy');
        expect(parsed).toEqual({ shape: [3, 2], dtype: descr, data: Float32Array.from(v) });
      }
    }
  });

  it('reads 1-d and scalar shapes', () => {
    expect(parseNpy(encodeNpy('<f4', [4], [1, 2, 3, 4]), 'a.npy').shape).toEqual([4]);
    expect(parseNpy(encodeNpy('<f4', [], [9]), 'a.npy').shape).toEqual([]);
  });

  const malformed: [string, () => Uint8Array, RegExp][] = [
    ['an unsupported dtype', () => encodeNpy('<c8', [2], []), /unsupported dtype '<c8'; expected one of <f4, <f8, \|u1, <i4/],
    ['a big-endian dtype (from NumPy)', () => fixture('numpy-big-endian.npy'), /unsupported dtype '>f4'/],
    ['a structured dtype', () => encodeNpy('<f4', [2], [], { header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }" }), /unsupported dtype in header \{'descr': \[/],
    ['Fortran order (from NumPy)', () => fixture('numpy-fortran.npy'), /fortran_order is True; only C-order arrays are supported/],
    ['truncated data', () => encodeNpy('<f4', [2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, -1), /truncated data: shape \(2, 3\) of <f4 needs 24 bytes, found 23/],
    ['a truncated header', () => encodeNpy('<f4', [2], [1, 2]).subarray(0, 40), /truncated \.npy header: expected 118 header bytes, found 30/],
    ['extra data', () => Uint8Array.of(...encodeNpy('|u1', [2], [1, 2]), 3), /data size does not match the shape: shape \(2\) of \|u1 needs 2 bytes, found 3/],
    ['a missing magic', () => new TextEncoder().encode('a,b\n1,2\n'), /expected the \.npy magic/],
    ['an unknown version', () => Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 9, 0, 0, 0), /unsupported \.npy version 9\.0/],
    // An unreadable header is quoted on one line, escaped: newlines and control bytes would break the message.
    ['an unreadable header', () => encodeNpy('<f4', [1], [0], { header: "{garb\nage: }\u0001" }), /: unsupported dtype in header \{garb\\nage: \}\\u0001; expected one of/],
  ];
  for (const [what, bytes, message] of malformed) {
    it(`rejects ${what} with a DataError naming the file`, () => {
      const err = thrown(() => parseNpy(bytes(), 'data/x.npy'));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(/^data\/x\.npy: /);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
    });
  }
});

describe('NPY files of examples without values', () => {
  it('refuses an array [5, 0] (np.zeros((5, 0))) with one line before anything trains on it', () => {
    const files = tempFolder();
    try {
      const file = files.write('zero.npy', encodeNpy('<f4', [5, 0], []));
      const err = thrown(() => loadDataset({ name: file, seed: 1, testFraction: 0.2 }));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toBe(`${file}: examples of shape [0] hold no values (the array is [5, 0]); expected at least one value per example`);
    } finally {
      files.remove();
    }
  });
});
