/** Examples written as data: the saved preprocessing undone, column names, category labels, CSV quoting and NPY shapes. */
import { describe, expect, it } from 'vitest';
import { encodeExamples, columnsOf, examplesFormat } from './examples-out.js';
import { parseNpy } from './npy.js';
import type { TabularColumn } from './types.js';

const columns: TabularColumn[] = [
  { name: 'age', kind: 'numeric', index: 0 },
  { name: 'colour, shade', kind: 'categorical', start: 1, labels: ['blue', 'red "dark"', 'green'] },
  { name: 'income', kind: 'numeric', index: 4 },
];
// Model space: standardized numeric values, one-hot or probability blocks (left as they are: mean 0, std 1).
const preprocessing = { kind: 'standardize' as const, mean: [40, 0, 0, 0, 1000], std: [10, 1, 1, 1, 100] };
const x = Float32Array.from([
  [0.5, 0.1, 0.7, 0.2, -1],
  [-2, 1, 0, 0, 0.25],
].flat());

describe('examples out', () => {
  it('CSV: the header of column names, numeric values in the data units, each block as its most likely category, RFC 4180 quoting', () => {
    const text = encodeExamples({ x, meta: { inputShape: [5], preprocessing, columns }, format: 'csv' }) as string;
    expect(text).toBe(['age,"colour, shade",income', '45,"red ""dark""",900', '20,blue,1025', ''].join('\n'));
  });

  it('CSV of a conditional model adds the label column by class name', () => {
    const text = encodeExamples({ x, meta: { inputShape: [5], preprocessing, columns, labelNames: ['no', 'yes'] }, format: 'csv', labels: Int32Array.of(1, 0) }) as string;
    expect(text.split('\n')[0]).toBe('age,"colour, shade",income,label');
    expect(text.split('\n').slice(1, 3).map((l) => l.split(',').at(-1))).toEqual(['yes', 'no']);
  });

  it('NPY: one float32 per column, a categorical column as its category index', () => {
    const bytes = encodeExamples({ x, meta: { inputShape: [5], preprocessing, columns }, format: 'npy' }) as Uint8Array;
    const { shape, data } = parseNpy(bytes, 'out.npy');
    expect(shape).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([45, 1, 900, 20, 0, 1025]);
  });

  it('images: NPY [n, H, W, C] scaled back to 0..255; CSV columns x1..xD', () => {
    const img = Float32Array.from([0, 0.5, 1, 0.25]);
    const meta = { inputShape: [2, 2, 1], preprocessing: { kind: 'scale' as const, scale: 1 / 255 } };
    const { shape, data } = parseNpy(encodeExamples({ x: img, meta, format: 'npy' }) as Uint8Array, 'img.npy');
    expect(shape).toEqual([1, 2, 2, 1]);
    Array.from(data).forEach((v, i) => expect(v).toBeCloseTo([0, 127.5, 255, 63.75][i], 3));
    expect(columnsOf(meta).map((c) => c.name)).toEqual(['x1', 'x2', 'x3', 'x4']);
    expect((encodeExamples({ x: img, meta, format: 'csv' }) as string).split('\n')[0]).toBe('x1,x2,x3,x4');
  });

  it('the format comes from the extension', () => {
    expect(examplesFormat('a/b.CSV')).toBe('csv');
    expect(examplesFormat('x.npy')).toBe('npy');
    expect(examplesFormat('figures')).toBeUndefined();
  });
});
