/** A matrix as a heat map (vega-lite rect marks with the value printed in each cell): the factor x code mutual information. */
import type * as vl from 'vega-lite';
import { VALUE_SCHEME } from './palette.js';

/**
 * A heat map of `values` [rows, cols] (row-major), rows and columns named, each cell labelled with its value; the
 * colour runs over [0, max] on the sequential value scheme (viridis), so an empty cell is the darkest.
 *
 * @example
 * const spec = heatmapSpec({ values: mi, rows: ['shape', 'scale'], cols: ['z0', 'z1', 'z2'], valueTitle: 'I(z; v) / H(v)' });
 */
export function heatmapSpec({ values, rows, cols, title, valueTitle = 'value', rowTitle = '', colTitle = '', cell = 36 }: {
  values: ArrayLike<number>;
  rows: string[];
  cols: string[];
  title?: string;
  valueTitle?: string;
  rowTitle?: string;
  colTitle?: string;
  /** Cell side in pixels (default 36). */
  cell?: number;
}): vl.TopLevelSpec {
  if (values.length !== rows.length * cols.length) throw new RangeError(`heat map: ${values.length} values for ${rows.length} x ${cols.length} cells`);
  const data = rows.flatMap((r, i) => cols.map((c, j) => ({ row: r, col: c, value: values[i * cols.length + j] })));
  const max = Math.max(1e-12, ...Array.from(values));
  return {
    ...(title ? { title } : {}),
    width: cell * cols.length,
    height: cell * rows.length,
    data: { values: data },
    encoding: {
      x: { field: 'col', type: 'nominal', sort: cols, title: colTitle, axis: { labelAngle: 0, grid: false } },
      y: { field: 'row', type: 'nominal', sort: rows, title: rowTitle, axis: { grid: false } },
    },
    layer: [
      { mark: { type: 'rect' }, encoding: { color: { field: 'value', type: 'quantitative', title: valueTitle, scale: { scheme: VALUE_SCHEME, domain: [0, max] } } } },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'value', type: 'quantitative', format: '.2f' },
          // Light text on the dark half of viridis, dark text on the light half.
          color: { condition: { test: `datum.value > ${max / 2}`, value: 'black' }, value: 'white' },
        },
      },
    ],
  } as vl.TopLevelSpec;
}
