/** Tabular columns as model inputs: numeric values and one-hot blocks, a model's own layout for new files, the masks and blocks. */
import { describe, expect, it } from 'vitest';
import { categoricalBlocks, encodeColumns, layoutWidth, oneHotMask, type ParsedColumn } from './tabular.js';
import { preprocess } from './preprocess.js';

const columns: ParsedColumn[] = [
  { name: 'age', kind: 'numeric', values: Float64Array.of(30, 40, 50) },
  { name: 'colour', kind: 'categorical', labels: ['blue', 'red'], codes: Int32Array.of(1, 0, 1) },
  { name: 'size', kind: 'numeric', values: Float64Array.of(1, 2, 3) },
];

describe('encodeColumns', () => {
  it('numeric columns one value each, a categorical column a one-hot block, and the layout', () => {
    const { x, layout } = encodeColumns(columns, 3, 't.csv');
    expect(layout).toEqual([
      { name: 'age', kind: 'numeric', index: 0 },
      { name: 'colour', kind: 'categorical', start: 1, labels: ['blue', 'red'] },
      { name: 'size', kind: 'numeric', index: 3 },
    ]);
    expect(Array.from(x)).toEqual([30, 0, 1, 1, 40, 1, 0, 2, 50, 0, 1, 3]);
    expect(layoutWidth(layout)).toBe(4);
    expect(categoricalBlocks(layout)).toEqual([{ start: 1, size: 2 }]);
    expect(Array.from(oneHotMask(layout, 4))).toEqual([0, 1, 1, 0]);
  });

  it("a new file in a model's layout: its categories placed in the model's blocks, whatever the file's own order", () => {
    const known = encodeColumns(columns, 3, 't.csv').layout;
    const fresh: ParsedColumn[] = [
      { name: 'age', kind: 'numeric', values: Float64Array.of(20) },
      { name: 'colour', kind: 'categorical', labels: ['red'], codes: Int32Array.of(0) }, // only 'red' in this file
      { name: 'size', kind: 'numeric', values: Float64Array.of(9) },
    ];
    expect(Array.from(encodeColumns(fresh, 1, 'new.csv', known).x)).toEqual([20, 0, 1, 9]);
  });

  it('refuses a category the model never saw, a text column where the model has numbers, and a different column count', () => {
    const known = encodeColumns(columns, 3, 't.csv').layout;
    const purple: ParsedColumn[] = [columns[0], { name: 'colour', kind: 'categorical', labels: ['purple'], codes: Int32Array.of(0) }, columns[2]];
    expect(() => encodeColumns(purple, 1, 'new.csv', known)).toThrow("new.csv: column 2 ('colour'), row 1: category 'purple' is not one the model was trained on (blue, red)");
    const text: ParsedColumn[] = [{ name: 'age', kind: 'categorical', labels: ['old'], codes: Int32Array.of(0) }, columns[1], columns[2]];
    expect(() => encodeColumns(text, 1, 'new.csv', known)).toThrow(/column 1 \('age'\) holds text such as 'old', but the model's column 'age' is numeric/);
    expect(() => encodeColumns(columns.slice(0, 2), 3, 'new.csv', known)).toThrow(/has 2 feature columns, expected the model's 3 \(age, colour, size\)/);
  });

  it('a numeric-looking column of a categorical model column is matched as text (categories 1, 2, 3)', () => {
    const known = encodeColumns([{ name: 'grade', kind: 'categorical', labels: ['1', '2', '3'], codes: Int32Array.of(0, 1, 2) }], 3, 't.csv').layout;
    expect(Array.from(encodeColumns([{ name: 'grade', kind: 'numeric', values: Float64Array.of(3, 1) }], 2, 'n.csv', known).x)).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('standardization leaves the one-hot values as they are (mean 0, std 1 in the record)', () => {
    const { x, layout } = encodeColumns(columns, 3, 't.csv');
    const train = { x: x.slice(0, 8), n: 2 };
    const test = { x: x.slice(8), n: 1 };
    const p = preprocess(train, test, 4, { standardize: true, oneHot: oneHotMask(layout, 4) });
    expect(p).toEqual({ kind: 'standardize', mean: [35, 0, 0, 1.5], std: [5, 1, 1, 0.5] });
    expect(Array.from(train.x)).toEqual([-1, 0, 1, -1, 1, 1, 0, 1]);
  });
});
