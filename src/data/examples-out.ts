/**
 * Examples out of a model as data files in the data's own terms: model-space rows [n, D] with the saved preprocessing
 * undone, written as CSV (the training file's column names, category labels) or NPY (float32).
 */
import { invertPreprocessing } from './for-model.js';
import { writeNpy } from './npy.js';
import { layoutWidth } from './tabular.js';
import type { Preprocessing, TabularColumn } from './types.js';

/** What a saved model says about its data, enough to write its examples in the data's units. */
export interface ExamplesMeta {
  inputShape: number[];
  preprocessing: Preprocessing;
  columns?: TabularColumn[];
  /** A conditional model's class names: each row's class is written as a `label` column. */
  labelNames?: string[];
}

/** The columns a model's examples have: the file's columns, or one numeric column per value (`x1` .. `xD`). */
export function columnsOf(meta: Pick<ExamplesMeta, 'inputShape' | 'columns'>): TabularColumn[] {
  if (meta.columns) return meta.columns;
  const d = meta.inputShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: d }, (_, j) => ({ name: `x${j + 1}`, kind: 'numeric' as const, index: j }));
}

/** A CSV cell: quoted (RFC 4180, doubled quotes) when it holds a comma, a quote or a line break. */
function cell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Encodes examples [n, D] in model space as a file's bytes, `format` by the file's extension: CSV with a header of the
 * column names, numeric values in the data's units and each categorical column's most likely category by name;
 * NPY float32 with one value per column (a categorical column's category index, into the model's `columns` labels),
 * shaped [n, ...inputShape] for data without categorical columns. `labels` [n] add a `label` column (CSV) by name.
 *
 * @example
 * writeFileAtomic('synthetic.csv', encodeExamples({ x, meta, format: 'csv' }));
 */
export function encodeExamples({ x, meta, format, labels }: { x: Float32Array; meta: ExamplesMeta; format: 'csv' | 'npy'; labels?: Int32Array }): string | Uint8Array {
  const columns = columnsOf(meta);
  const d = layoutWidth(columns);
  const n = x.length / d;
  const units = invertPreprocessing(Float32Array.from(x), d, meta.preprocessing); // [n, D]
  const value = (i: number, c: TabularColumn): number => {
    if (c.kind === 'numeric') return units[i * d + c.index];
    // The block in model space (one-hot or probabilities): its most likely category.
    let best = 0;
    for (let k = 1; k < c.labels.length; k++) if (x[i * d + c.start + k] > x[i * d + c.start + best]) best = k;
    return best;
  };
  if (format === 'npy') {
    if (!columns.some((c) => c.kind === 'categorical')) return writeNpy({ shape: [n, ...meta.inputShape], data: units });
    const out = new Float32Array(n * columns.length); // [n, columns]
    for (let i = 0; i < n; i++) columns.forEach((c, j) => (out[i * columns.length + j] = value(i, c)));
    return writeNpy({ shape: [n, columns.length], data: out });
  }
  const withLabel = labels !== undefined;
  const lines = [[...columns.map((c) => cell(c.name)), ...(withLabel ? ['label'] : [])].join(',')];
  for (let i = 0; i < n; i++) {
    const cells = columns.map((c) => {
      const v = value(i, c);
      return c.kind === 'numeric' ? String(Number(v.toPrecision(7))) : cell(c.labels[v]); // float32 holds about 7 digits
    });
    if (withLabel) cells.push(cell(meta.labelNames?.[labels[i]] ?? String(labels[i])));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

/** The data format a file name asks for (.csv or .npy), or undefined. */
export function examplesFormat(file: string): 'csv' | 'npy' | undefined {
  const lower = file.toLowerCase();
  return lower.endsWith('.csv') ? 'csv' : lower.endsWith('.npy') ? 'npy' : undefined;
}
