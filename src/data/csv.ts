/** CSV as people have it (RFC 4180): lead lines skipped, the delimiter sniffed, a header detected, numeric and categorical columns, missing cells. */
import { DataError, UsageError } from '../errors.js';

/** The delimiters vaekit reads: comma, semicolon and tab. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** What to do with missing cells (empty, NA, N/A, NaN, null, ?): refuse the file, drop their rows, or fill them. */
export const MISSING_POLICIES = ['error', 'drop', 'mean'] as const;
export type MissingPolicy = (typeof MISSING_POLICIES)[number];

/** The policy when none is given: a missing cell is an error naming its line and column. */
export const DEFAULT_MISSING: MissingPolicy = 'error';

/** One feature column of a parsed CSV, after the missing-value policy. */
export type CsvColumn =
  /** values [n]. */
  | { name: string; kind: 'numeric'; values: Float64Array }
  /** labels: the distinct values sorted (numeric-looking ones numerically, then text); codes [n] index into labels. */
  | { name: string; kind: 'categorical'; labels: string[]; codes: Int32Array };

/** A parsed CSV: its feature columns (label column removed), the labels as written, and what parsing decided. */
export interface CsvTable {
  /** The header row, every column including the label column; absent when the first record is data. */
  header?: string[];
  /** The feature columns in file order, label column removed; name = the header cell, or `column N` (1-based). */
  columns: CsvColumn[];
  /** Data rows kept. */
  n: number;
  /** [n] the label cells as written, when a label column was given. */
  labels?: string[];
  /** The delimiter used, given or sniffed. */
  delimiter: CsvDelimiter;
  /** What the missing policy did: missing feature cells found, rows dropped, cells filled. */
  missing: { cells: number; rowsDropped: number; filled: number };
}

export interface CsvOptions {
  /** A header name or a 0-based column index (negative: from the end, -1 the last column). */
  labelColumn?: string | number;
  /** Physical lines skipped before anything else (scikit-learn's exports start with a line of counts). Default 0. */
  skipRows?: number;
  /** Default: sniffed from the first records among comma, semicolon and tab. */
  delimiter?: CsvDelimiter;
  /** Columns read as categorical even when their cells are numbers (zip codes): header names or 0-based indices. */
  categorical?: (string | number)[];
  /** Default {@link DEFAULT_MISSING}. */
  missing?: MissingPolicy;
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

/**
 * A comma-separated list of columns as `--categorical` takes them, each read as {@link parseLabelColumn} reads one.
 *
 * @example
 * parseColumnList('zip,2,-1', '--categorical'); // ['zip', 2, -1]
 */
export function parseColumnList(text: string, flag: string): (string | number)[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`${flag}: '${text}' is not a list of columns; expected header names or 0-based indices separated by commas, e.g. color,zip or 3,5`);
  return parts.map(parseLabelColumn);
}

/**
 * A delimiter as written on a command line: `,` or `comma`, `;` or `semicolon`, `tab` or `\t`.
 *
 * @example
 * parseDelimiter('tab', '--delimiter'); // '\t'
 */
export function parseDelimiter(text: string, flag: string): CsvDelimiter {
  const words: Record<string, CsvDelimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\\t': '\t', '\t': '\t' };
  const d = words[text.toLowerCase()];
  if (d === undefined) throw new UsageError(`${flag}: unknown delimiter '${text}'; expected , (comma), ; (semicolon) or tab`);
  return d;
}

/** A delimiter as messages name it: `','`, `';'` or `tab`. */
export function delimiterName(d: CsvDelimiter): string {
  return d === '\t' ? 'tab' : `'${d}'`;
}

/**
 * An image shape `HxW` or `HxWxC` as `--shape` takes it: [H, W, C], C 1 (grey, the default), 3 (RGB) or 4 (RGBA).
 *
 * @example
 * parseShape('8x8', '--shape'); // [8, 8, 1]
 */
export function parseShape(text: string, flag: string): [number, number, 1 | 3 | 4] {
  const m = /^\s*(\d+)\s*x\s*(\d+)\s*(?:x\s*(\d+)\s*)?$/i.exec(text);
  const [h, w, c] = [Number(m?.[1]), Number(m?.[2]), m?.[3] === undefined ? 1 : Number(m[3])];
  if (!m || !(h >= 1 && w >= 1 && Number.isSafeInteger(h) && Number.isSafeInteger(w)) || !(c === 1 || c === 3 || c === 4)) {
    throw new UsageError(`${flag}: '${text}' is not an image shape; expected HxW or HxWxC with positive integers and C 1, 3 or 4 channels, e.g. 8x8 or 32x32x3`);
  }
  return [h, w, c];
}

