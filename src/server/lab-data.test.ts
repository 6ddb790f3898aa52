/** The lab's example files: the Swiss roll's test split also goes out with its positions, one float32 per example. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '../data/idx.js';
import { loadSwissRoll } from '../data/swiss-roll.js';
import { labDataFiles } from './lab-data.js';

describe('labDataFiles', () => {
  it("writes the roll's first n positions as IDX float32 [n] beside its values, and no labels", () => {
    const ds = loadSwissRoll({ name: 'swiss-roll', seed: 4, testFraction: 0.2, n: 500 }, 2);
    const files = labDataFiles(ds, ds.test, 60);
    expect(files.labels).toBeUndefined();
    const positions = parseIdx(gunzipSync(files.positions!), 'test-positions.idx.gz');
    expect(positions.dims).toEqual([60]);
    expect(Array.from(positions.data)).toEqual(Array.from(ds.test.aux!.position!.subarray(0, 60)));
    expect(parseIdx(gunzipSync(files.images), 'test-images.idx.gz').dims).toEqual([60, 2]);
  });

  it('writes no positions for data without them', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i);
    const files = labDataFiles({ kind: 'tabular', shape: [3], preprocessing: { kind: 'none' } }, { x, n: 4 }, 4);
    expect(files.positions).toBeUndefined();
  });
});
