/** A matrix as a heat map (vega-lite rect marks with the value printed in each cell): mutual information, correlation differences. */
import type * as vl from 'vega-lite';
import { VALUE_SCHEME } from './palette.js';

/** The diverging scheme for signed values: blue below 0, white at 0, red above (Vega's redblue, reversed). */
export const SIGNED_SCHEME = 'redblue';

/**
 * A heat map of `values` [rows, cols] (row-major), rows and columns named, each cell labelled with its value when
 * cells are at least 24 pixels. The colour runs over [0, max] on the sequential value scheme (viridis), so an empty
 * cell is the darkest; with `signed`, over [-m, m] (m the largest |value|) on a diverging scheme, 0 white.
 *
 * @example
 * const spec = heatmapSpec({ values: mi, rows: ['shape', 'scale'], cols: ['z0', 'z1', 'z2'], valueTitle: 'I(z; v) / H(v)' });
 */
export function heatmapSpec({ values, rows, cols, title, valueTitle = 'value', rowTitle = '', colTitle = '', cell = 36, signed = false }: {
  values: ArrayLike<number>;
  rows: string[];
  cols: string[];
  title?: string;
  valueTitle?: string;
  rowTitle?: string;
  colTitle?: string;
  /** Cell side in pixels (default 36). */
  cell?: number;
  /** Signed values: a diverging colour scale symmetric about 0. */
  signed?: boolean;
}): vl.TopLevelSpec {
  if (values.length !== rows.length * cols.length) throw new RangeError(`heat map: ${values.length} values for ${rows.length} x ${cols.length} cells`);
  const data = rows.flatMap((r, i) => cols.map((c, j) => ({ row: r, col: c, value: values[i * cols.length + j] })));
  const max = Math.max(1e-12, ...Array.from(values, signed ? Math.abs : (v: number) => v));
  const scale = signed ? { scheme: SIGNED_SCHEME, reverse: true, domain: [-max, max] } : { scheme: VALUE_SCHEME, domain: [0, max] };
  // Light text on the dark half of viridis, or on the strong ends of the diverging scale; dark text elsewhere.
  const light = signed ? `abs(datum.value) > ${max / 2}` : `datum.value <= ${max / 2}`;
  // Column names wider than a cell (about 7 pixels a character) are slanted so they do not overlap.
  const labelAngle = Math.max(...cols.map((c) => c.length)) * 7 > cell ? -45 : 0;
  return {
    ...(title ? { title } : {}),
    width: cell * cols.length,
    height: cell * rows.length,
    data: { values: data },
    encoding: {
      x: { field: 'col', type: 'nominal', sort: cols, title: colTitle, axis: { labelAngle, grid: false } },
      y: { field: 'row', type: 'nominal', sort: rows, title: rowTitle, axis: { grid: false } },
    },
    layer: [
      // A signed scale labels its ends and 0, so the legend reads as the symmetric range it is.
      { mark: { type: 'rect' }, encoding: { color: { field: 'value', type: 'quantitative', title: valueTitle, scale, ...(signed ? { legend: { values: [-max, 0, max], format: '.2f' } } : {}) } } },
      ...(cell >= 24
        ? [{ mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'value', type: 'quantitative', format: '.2f' }, color: { condition: { test: light, value: 'white' }, value: 'black' } } }]
        : []),
    ],
  } as vl.TopLevelSpec;
}
