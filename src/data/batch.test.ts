import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/rng.js';
import { UsageError } from '../errors.js';
import { thrown } from '../../test/fixtures/data/build.js';
import { batchIndices, binarize, exampleSize, gather } from './batch.js';

describe('batchIndices', () => {
  it('covers every index exactly once, keeping the last partial batch', () => {
    const batches = batchIndices(10, 3, new Rng(1));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    const seen = batches.flatMap((b) => Array.from(b)).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('shuffles with the rng, reproducibly, and keeps order without one', () => {
    const a = batchIndices(1000, 100, new Rng(5)).flatMap((b) => Array.from(b));
    expect(batchIndices(1000, 100, new Rng(5)).flatMap((b) => Array.from(b))).toEqual(a);
    expect(a).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(batchIndices(5, 2).map((b) => Array.from(b))).toEqual([[0, 1], [2, 3], [4]]);
    expect(batchIndices(0, 2)).toEqual([]);
  });

  it('rejects a batch size below 1', () => {
    expect(thrown(() => batchIndices(5, 0))).toBeInstanceOf(UsageError);
  });
});

describe('gather', () => {
  it('picks the rows and labels at the indices, in their order', () => {
    const split = { x: Float32Array.from({ length: 12 }, (_, i) => i), labels: Int32Array.of(7, 8, 9, 6), n: 4 }; // [4, 3]
    const { x, labels } = gather(split, Int32Array.of(2, 0, 2), 3);
    expect(Array.from(x)).toEqual([6, 7, 8, 0, 1, 2, 6, 7, 8]);
    expect(Array.from(labels!)).toEqual([9, 7, 9]);
    expect(gather({ x: split.x, n: 4 }, Int32Array.of(3), 3)).toEqual({ x: Float32Array.of(9, 10, 11) });
    expect(() => gather(split, Int32Array.of(4), 3)).toThrow(RangeError);
  });

  it('exampleSize is the product of the shape', () => {
    expect(exampleSize({ shape: [28, 28, 1] })).toBe(784);
  });
});

describe('binarize', () => {
  it('yields only 0 and 1, with mean close to the input mean', () => {
    const rng = new Rng(9);
    const x = rng.uniformArray(100000);
    const b = binarize(x, rng);
    expect(b.every((v) => v === 0 || v === 1)).toBe(true);
    const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(b) - mean(x))).toBeLessThan(0.01); // std of the difference is about 0.0016
  });

  it('is 1 with probability v for each value, fresh on every call', () => {
    const rng = new Rng(10);
    const x = new Float32Array(50000).fill(0.2);
    const a = binarize(x, rng);
    const b = binarize(x, rng);
    expect(a.reduce((s, v) => s + v, 0) / 50000).toBeCloseTo(0.2, 2);
    expect(b).not.toEqual(a);
    expect(binarize(Float32Array.of(0, 1, 0, 1), rng)).toEqual(Float32Array.of(0, 1, 0, 1));
  });
});
