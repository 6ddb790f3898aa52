// The ground-truth generators: dSprites rows render the combination their factor indices name; the 2-factor set's square sits where its factors say.
import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/rng.js';
import { drawDsprite, dspritesFactorIndices } from './dsprites.js';
import { dspritesTruth, groundTruthFor, xySquaresTruth, XY_SQUARES } from './factors.js';
import { loadDataset } from './load.js';

describe('ground truths', () => {
  it('dsprites: a factor row renders the image of the combination index it names', () => {
    for (const index of [0, 1, 12345, 245760 + 40960 * 3 + 1024 * 17 + 32 * 5 + 30, 737279]) {
      const row = Int32Array.from(dspritesFactorIndices(index));
      const expected = new Float32Array(64 * 64);
      drawDsprite(index, expected);
      expect(dspritesTruth.observe(row, 1)).toEqual(expected);
    }
  });

  it('samples each factor uniformly over its values, seeded', () => {
    const f = dspritesTruth.sampleFactors(3000, new Rng(5));
    expect(f).toEqual(dspritesTruth.sampleFactors(3000, new Rng(5)));
    const shapes = [0, 0, 0];
    for (let i = 0; i < 3000; i++) shapes[f[i * 5]]++;
    for (const count of shapes) expect(Math.abs(count - 1000)).toBeLessThan(100); // binomial sd about 26
    for (let k = 0; k < 5; k++) for (let i = 0; i < 3000; i++) expect(f[i * 5 + k]).toBeLessThan(dspritesTruth.factorSizes[k]);
  });

  it('xy-squares: a 4x4 square whose top-left pixel is (posX, posY)', () => {
    const { size, side } = XY_SQUARES;
    const x = xySquaresTruth.observe(Int32Array.of(2, 7, 12, 0), 2);
    expect(x.subarray(0, size * size).reduce((s, v) => s + v, 0)).toBe(side * side);
    expect(x[7 * size + 2]).toBe(1);
    expect(x[7 * size + 1]).toBe(0);
    expect(x[(7 + side - 1) * size + 2 + side - 1]).toBe(1);
    expect(x[(7 + side) * size + 2]).toBe(0);
    expect(x[size * size + 0 * size + 12]).toBe(1); // the second row: the top-right corner
    expect(x[size * size + 0 * size + 15]).toBe(1);
  });

  it('knows which datasets have factors', () => {
    expect(groundTruthFor('dsprites')).toBe(dspritesTruth);
    expect(groundTruthFor('xy-squares')).toBe(xySquaresTruth);
    expect(groundTruthFor('mnist')).toBeUndefined();
  });

  it('loads xy-squares as a dataset whose aux.factors render its images', () => {
    const ds = loadDataset({ name: 'xy-squares', seed: 2, testFraction: 0.2, n: 100 });
    expect([ds.train.n, ds.test.n, ds.shape]).toEqual([80, 20, [16, 16, 1]]);
    const f = ds.test.aux!.factors!;
    expect(f.length).toBe(40);
    expect(ds.test.x).toEqual(xySquaresTruth.observe(Int32Array.from(f), 20));
    expect(Array.from(ds.test.labels!)).toEqual(Array.from({ length: 20 }, (_, i) => f[i * 2]));
  });
});