/** A shape as `--shape` writes it: `8x8` (one channel) or `32x32x3`. */
export function shapeText([h, w, c]: readonly number[]): string {
  return c === 1 ? `${h}x${w}` : `${h}x${w}x${c}`;
}

/** The CSV-only data options and their flags (refused on other data), in the order messages name them. */
export const CSV_FLAGS = { labelColumn: '--label-column', skipRows: '--skip-rows', delimiter: '--delimiter', categorical: '--categorical', missing: '--missing', shape: '--shape' } as const;

/**
 * A CSV option's value as its flag takes it: `tab`, `8x8`, `zip,3`.
 *
 * @example
 * csvFlagValue('delimiter', '\t'); // 'tab'
 */
export function csvFlagValue(key: keyof typeof CSV_FLAGS, value: unknown): string {
  if (key === 'shape') return shapeText(value as number[]);
  if (key === 'delimiter') return value === '\t' ? 'tab' : String(value);
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * The CSV-only options set in `options`, each as its flag is typed, for messages that refuse them on other data.
 *
 * @example
 * csvFlagsGiven({ skipRows: 1, shape: [8, 8, 1] }); // ['--skip-rows 1', '--shape 8x8']
 */
export function csvFlagsGiven(options: { [K in keyof typeof CSV_FLAGS]?: unknown }): string[] {
  return (Object.keys(CSV_FLAGS) as (keyof typeof CSV_FLAGS)[]).filter((k) => options[k] !== undefined).map((k) => `${CSV_FLAGS[k]} ${csvFlagValue(k, options[k])}`);
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

/** Cells that mean "no value": empty, NA, N/A, NaN, null, ? (any case). */
const MISSING = /^(na|n\/a|[+-]?nan|null|\?)?$/i;
const INFINITE = /^[+-]?(inf|infinity)$/i;
/** Numbers and infinities: an infinity in a numeric column is reported as such, not taken for a category. */
const isNumberLike = (c: string): boolean => NUMBER.test(c) || INFINITE.test(c);
const isMissing = (c: string): boolean => MISSING.test(c);
const isText = (c: string): boolean => !isMissing(c) && !isNumberLike(c);
const FLOAT32_MAX = 3.4028234663852886e38;

/** A cell as one line of a message: newlines (legal inside quotes) escaped, long text cut. */
function oneLine(cell: string): string {
  const escaped = cell.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return escaped.length > 40 ? `${escaped.slice(0, 40)}...` : escaped;
}
/** Records the delimiter is sniffed from. */
const SNIFF_RECORDS = 20;

/** One record: its cells (unquoted cells trimmed) and the physical line it starts on. */
interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * Parses CSV text per RFC 4180: quoted cells may hold delimiters, newlines and doubled quotes; CRLF or LF; a UTF-8 BOM
 * and blank lines are skipped. `skipRows` physical lines go first; the delimiter is then sniffed (comma, semicolon or
 * tab: the one that splits the first records into the same number > 1 of cells most often) unless given.
 *
 * The first record is a header when one of its cells, outside a label column given by index, is text (not a number
 * and not a missing marker) and: that text sits over a column whose other cells are all numbers; or, when no such
 * column exists, no cell of the record is a number and none of its text cells occurs in its column below (a header
 * names a column, it is not one of its categories). A label column given by name that is a cell of the first record
 * makes it a header too.
 *
 * A feature column is categorical when a non-missing cell is not a number, or when `categorical` names it. Missing
 * cells (empty, NA, N/A, NaN, null, ?) follow `missing`: `error` names the first one's line and column, `drop` drops the
 * rows that have one, `mean` fills numeric columns with their mean and categorical ones with their most frequent value
 * (ties: the first in sorted order). A missing label, and a column without any value, are always errors.
 * Errors name the file, the 1-based line and column, and the value.
 *
 * @example
 * const t = parseCsv('a;color;species\n1;red;setosa\n2;"dark, blue";virginica\n', 'iris.csv', { labelColumn: 'species' });
 * // t.delimiter ';', t.columns [{ name: 'a', kind: 'numeric', values: [1, 2] },
 * //   { name: 'color', kind: 'categorical', labels: ['dark, blue', 'red'], codes: [1, 0] }], t.labels ['setosa', 'virginica']
 */
export function parseCsv(text: string, file: string, opts: CsvOptions = {}): CsvTable {
  const skipRows = opts.skipRows ?? 0;
  const start = skipLines(text, skipRows, file);
  const delimiter = opts.delimiter ?? sniffDelimiter(text, start, file);
  const records = tokenize(text, start, delimiter, file);
  if (records.length === 0) {
    throw new DataError(file, skipRows > 0 ? `no rows after the ${skipRows} line(s) skipped by --skip-rows` : 'empty file: expected rows of values separated by commas, semicolons or tabs');
  }
  checkWidths(records, delimiter, file);
  const width = records[0].cells.length;

  // A negative index counts from the end, as in Python: -1 is the last column.
  const labelColumn = typeof opts.labelColumn === 'number' && opts.labelColumn < 0 && opts.labelColumn >= -width ? width + opts.labelColumn : opts.labelColumn;
  const header = isHeader(records, labelColumn) ? records[0].cells : undefined;
  const labelIndex = resolveColumn('label column', labelColumn, header, width, file);
  if (labelIndex !== undefined && width === 1) throw new DataError(file, 'the label column is the only column; expected feature columns too');
  const body = header ? records.slice(1) : records;
  if (body.length === 0) throw new DataError(file, `a header on line ${records[0].line} but no data rows`);

  const forced = new Set<number>();
  for (const c of opts.categorical ?? []) {
    const j = resolveColumn('categorical column', typeof c === 'number' && c < 0 && c >= -width ? width + c : c, header, width, file)!;
    if (j === labelIndex) throw new DataError(file, `categorical column ${typeof c === 'number' ? c : `'${oneLine(c)}'`} is the label column; --categorical names feature columns`);
    forced.add(j);
  }
  const name = (j: number) => (header && header[j] !== '' ? header[j] : `column ${j + 1}`);
  const column = (j: number) => `column ${j + 1}${header && header[j] !== '' ? ` (${oneLine(header[j])})` : ''}`;
  const where = (line: number, j: number) => `line ${line}, ${column(j)}`;

  const labels = labelIndex === undefined ? undefined : body.map(({ line, cells }) => {
    const cell = cells[labelIndex];
    if (isMissing(cell)) throw new DataError(file, `${where(line, labelIndex)}: ${cell === '' ? 'empty label' : `missing label '${oneLine(cell)}'`}; every row needs a label`);
    return cell;
  });
  const raw: RawColumn[] = [];
  for (let j = 0; j < width; j++) if (j !== labelIndex) raw.push(readColumn(body, j, name(j), forced.has(j), (line) => where(line, j), file));
  const empty = raw.find((c) => c.missing === body.length);
  if (empty) throw new DataError(file, `${column(empty.index)} has no values: every cell is empty or a missing marker (NA, N/A, NaN, null, ?); remove the column`);

  const policy = opts.missing ?? DEFAULT_MISSING;
  const cells = raw.reduce((s, c) => s + c.missing, 0);
  let keep: Int32Array | undefined; // rows kept by `drop`
  if (cells > 0 && policy === 'error') {
    const row = Math.min(...raw.map((c) => c.firstMissing));
    const j = raw.find((c) => c.firstMissing === row)!.index;
    const cell = body[row].cells[j];
    throw new DataError(file, `${where(body[row].line, j)}: missing value${cell === '' ? ' (empty cell)' : ` '${oneLine(cell)}'`}; use --missing drop to drop rows with missing cells or --missing mean to fill them`);
  }
  if (cells > 0 && policy === 'drop') {
    const missingRow = new Uint8Array(body.length);
    for (const c of raw) for (let i = 0; i < body.length; i++) if (c.isMissing(i)) missingRow[i] = 1;
    keep = Int32Array.from(missingRow.keys()).filter((i) => missingRow[i] === 0);
    if (keep.length === 0) throw new DataError(file, `every one of the ${body.length} rows has a missing cell, so --missing drop leaves none; use --missing mean to fill them`);
  }
  const columns = raw.map((c) => c.finish(keep, policy === 'mean'));
  const rows = keep;
  const n = rows ? rows.length : body.length;
  return {
    ...(header && { header }),
    columns,
    n,
    ...(labels && { labels: rows ? Array.from(rows, (i) => labels[i]) : labels }),
    delimiter,
    missing: { cells, rowsDropped: body.length - n, filled: policy === 'mean' ? cells : 0 },
  };
}

/** A column read from the records, before the missing policy: `finish` applies it. */
interface RawColumn {
  index: number;
  name: string;
  /** Missing cells, and the first one's row (Infinity when none). */
  missing: number;
  firstMissing: number;
  isMissing: (row: number) => boolean;
  /** The column with rows `keep` (all when undefined), missing cells filled when `fill`. */
  finish: (keep: Int32Array | undefined, fill: boolean) => CsvColumn;
}

function readColumn(body: CsvRecord[], j: number, name: string, forced: boolean, where: (line: number) => string, file: string): RawColumn {
  const m = body.length;
  const cells = new Array<string>(m);
  const missingAt = new Uint8Array(m);
  const values = new Float64Array(m); // NaN where missing; read in the same pass while every cell is a number
  let text = forced;
  let missing = 0;
  let [numbers, firstText] = [0, -1];
  for (let i = 0; i < m; i++) {
    const cell = (cells[i] = body[i].cells[j]);
    // Numbers first: they are most cells. Cells are trimmed, and Number() of a decimal is the value (1e999: Infinity).
    if (NUMBER.test(cell)) {
      values[i] = Number(cell);
      numbers++;
    } else if (MISSING.test(cell)) {
      missingAt[i] = 1;
      values[i] = NaN;
      missing++;
    } else if (INFINITE.test(cell)) values[i] = Infinity;
    else {
      text = true;
      if (firstText < 0) firstText = i;
    }
  }
  // A column of numbers with a few words in it is a typo, not categories (each distinct number would become one).
  if (!forced && firstText >= 0 && numbers > (m - missing) / 2) {
    throw new DataError(file, `${where(body[firstText].line)}: '${oneLine(cells[firstText])}' is not a number, though ${numbers} of the column's ${m - missing} cells are; fix the cell, write it as missing (NA) and use --missing, or read the column as categories with --categorical ${/^[\w.-]+$/.test(name) ? name : j}`);
  }
  const firstMissing = missing === 0 ? Infinity : missingAt.indexOf(1);
  const common = { index: j, name, missing, firstMissing, isMissing: (i: number) => missingAt[i] === 1 };
  if (text) {
    return {
      ...common,
      finish: (keep, fill) => {
        const rows = keep ?? Int32Array.from(cells.keys());
        const present = Array.from(rows, (i) => cells[i]).filter((_, k) => !missingAt[rows[k]]);
        const labels = [...new Set(present)].sort(compareCategories);
        const code = new Map(labels.map((l, k) => [l, k]));
        let filler = -1;
        if (fill && missing > 0) {
          const counts = new Int32Array(labels.length);
          for (const v of present) counts[code.get(v)!]++;
          filler = 0;
          for (let k = 1; k < counts.length; k++) if (counts[k] > counts[filler]) filler = k; // ties: the first in sorted order
        }
        const codes = Int32Array.from(rows, (i) => (missingAt[i] ? filler : code.get(cells[i])!));
        return { name, kind: 'categorical', labels, codes };
      },
    };
  }
  for (let i = 0; i < m; i++) {
    const v = values[i];
    if (v === Infinity || v === -Infinity) throw new DataError(file, `${where(body[i].line)}: non-finite value '${oneLine(cells[i])}'; expected a finite number`);
    if (Math.abs(v) > FLOAT32_MAX) throw new DataError(file, `${where(body[i].line)}: '${oneLine(cells[i])}' is beyond float32's range (about 3.4e38)`);
  }
  return {
    ...common,
    finish: (keep, fill) => {
      const out = keep ? Float64Array.from(keep, (i) => values[i]) : values;
      if (fill && missing > 0) {
        let sum = 0;
        for (let i = 0; i < values.length; i++) if (!missingAt[i]) sum += values[i];
        const mean = sum / (values.length - missing);
        for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i])) out[i] = mean;
      }
      return { name, kind: 'numeric', values: out };
    },
  };
}

