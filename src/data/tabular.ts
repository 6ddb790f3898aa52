/**
 * Tabular columns as model inputs: numeric columns one value each, categorical columns one-hot blocks, and the
 * layout (TabularColumn[]) a saved model keeps to read new files and write synthetic rows in the file's own terms.
 */
import { DataError } from '../errors.js';
import type { TabularColumn } from './types.js';

/** A feature column as the CSV parser gives it (src/data/csv.ts `CsvColumn`). */
export type ParsedColumn =
  | { name: string; kind: 'numeric'; values: Float64Array }
  | { name: string; kind: 'categorical'; labels: string[]; codes: Int32Array };

/**
 * The columns as one [n, D] array, numeric values as they are and each categorical column as a one-hot block, with
 * its layout. With `known` (a trained model's layout) the columns must be the model's: the same count and kinds in
 * the same order, and every category one the model was trained on (its block keeps the model's order); otherwise the
 * layout is the columns' own.
 *
 * @example
 * const { x, layout } = encodeColumns(table.columns, table.n, 'people.csv');
 * // layout [{ name: 'age', kind: 'numeric', index: 0 }, { name: 'colour', kind: 'categorical', start: 1, labels: ['blue', 'red'] }]
 */
export function encodeColumns(columns: ParsedColumn[], n: number, file: string, known?: TabularColumn[]): { x: Float32Array; layout: TabularColumn[] } {
  if (known && known.length !== columns.length) {
    throw new DataError(file, `has ${columns.length} feature columns, expected the model's ${known.length} (${known.map((c) => c.name).join(', ')})`);
  }
  const layout: TabularColumn[] = [];
  let d = 0;
  columns.forEach((column, j) => {
    const want = known?.[j];
    if (want?.kind === 'categorical' || (!want && column.kind === 'categorical')) {
      const labels = want?.kind === 'categorical' ? want.labels : (column as Extract<ParsedColumn, { kind: 'categorical' }>).labels;
      layout.push({ name: column.name, kind: 'categorical', start: d, labels });
      d += labels.length;
    } else {
      if (column.kind === 'categorical') {
        throw new DataError(file, `column ${j + 1} ('${column.name}') holds text such as '${column.labels[0]}', but the model's column '${want!.name}' is numeric`);
      }
      layout.push({ name: column.name, kind: 'numeric', index: d });
      d += 1;
    }
  });
  const x = new Float32Array(n * d); // [n, D]
  columns.forEach((column, j) => {
    const at = layout[j];
    if (at.kind === 'numeric') {
      const values = (column as Extract<ParsedColumn, { kind: 'numeric' }>).values;
      for (let i = 0; i < n; i++) x[i * d + at.index] = values[i];
      return;
    }
    const codes = categoryCodes(column, at.labels, file, j);
    for (let i = 0; i < n; i++) x[i * d + at.start + codes[i]] = 1;
  });
  return { x, layout };
}

/** Each row's index into `labels`: the column's own codes, or its values matched to a model's categories. */
function categoryCodes(column: ParsedColumn, labels: string[], file: string, j: number): Int32Array {
  // A numeric-looking column of a categorical model column (category names such as 1, 2, 3) is matched as text.
  const written = column.kind === 'categorical' ? column.labels : undefined;
  const text = (i: number) => (column.kind === 'categorical' ? written![column.codes[i]] : String(column.values[i]));
  const n = column.kind === 'categorical' ? column.codes.length : column.values.length;
  if (column.kind === 'categorical' && written === labels) return column.codes;
  const index = new Map(labels.map((label, k) => [label, k]));
  return Int32Array.from({ length: n }, (_, i) => {
    const k = index.get(text(i));
    if (k === undefined) throw new DataError(file, `column ${j + 1} ('${column.name}'), row ${i + 1}: category '${text(i)}' is not one the model was trained on (${labels.slice(0, 10).join(', ')}${labels.length > 10 ? ', ...' : ''})`);
    return k;
  });
}

/** The values of [0, D) that are one-hot (1) rather than numeric (0), for preprocessing to leave as they are. */
export function oneHotMask(layout: TabularColumn[], d: number): Uint8Array {
  const mask = new Uint8Array(d);
  for (const c of layout) if (c.kind === 'categorical') mask.fill(1, c.start, c.start + c.labels.length);
  return mask;
}

/** The categorical columns' blocks as the likelihood takes them (`likelihood.categorical`). */
export function categoricalBlocks(layout: TabularColumn[]): { start: number; size: number }[] {
  return layout.flatMap((c) => (c.kind === 'categorical' ? [{ start: c.start, size: c.labels.length }] : []));
}

/** The inputs a layout spans. */
export function layoutWidth(layout: TabularColumn[]): number {
  return layout.reduce((d, c) => d + (c.kind === 'categorical' ? c.labels.length : 1), 0);
}
