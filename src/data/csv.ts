/** CSV of numbers: comma-separated, an optional header row, and an optional label column that may hold text. */
import { DataError } from '../errors.js';

/** A parsed CSV: feature rows (label column removed) and the labels as written. */
export interface CsvTable {
  /** The header row, every column including the label column; absent when the first row is data. */
  header?: string[];
  /** [n][d] feature values, label column removed. */
  rows: number[][];
  /** [n] the label cells as text, when a label column was given. */
  labels?: string[];
}

export interface CsvOptions {
  /** A header name or a 0-based column index (negative: from the end, -1 the last column). */
  labelColumn?: string | number;
}

/**
 * Reads a label column as written on a command line: an integer is a 0-based column index, negative counting from the
 * end (-1 the last column, as in Python), anything else a header name.
 *
 * @example
 * parseLabelColumn('2'); // 2
 * parseLabelColumn('-1'); // -1: the last column
 * parseLabelColumn('species'); // 'species'
 */
export function parseLabelColumn(text: string): string | number {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A number written in decimal (`12`, `-0.5`, `1e-3`), as CSV cells and flag values are read: NaN for anything else,
 * where Number() would take `0x10` as 16, `''` as 0 and `Infinity` as a number. Surrounding spaces are allowed.
 *
 * @example
 * parseDecimal('1e-3'); // 0.001
 * parseDecimal('0x10'); // NaN
 */
export function parseDecimal(text: string): number {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : NaN;
}
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * Parses CSV text. The first row is a header when one of its cells, outside a numeric `labelColumn`,
 * is not a number (NaN and Inf count as numbers here, so a data row holding them is reported, not
 * mistaken for a header). Blank lines are skipped; double-quoted cells may contain commas.
 * Errors name the file, the 1-based line and column, and the value.
 *
 * @example
 * const { header, rows, labels } = parseCsv('a,b,species\n1,2,setosa\n', 'iris.csv', { labelColumn: 'species' });
 * // header ['a', 'b', 'species'], rows [[1, 2]], labels ['setosa']
 */
export function parseCsv(text: string, file: string, opts: CsvOptions = {}): CsvTable {
  const records: { line: number; cells: string[] }[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((l, i) => {
      if (l.trim() !== '') records.push({ line: i + 1, cells: splitLine(l) });
    });
  if (records.length === 0) throw new DataError(file, 'empty file: expected rows of comma-separated numbers');
  const width = records[0].cells.length;
  for (const { line, cells } of records) {
    if (cells.length !== width) {
      throw new DataError(file, `line ${line} has ${cells.length} cells, expected ${width} as on line ${records[0].line}`);
    }
  }

  // A negative index counts from the end, as in Python: -1 is the last column.
  const labelColumn = typeof opts.labelColumn === 'number' && opts.labelColumn < 0 && opts.labelColumn >= -width ? width + opts.labelColumn : opts.labelColumn;
  const first = records[0].cells;
  const isNumberLike = (c: string): boolean => NUMBER.test(c) || NON_FINITE.test(c);
  const header = first.some((c, j) => j !== labelColumn && !isNumberLike(c)) ? first : undefined;
  const labelIndex = resolveLabelColumn(labelColumn, header, width, file);
  if (labelIndex !== undefined && width === 1) throw new DataError(file, 'the label column is the only column; expected feature columns too');
  const body = header ? records.slice(1) : records;
  if (body.length === 0) throw new DataError(file, `a header on line ${records[0].line} but no data rows`);

  const rows: number[][] = [];
  const labels: string[] = [];
  for (const { line, cells } of body) {
    const row: number[] = [];
    cells.forEach((cell, j) => {
      const where = `line ${line}, column ${j + 1}${header ? ` (${header[j]})` : ''}`;
      if (j === labelIndex) {
        if (cell === '') throw new DataError(file, `${where}: empty label`);
        labels.push(cell);
        return;
      }
      const v = parseDecimal(cell); // Number() alone would read '' as 0 and accept '0x1f'
      if (Number.isFinite(v)) {
        row.push(v);
        return;
      }
      if (cell === '') throw new DataError(file, `${where}: empty cell; expected a number`);
      // NUMBER matching yet not finite means an overflow such as 1e999.
      if (NUMBER.test(cell) || NON_FINITE.test(cell)) throw new DataError(file, `${where}: non-finite value '${cell}'; expected a finite number`);
      throw new DataError(file, `${where}: '${cell}' is not a number`);
    });
    rows.push(row);
  }
  return { header, rows, labels: labelIndex === undefined ? undefined : labels };
}

/** The 0-based index of the label column, or undefined when there is none. */
function resolveLabelColumn(labelColumn: string | number | undefined, header: string[] | undefined, width: number, file: string): number | undefined {
  if (labelColumn === undefined) return undefined;
  if (typeof labelColumn === 'number') {
    if (!Number.isInteger(labelColumn) || labelColumn < 0 || labelColumn >= width) {
      throw new DataError(file, `label column ${labelColumn} is out of range; the file has ${width} columns (0-based 0..${width - 1}, or -${width}..-1 from the end)`);
    }
    return labelColumn;
  }
  if (!header) throw new DataError(file, `label column '${labelColumn}' is a name, but the first row is data, not a header`);
  const j = header.indexOf(labelColumn);
  if (j < 0) throw new DataError(file, `no column named '${labelColumn}'; the header has ${header.join(', ')}`);
  return j;
}

/** Splits one line on commas; a double-quoted cell may hold commas and "" for a quote (not newlines). */
function splitLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}