/** Category order: numeric-looking values numerically, then text in code-unit order. */
function compareCategories(a: string, b: string): number {
  const [x, y] = [parseDecimal(a), parseDecimal(b)];
  const [na, nb] = [Number.isFinite(x), Number.isFinite(y)];
  if (na && nb && x !== y) return x - y;
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The [n, d] float32 matrix of a table's numeric columns, row-major. A categorical column is refused, naming it and
 * `why` (rows read as images; a model trained on numbers alone).
 *
 * @example
 * const x = numericMatrix(parseCsv('a,b\n1,2\n3,4\n', 'f.csv'), 'f.csv'); // Float32Array [1, 2, 3, 4]
 */
export function numericMatrix(table: CsvTable, file: string, why = 'only numeric columns are read here'): Float32Array {
  const categorical = table.columns.filter((c) => c.kind === 'categorical');
  if (categorical.length > 0) {
    const described = categorical.map((c) => {
      const text = c.labels.find((l) => !isNumberLike(l));
      return `'${oneLine(c.name)}' (${text === undefined ? `values such as '${oneLine(c.labels[0])}', named by --categorical` : `text values such as '${oneLine(text)}'`})`;
    });
    // Values holding another delimiter suggest the file was split on the wrong one.
    const other = CSV_DELIMITERS.find((d) => d !== table.delimiter && categorical.some((c) => c.labels.some((l) => l.includes(d))));
    const hint = other === undefined ? '' : ` (split on ${delimiterName(table.delimiter)}; if the cells are separated by ${delimiterName(other)}, give --delimiter ${other === '\t' ? 'tab' : other})`;
    throw new DataError(file, `categorical column${categorical.length > 1 ? 's' : ''} ${described.join(', ')}: ${why}${hint}`);
  }
  const d = table.columns.length;
  const x = new Float32Array(table.n * d); // [n, d]
  table.columns.forEach((c, k) => {
    if (c.kind !== 'numeric') return;
    for (let i = 0; i < table.n; i++) x[i * d + k] = c.values[i];
  });
  return x;
}

/** Where the text after a BOM and `skipRows` physical lines starts, and that line's 1-based number. */
function skipLines(text: string, skipRows: number, file: string): { at: number; line: number } {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let k = 0; k < skipRows; k++) {
    if (at >= text.length) throw new DataError(file, `--skip-rows ${skipRows}: the file has only ${k} line(s)`);
    const nl = text.indexOf('\n', at);
    at = nl < 0 ? text.length : nl + 1;
  }
  return { at, line: skipRows + 1 };
}

/**
 * The delimiter that splits the first records (quotes respected) into the same number > 1 of cells most often;
 * ties go to comma, then semicolon, then tab. A file of one column gets comma.
 */
function sniffDelimiter(text: string, start: { at: number; line: number }, file: string): CsvDelimiter {
  let best: CsvDelimiter = ',';
  let bestShare = 0;
  for (const d of CSV_DELIMITERS) {
    let records: CsvRecord[];
    try {
      records = tokenize(text, start, d, file, SNIFF_RECORDS);
    } catch {
      continue; // an unclosed quote: the parse with the chosen delimiter reports it
    }
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.cells.length, (counts.get(r.cells.length) ?? 0) + 1);
    let [width, times] = [0, 0];
    for (const [w, t] of counts) if (t > times || (t === times && w > width)) [width, times] = [w, t];
    const share = times / records.length;
    if (width > 1 && share > bestShare) [best, bestShare] = [d, share];
  }
  return best;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;

/**
 * Splits text from `start` into records (at most `limit`): RFC 4180 quoting (a cell that starts with `"`, after
 * spaces, runs to the next lone `"`; `""` inside is a quote; delimiters and newlines inside are kept), LF or CRLF line
 * ends, blank lines skipped. Unquoted cells are trimmed; text after a closing quote is kept, as most readers do.
 */
function tokenize(text: string, start: { at: number; line: number }, delimiter: CsvDelimiter, file: string, limit = Infinity): CsvRecord[] {
  const d = delimiter.charCodeAt(0);
  const n = text.length;
  const records: CsvRecord[] = [];
  const isSpace = (c: number) => c === SPACE || c === CR || (c === TAB && d !== TAB);
  let i = start.at;
  let line = start.line;
  while (i < n && records.length < limit) {
    let j = i;
    while (j < n && isSpace(text.charCodeAt(j))) j++;
    if (j === n) break;
    if (text.charCodeAt(j) === LF) {
      i = j + 1;
      line++;
      continue; // a blank line
    }
    const cells: string[] = [];
    const first = line;
    for (;;) {
      let k = i;
      while (k < n && (text.charCodeAt(k) === SPACE || (text.charCodeAt(k) === TAB && d !== TAB))) k++;
      let end: number;
      let cell: string;
      if (text.charCodeAt(k) === QUOTE) {
        const opened = line;
        let p = k + 1;
        cell = '';
        for (;;) {
          const q = text.indexOf('"', p);
          if (q < 0) throw new DataError(file, `line ${opened}: a quoted cell opens here and is never closed; a quoted cell ends with " and a quote inside one is written ""`);
          cell += text.slice(p, q);
          if (text.charCodeAt(q + 1) !== QUOTE) {
            p = q + 1;
            break;
          }
          cell += '"';
          p = q + 2;
        }
        for (let c = k; c < p; c++) if (text.charCodeAt(c) === LF) line++;
        end = p;
        while (end < n && text.charCodeAt(end) !== d && text.charCodeAt(end) !== LF) end++;
        cell += text.slice(p, end).trim();
      } else {
        end = k;
        while (end < n && text.charCodeAt(end) !== d && text.charCodeAt(end) !== LF) end++;
        cell = text.slice(k, end).trim();
      }
      cells.push(cell);
      i = end + 1;
      if (end < n && text.charCodeAt(end) === d) continue;
      if (end < n) line++; // the record's newline
      break;
    }
    records.push({ line: first, cells });
  }
  return records;
}

/** Every record has as many cells as the first; a short first line (a line of counts) suggests --skip-rows. */
function checkWidths(records: CsvRecord[], delimiter: CsvDelimiter, file: string): void {
  const width = records[0].cells.length;
  const bad = records.find((r) => r.cells.length !== width);
  if (!bad) return;
  const second = records[1];
  const hint =
    bad === second && second.cells.length > width
      ? `; line ${records[0].line} has fewer cells than the lines after it: if it is not data (scikit-learn's CSV exports start with a line of counts), skip it with --skip-rows ${second.line - 1}`
      : '';
  throw new DataError(file, `line ${bad.line} has ${bad.cells.length} cells, expected ${width} as on line ${records[0].line} (delimiter ${delimiterName(delimiter)})${hint}`);
}

/** Whether the first record is a header (the rule is parseCsv's); `labelColumn` is a name or a non-negative index. */
function isHeader(records: CsvRecord[], labelColumn: string | number | undefined): boolean {
  const first = records[0].cells;
  if (typeof labelColumn === 'string' && first.includes(labelColumn)) return true;
  const columns = first.map((_, j) => j).filter((j) => j !== labelColumn);
  const text = columns.filter((j) => isText(first[j]));
  if (text.length === 0) return false;
  const body = records.slice(1);
  if (body.length === 0) return true;
  const numericBelow = (j: number) => body.every((r) => !isText(r.cells[j])) && body.some((r) => !isMissing(r.cells[j]));
  if (text.some(numericBelow)) return true;
  if (columns.some((j) => isNumberLike(first[j]))) return false;
  return text.every((j) => body.every((r) => r.cells[j] !== first[j]));
}

/** The 0-based index of a column given by name or index (`what` names it in errors), or undefined when none is given. */
function resolveColumn(what: string, column: string | number | undefined, header: string[] | undefined, width: number, file: string): number | undefined {
  if (column === undefined) return undefined;
  if (typeof column === 'number') {
    if (!Number.isInteger(column) || column < 0 || column >= width) {
      throw new DataError(file, `${what} ${column} is out of range; the file has ${width} columns (0-based 0..${width - 1}, or -${width}..-1 from the end)`);
    }
    return column;
  }
  if (!header) throw new DataError(file, `${what} '${oneLine(column)}' is a name, but the first row is data, not a header`);
  const j = header.indexOf(column);
  if (j < 0) throw new DataError(file, `no column named '${oneLine(column)}'; the header has ${header.map(oneLine).join(', ')}`);
  return j;
}
