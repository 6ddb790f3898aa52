import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { Rng } from '../engine/rng.js';
import { gzip, tempFolder, thrown } from '../../test/fixtures/data/build.js';
import { MISSING_POLICIES, csvFlagsGiven, numericMatrix, parseColumnList, parseCsv, parseDelimiter, parseLabelColumn, parseShape, type CsvOptions, type CsvTable } from './csv.js';
import { loadDataset } from './load.js';

describe('parseLabelColumn', () => {
  it('reads an integer as a 0-based index (negative from the end) and anything else as a header name', () => {
    expect(parseLabelColumn('0')).toBe(0);
    expect(parseLabelColumn('12')).toBe(12);
    expect(parseLabelColumn('species')).toBe('species');
    expect(parseLabelColumn('-1')).toBe(-1);
    expect(parseLabelColumn('2.0')).toBe('2.0');
  });
});

/** A table's numeric columns as rows, and its categorical columns by name, for comparing against plain arrays. */
function rowsOf(t: CsvTable): number[][] {
  return Array.from({ length: t.n }, (_, i) => t.columns.map((c) => (c.kind === 'numeric' ? c.values[i] : NaN)));
}
const categories = (t: CsvTable, name: string): string[] => {
  const c = t.columns.find((col) => col.name === name);
  if (c?.kind !== 'categorical') throw new Error(`${name} is not categorical`);
  return Array.from(c.codes, (k) => c.labels[k]);
};

describe('parseCsv', () => {
  it('detects a header row', () => {
    const t = parseCsv('a,b\n1,2\n3,4\n', 'f.csv');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([['a', 'numeric'], ['b', 'numeric']]);
    expect(rowsOf(t)).toEqual([[1, 2], [3, 4]]);
    expect(t).toMatchObject({ n: 2, delimiter: ',', missing: { cells: 0, rowsDropped: 0, filled: 0 } });
    expect(t.labels).toBeUndefined();
  });

  it('reads a first row of numbers as data and names the columns by number', () => {
    const t = parseCsv('1,2e3\n-3.5,.25\n', 'f.csv');
    expect(t.header).toBeUndefined();
    expect(t.columns.map((c) => c.name)).toEqual(['column 1', 'column 2']);
    expect(rowsOf(t)).toEqual([[1, 2000], [-3.5, 0.25]]);
  });

  it('takes the label column by name', () => {
    const t = parseCsv('x,species,y\n1,setosa,2\n3,"vir,ginica",4\n', 'f.csv', { labelColumn: 'species' });
    expect(t.header).toEqual(['x', 'species', 'y']);
    expect(rowsOf(t)).toEqual([[1, 2], [3, 4]]);
    expect(t.labels).toEqual(['setosa', 'vir,ginica']);
  });

  it('takes the label column by index, text labels not mistaken for a header', () => {
    const t = parseCsv('1,2,cat\n3,4,dog\n', 'f.csv', { labelColumn: 2 });
    expect(t.header).toBeUndefined();
    expect(rowsOf(t)).toEqual([[1, 2], [3, 4]]);
    expect(t.labels).toEqual(['cat', 'dog']);
    expect(parseCsv('1,2,cat\n3,4,dog\n', 'f.csv', { labelColumn: -1 }).labels).toEqual(['cat', 'dog']);
  });

  it('skips blank lines and a BOM, and accepts CRLF', () => {
    const t = parseCsv('\uFEFFa,b\r\n\r\n  \r\n1,2\r\n3,4', 'f.csv');
    expect(t.header).toEqual(['a', 'b']);
    expect(rowsOf(t)).toEqual([[1, 2], [3, 4]]);
  });

  describe('RFC 4180 quoting', () => {
    const text = 'id,note,kind\r\n1,"a ""quoted"" word, and a comma",x\r\n2,"two\r\nlines\nthree",y\r\n3,plain,"z"\r\n';
    const t = parseCsv(text, 'f.csv', { labelColumn: 'kind' });

    it('keeps delimiters, newlines and doubled quotes inside quoted cells', () => {
      expect(categories(t, 'note')).toEqual(['a "quoted" word, and a comma', 'two\r\nlines\nthree', 'plain']);
      expect(t.labels).toEqual(['x', 'y', 'z']);
      expect(rowsOf(t).map((r) => r[0])).toEqual([1, 2, 3]);
    });

    it("numbers a record by the physical line it starts on, in errors about it and the ones after", () => {
      const ragged = 'a,b\n1,"x\ny"\n2,"p\n\nq",9\n';
      expect(thrown(() => parseCsv(ragged, 'f.csv')).message).toBe("f.csv: line 4 has 3 cells, expected 2 as on line 1 (delimiter ',')");
      const missing = 'a,b\n1,"x\ny"\n,"z"\n';
      expect(thrown(() => parseCsv(missing, 'f.csv')).message).toMatch(/^f\.csv: line 4, column 1 \(a\): missing value \(empty cell\)/);
    });

    it('refuses an unterminated quote, naming the line where it opened', () => {
      const err = thrown(() => parseCsv('a,b\n1,2\n3,"four\n5,6\n7,8\n', 'in/f.csv'));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toBe('in/f.csv: line 3: a quoted cell opens here and is never closed; a quoted cell ends with " and a quote inside one is written ""');
    });

    it('reads a quoted number as a number and spaces before a quote as nothing', () => {
      const q = parseCsv('a,b\n"1", "2"\n3,4\n', 'f.csv');
      expect(rowsOf(q)).toEqual([[1, 2], [3, 4]]);
    });
  });

  describe('--skip-rows and the delimiter', () => {
    // A scikit-learn export (load_breast_cancer's CSV): a line of counts and class names, a header, 30 numbers and a label.
    const features = Array.from({ length: 30 }, (_, j) => `f${j}`);
    const body = Array.from({ length: 6 }, (_, i) => [...features.map((_, j) => ((i + 1) * (j + 2)) / 10), i % 2].join(','));
    const sklearn = ['569,30,malignant,benign', [...features, 'target'].join(','), ...body].join('\n') + '\n';

    it("refuses a scikit-learn export's count line with a hint to skip it", () => {
      const err = thrown(() => parseCsv(sklearn, 'cancer.csv', { labelColumn: -1 }));
      expect(err.message).toBe(
        "cancer.csv: line 2 has 31 cells, expected 4 as on line 1 (delimiter ','); line 1 has fewer cells than the lines after it: if it is not data (scikit-learn's CSV exports start with a line of counts), skip it with --skip-rows 1",
      );
    });

    it('reads it with skipRows 1: the header, 30 numeric columns and the labels', () => {
      const t = parseCsv(sklearn, 'cancer.csv', { skipRows: 1, labelColumn: -1 });
      expect(t.header).toEqual([...features, 'target']);
      expect(t.columns).toHaveLength(30);
      expect(t.columns.every((c) => c.kind === 'numeric')).toBe(true);
      expect(t.n).toBe(6);
      expect(t.labels).toEqual(['0', '1', '0', '1', '0', '1']);
      expect(rowsOf(t)[2][4]).toBeCloseTo((3 * 6) / 10, 12);
    });

    it('counts skipped lines in later line numbers, and refuses skipping past the end', () => {
      expect(thrown(() => parseCsv('junk\n\na,b\n1,x,3\n', 'f.csv', { skipRows: 2 })).message).toMatch(/^f\.csv: line 4 has 3 cells, expected 2 as on line 3/);
      expect(thrown(() => parseCsv('a\n1\n', 'f.csv', { skipRows: 5 })).message).toBe('f.csv: --skip-rows 5: the file has only 2 line(s)');
      expect(thrown(() => parseCsv('a\n1\n', 'f.csv', { skipRows: 2 })).message).toBe('f.csv: no rows after the 2 line(s) skipped by --skip-rows');
    });

    it('sniffs semicolons and tabs, quotes respected', () => {
      const semi = parseCsv('a;b;c\n1;2;"x;y"\n3;4;z\n', 'f.csv');
      expect(semi.delimiter).toBe(';');
      expect(categories(semi, 'c')).toEqual(['x;y', 'z']);
      const tab = parseCsv('a\tb\n1\t2\n3\t4\n', 'f.csv');
      expect(tab.delimiter).toBe('\t');
      expect(rowsOf(tab)).toEqual([[1, 2], [3, 4]]);
      // Semicolons inside quotes do not split: comma it is.
      const comma = parseCsv('a,b\n"1;2;3",4\n"5;6;7",8\n', 'f.csv');
      expect(comma.delimiter).toBe(',');
      expect(comma.columns.map((c) => c.kind)).toEqual(['categorical', 'numeric']);
    });

    it('reads a one-column file, and a given delimiter over the sniffed one', () => {
      const one = parseCsv('x\n1\n2\n', 'f.csv');
      expect(one.columns.map((c) => c.name)).toEqual(['x']);
      expect(rowsOf(one)).toEqual([[1], [2]]);
      const forced = parseCsv('a;b,c\n1;2,3\n4;5,6\n', 'f.csv', { delimiter: ';' });
      expect(forced.header).toEqual(['a', 'b,c']);
      expect(rowsOf(forced)[0][0]).toBe(1);
      expect(forced.columns[1].kind).toBe('categorical');
    });

    it('names the delimiter in width errors, tab as a word', () => {
      expect(thrown(() => parseCsv('a\tb\n1\t2\n3\t4\t5\n', 'f.csv')).message).toBe('f.csv: line 3 has 3 cells, expected 2 as on line 1 (delimiter tab)');
    });
  });

  describe('categorical columns', () => {
    it('a column of numbers with a word in it is a typo, refused naming the cell, not read as categories', () => {
      expect(() => parseCsv('a,b\n1,2\n3,four\n5,6\n', 'f.csv')).toThrow("f.csv: line 3, column 2 (b): 'four' is not a number, though 2 of the column's 3 cells are; fix the cell, write it as missing (NA) and use --missing, or read the column as categories with --categorical b");
      // Named by --categorical, the same column is categories.
      expect(parseCsv('a,b\n1,2\n3,four\n5,6\n', 'f.csv', { categorical: ['b'] }).columns[1]).toMatchObject({ kind: 'categorical', labels: ['2', '6', 'four'] });
    });

    it('makes a column with a text cell categorical: labels sorted, numbers numerically before text', () => {
      const t = parseCsv('size,color\n1,red\n2,10\n3,9\n4,blue\n5,red\n', 'f.csv');
      expect(t.header).toEqual(['size', 'color']);
      const color = t.columns[1];
      expect(color).toMatchObject({ name: 'color', kind: 'categorical', labels: ['9', '10', 'blue', 'red'] });
      expect(categories(t, 'color')).toEqual(['red', '10', '9', 'blue', 'red']);
      expect(t.columns[0].kind).toBe('numeric');
    });

    it('--categorical forces numeric columns by name or index, negative from the end', () => {
      const text = 'zip,age,y\n94110,30,a\n10001,40,b\n94110,50,a\n';
      const byName = parseCsv(text, 'f.csv', { categorical: ['zip'], labelColumn: 'y' });
      expect(byName.columns.map((c) => c.kind)).toEqual(['categorical', 'numeric']);
      expect(byName.columns[0]).toMatchObject({ labels: ['10001', '94110'], codes: Int32Array.from([1, 0, 1]) });
      const byIndex = parseCsv(text, 'f.csv', { categorical: [0, -2] });
      expect(byIndex.columns.map((c) => c.kind)).toEqual(['categorical', 'categorical', 'categorical']);
    });

    it('refuses --categorical naming the label column, an unknown name or an index out of range', () => {
      const text = 'zip,y\n1,a\n2,b\n';
      expect(thrown(() => parseCsv(text, 'f.csv', { categorical: ['y'], labelColumn: 'y' })).message).toBe("f.csv: categorical column 'y' is the label column; --categorical names feature columns");
      expect(thrown(() => parseCsv(text, 'f.csv', { categorical: ['zap'] })).message).toBe("f.csv: no column named 'zap'; the header has zip, y");
      expect(thrown(() => parseCsv(text, 'f.csv', { categorical: [2] })).message).toMatch(/categorical column 2 is out of range; the file has 2 columns/);
    });

    it('detects headers over categorical columns by the rule in parseCsv', () => {
      // Text over a numeric column: a header, whatever the categorical column holds.
      expect(parseCsv('color,size\nred,1\nblue,2\n', 'f.csv').header).toEqual(['color', 'size']);
      // A first record holding a number in a numeric column and text that is a category: data.
      const data = parseCsv('red,1\nblue,2\nred,3\n', 'f.csv');
      expect(data.header).toBeUndefined();
      expect(data.n).toBe(3);
      expect(parseCsv('5,red\n6,blue\n7,green\n', 'f.csv').header).toBeUndefined();
      // All text: a header when none of its cells is one of its column's values below.
      expect(parseCsv('color,shape\nred,round\nblue,square\n', 'f.csv').header).toEqual(['color', 'shape']);
      const allText = parseCsv('red,round\nblue,square\nred,square\n', 'f.csv');
      expect(allText.header).toBeUndefined();
      expect(categories(allText, 'column 1')).toEqual(['red', 'blue', 'red']);
      // A label column named by a cell of the first record makes it a header.
      expect(parseCsv('kind,y\nred,a\nblue,b\n', 'f.csv', { labelColumn: 'y' }).header).toEqual(['kind', 'y']);
    });

    it('numericMatrix refuses a categorical column, naming it and a value', () => {
      const t = parseCsv('a,color\n1,red\n2,blue\n', 'f.csv');
      expect(thrown(() => numericMatrix(t, 'f.csv')).message).toBe("f.csv: categorical column 'color' (text values such as 'blue'): only numeric columns are read here");
      const zip = parseCsv('zip,town,a\n1,x,2\n3,y,4\n', 'f.csv', { categorical: ['zip'] });
      expect(thrown(() => numericMatrix(zip, 'f.csv')).message).toBe("f.csv: categorical columns 'zip' (values such as '1', named by --categorical), 'town' (text values such as 'x'): only numeric columns are read here");
      expect(numericMatrix(parseCsv('a,b\n1,2\n3,4.5\n', 'f.csv'), 'f.csv')).toEqual(Float32Array.from([1, 2, 3, 4.5]));
      // Cells holding another delimiter: the message says which one the file was split on.
      const semi = parseCsv('a;b\n1;2\n3;4\n', 'f.csv', { delimiter: ',' });
      expect(thrown(() => numericMatrix(semi, 'f.csv')).message).toBe("f.csv: categorical column 'a;b' (text values such as '1;2'): only numeric columns are read here (split on ','; if the cells are separated by ';', give --delimiter ;)");
      // A quoted cell's newline stays out of the message: errors are one line.
      const multiline = parseCsv('a,"b\nc"\n1,"x\r\ny"\n', 'f.csv');
      expect(thrown(() => numericMatrix(multiline, 'f.csv')).message).toBe("f.csv: categorical column 'b\\nc' (text values such as 'x\\r\\ny'): only numeric columns are read here");
    });
  });

  describe('missing values', () => {
    // Row 3's a, row 4's b (NA), row 5's color (null) and row 6's b (?) are missing; n/a in row 7 too.
    const text = ['a,b,color,y', '1,10,red,p', ',20,blue,q', '3,NA,red,p', '4,40,null,q', '5,?,blue,p', 'N/a,60,blue,q', '7,nan,red,p'].join('\n');

    it('error (the default) names the file, the line, the column and the way out', () => {
      const err = thrown(() => parseCsv(text, 'in/t.csv', { labelColumn: 'y' }));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toBe('in/t.csv: line 3, column 1 (a): missing value (empty cell); use --missing drop to drop rows with missing cells or --missing mean to fill them');
      expect(thrown(() => parseCsv('1,2\n3,NULL\n', 'f.csv')).message).toMatch(/^f\.csv: line 2, column 2: missing value 'NULL'; use --missing drop/);
    });

    it('drop removes every row with a missing feature cell, labels with them', () => {
      const t = parseCsv(text, 't.csv', { labelColumn: 'y', missing: 'drop' });
      expect(t.n).toBe(1);
      expect(t.missing).toEqual({ cells: 6, rowsDropped: 6, filled: 0 });
      expect(rowsOf(t)[0].slice(0, 2)).toEqual([1, 10]);
      expect(t.labels).toEqual(['p']);
      expect(categories(t, 'color')).toEqual(['red']);
    });

    it('mean fills numeric columns with the mean of their cells and categorical ones with the most frequent value', () => {
      const t = parseCsv(text, 't.csv', { labelColumn: 'y', missing: 'mean' });
      expect(t.n).toBe(7);
      expect(t.missing).toEqual({ cells: 6, rowsDropped: 0, filled: 6 });
      const meanA = (1 + 3 + 4 + 5 + 7) / 5;
      const meanB = (10 + 20 + 40 + 60) / 4;
      expect(rowsOf(t).map((r) => r[0])).toEqual([1, meanA, 3, 4, 5, meanA, 7]);
      expect(rowsOf(t).map((r) => r[1])).toEqual([10, 20, meanB, 40, meanB, 60, meanB]);
      // blue and red are 3 each: a tie goes to the first in sorted order, blue.
      expect(categories(t, 'color')).toEqual(['red', 'blue', 'red', 'blue', 'blue', 'blue', 'red']);
      expect(t.columns[2]).toMatchObject({ labels: ['blue', 'red'] });
    });

    it('refuses a missing label whatever the policy, an all-missing column, and a drop that leaves nothing', () => {
      expect(thrown(() => parseCsv('a,y\n1,p\n2,NA\n', 'f.csv', { labelColumn: 'y', missing: 'drop' })).message).toBe("f.csv: line 3, column 2 (y): missing label 'NA'; every row needs a label");
      expect(thrown(() => parseCsv('a,y\n1,\n', 'f.csv', { labelColumn: 'y' })).message).toBe('f.csv: line 2, column 2 (y): empty label; every row needs a label');
      expect(thrown(() => parseCsv('a,b,c\n1,,2\n3,NA,4\n', 'f.csv', { missing: 'mean' })).message).toBe(
        'f.csv: column 2 (b) has no values: every cell is empty or a missing marker (NA, N/A, NaN, null, ?); remove the column',
      );
      expect(thrown(() => parseCsv('a,b\n1,\n,2\n', 'f.csv', { missing: 'drop' })).message).toBe('f.csv: every one of the 2 rows has a missing cell, so --missing drop leaves none; use --missing mean to fill them');
    });
  });

  it('reads flag values: delimiters, shapes and column lists', () => {
    expect([',', 'comma', ';', 'semicolon', 'tab', 'TAB', '\\t', '\t'].map((d) => parseDelimiter(d, '--delimiter'))).toEqual([',', ',', ';', ';', '\t', '\t', '\t', '\t']);
    expect(thrown(() => parseDelimiter('|', '--delimiter')).message).toBe("--delimiter: unknown delimiter '|'; expected , (comma), ; (semicolon) or tab");
    expect(parseShape('8x8', '--shape')).toEqual([8, 8, 1]);
    expect(parseShape('32X32x3', '--shape')).toEqual([32, 32, 3]);
    for (const bad of ['8', '8x0', '8x8x2', '8x8x1x1', 'axb']) expect(thrown(() => parseShape(bad, '--shape')).message).toMatch(/^--shape: '.*' is not an image shape; expected HxW or HxWxC/);
    expect(parseColumnList('zip, 3,-1', '--categorical')).toEqual(['zip', 3, -1]);
    expect(csvFlagsGiven({ missing: 'drop', delimiter: '\t', shape: [8, 8, 1], categorical: ['zip', 3], name: 'x.npy' } as never)).toEqual(['--delimiter tab', '--categorical zip,3', '--missing drop', '--shape 8x8']);
    expect(thrown(() => parseColumnList('a,,b', '--categorical')).message).toMatch(/^--categorical: 'a,,b' is not a list of columns/);
  });

  const malformed: [string, string, RegExp, CsvOptions?][] = [
    ['an empty file', '\n \n', /empty file/],
    ['ragged rows', 'a,b\n1,2\n3\n', /line 3 has 1 cells, expected 2 as on line 1 \(delimiter ','\)$/],
    ['Inf', '1,-inf\n3,4\n', /line 1, column 2: non-finite value '-inf'/],
    ['an overflowing number', '1,1e999\n2,3\n', /line 1, column 2: non-finite value '1e999'/],
    ['a number beyond float32', '1,2e38\n2,4e38\n', /line 2, column 2: '4e38' is beyond float32's range/],
    ['an unknown label name', 'a,b\n1,2\n', /no column named 'y'; the header has a, b/, { labelColumn: 'y' }],
    ['a label name without a header', '1,2\n', /label column 'y' is a name, but the first row is data/, { labelColumn: 'y' }],
    ['a label index out of range', '1,2\n', /label column 2 is out of range; the file has 2 columns \(0-based 0\.\.1, or -2\.\.-1 from the end\)/, { labelColumn: 2 }],
    ['a header without data', 'a,b\n', /a header on line 1 but no data rows/],
    ['a label column and no features', 'y\nA\n', /the label column is the only column/, { labelColumn: 'y' }],
  ];
  for (const [what, text, message, opts] of malformed) {
    it(`rejects ${what} with a DataError naming the file`, () => {
      const err = thrown(() => parseCsv(text, 'in/data.csv', opts));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(/^in\/data\.csv: /);
      expect(err.message).toMatch(message);
    });
  }
});

describe('CSV datasets', () => {
  const { remove, write } = tempFolder();
  afterAll(remove);
  // 12 rows: feature a = i^2 (skewed, so the train mean differs from the whole file's), b = 5 constant, label text.
  const rows = Array.from({ length: 12 }, (_, i) => `${i * i},5,${['bird', 'ant', 'cat'][i % 3]}`);
  const file = write('animals.csv', ['a,b,kind', ...rows].join('\n'));
  const opts = { name: file, seed: 3, testFraction: 0.25, labelColumn: 'kind' };

  it('splits with the seed and names labels by their sorted distinct values', () => {
    const ds = loadDataset(opts);
    expect(ds).toMatchObject({ name: 'animals.csv', kind: 'tabular', shape: [2], labelNames: ['ant', 'bird', 'cat'] });
    expect([ds.train.n, ds.test.n]).toEqual([9, 3]);
    expect(loadDataset(opts)).toEqual(ds);
    expect(loadDataset({ ...opts, seed: 4 }).train.x).not.toEqual(ds.train.x);
    // Raw rows and their labels stay together through the shuffle.
    const raw = loadDataset({ ...opts, standardize: false });
    for (const s of [raw.train, raw.test]) {
      s.labels!.forEach((label, k) => {
        const i = Math.round(Math.sqrt(s.x[2 * k]));
        expect(raw.labelNames![label]).toBe(['bird', 'ant', 'cat'][i % 3]);
      });
    }
  });

  it('standardizes with stats from the train split only', () => {
    const raw = loadDataset({ ...opts, standardize: false });
    expect(raw.preprocessing).toEqual({ kind: 'none' });
    const trainA = Array.from({ length: raw.train.n }, (_, k) => raw.train.x[2 * k]);
    const mean = trainA.reduce((s, v) => s + v, 0) / trainA.length;
    const std = Math.sqrt(trainA.reduce((s, v) => s + (v - mean) ** 2, 0) / trainA.length);
    const fileMean = 506 / 12; // sum of i^2 for i < 12, over 12 rows
    expect(Math.abs(mean - fileMean)).toBeGreaterThan(1); // so the check below can tell the two apart

    const ds = loadDataset(opts); // standardize defaults to true for tabular data
    if (ds.preprocessing.kind !== 'standardize') throw new Error('expected standardization');
    expect(ds.preprocessing.mean[0]).toBeCloseTo(mean, 4);
    expect(ds.preprocessing.std[0]).toBeCloseTo(std, 4);
    expect(ds.preprocessing.std[1]).toBe(1); // the constant column divides by 1, not 0
    for (const [s, r] of [[ds.train, raw.train], [ds.test, raw.test]] as const) {
      for (let k = 0; k < s.n; k++) {
        expect(s.x[2 * k]).toBeCloseTo((r.x[2 * k] - mean) / std, 5);
        expect(s.x[2 * k + 1]).toBe(0);
      }
    }
  });

  it('reads gzipped CSV and labels by column index', () => {
    const ds = loadDataset({ ...opts, name: write('animals.csv.gz', gzip(Buffer.from(['a,b,kind', ...rows].join('\n')))), labelColumn: 2 });
    expect(ds.labelNames).toEqual(['ant', 'bird', 'cat']);
    expect(ds.train.n + ds.test.n).toBe(12);
  });
});

describe('CSV rows as images (--shape) and missing cells through loadDataset', () => {
  const { remove, write } = tempFolder();
  afterAll(remove);
  // scikit-learn's digits as its CSV export has them: a count line, a header, 64 pixel values in 0..16 and the digit.
  const pixels = (i: number) => Array.from({ length: 64 }, (_, p) => (i * 7 + p * 3) % 17);
  const digits = ['12,64,0,1,2', [...Array.from({ length: 64 }, (_, p) => `pixel_${p >> 3}_${p & 7}`), 'target'].join(','), ...Array.from({ length: 12 }, (_, i) => [...pixels(i), i % 3].join(','))].join('\n');
  const file = write('digits.csv', digits);
  const opts = { name: file, seed: 1, testFraction: 0.25, skipRows: 1, labelColumn: -1 };

  it('reads 64 columns as 8x8 grey images scaled by 1/16, labels kept', () => {
    const ds = loadDataset({ ...opts, shape: [8, 8, 1] });
    expect(ds).toMatchObject({ kind: 'image', shape: [8, 8, 1], preprocessing: { kind: 'scale', scale: 1 / 16 }, labelNames: ['0', '1', '2'] });
    const raw = loadDataset({ ...opts, standardize: false });
    expect(raw.kind).toBe('tabular');
    expect(ds.train.x).toEqual(Float32Array.from(raw.train.x, (v) => v * (1 / 16)));
    expect(Math.max(...ds.train.x)).toBe(1);
  });

  it('refuses a shape that does not hold every feature column, and negative pixels', () => {
    expect(thrown(() => loadDataset({ ...opts, shape: [8, 4, 1] })).message).toBe(`--shape 8x4: 32 values per example, but ${file} has 64 feature columns; expected H x W x C = 64`);
    expect(thrown(() => loadDataset({ ...opts, shape: [4, 4, 3] })).message).toMatch(/^--shape 4x4x3: 48 values per example/);
    const negative = write('negative.csv', 'a,b,c,d\n0,1,2,3\n-1,0,1,2\n');
    expect(thrown(() => loadDataset({ name: negative, seed: 1, testFraction: 0.25, shape: [2, 2, 1] })).message).toBe(`--shape 2x2: image pixels must be >= 0, and ${negative} has the value -1; drop --shape to model the columns as a table`);
  });

  it('says in the source what the missing policy did', () => {
    const gaps = write('gaps.csv', 'a;b\n1;2\n;4\n5;6\n7;NA\n9;12\n');
    expect(loadDataset({ name: gaps, seed: 1, testFraction: 0.25, missing: 'drop' }).source).toMatch(/; 2 row\(s\) with missing cells dropped$/);
    const filled = loadDataset({ name: gaps, seed: 1, testFraction: 0.25, missing: 'mean', standardize: false });
    expect(filled.source).toMatch(/; 2 missing cell\(s\) filled/);
    const pairs = [filled.train, filled.test].flatMap((s) => Array.from({ length: s.n }, (_, i) => [s.x[2 * i], s.x[2 * i + 1]]));
    // a's mean of 1, 5, 7, 9 is 5.5; b's of 2, 4, 6, 12 is 6.
    expect(pairs).toEqual(expect.arrayContaining([[5.5, 4], [7, 6]]));
    expect(pairs).toHaveLength(5);
  });
});

describe('parseCsv on mutated text (seeded)', () => {
  // Quotes with delimiters, newlines and doubled quotes inside, a BOM, CRLF, missing markers and a categorical column.
  const base = '\uFEFFjunk line\r\nsize;"col""or";note;y\r\n1.5;red;"a;b";p\r\n2;NA;"two\r\nlines";q\r\n;blue;"say ""hi""";p\r\n4e1;red;?;q\r\n';
  const pieces = [';', ',', '\t', '"', '""', '\r\n', '\n', 'NA', '', '1e999', '-', '\uFEFF', 'x'];

  it('ends every case in a table that holds together or a one-line DataError naming the file', () => {
    const rng = new Rng('csv-parser-mutations');
    const seen = { ok: 0, error: 0 };
    for (let i = 0; i < 600; i++) {
      let text = base;
      for (let m = 1 + rng.int(3); m > 0; m--) {
        const at = rng.int(text.length + 1);
        const cut = rng.uniform() < 0.5 ? rng.int(4) : 0;
        text = text.slice(0, at) + pieces[rng.int(pieces.length)] + text.slice(at + cut);
      }
      const opts: CsvOptions = { skipRows: rng.int(3), labelColumn: rng.uniform() < 0.5 ? -1 : undefined, missing: MISSING_POLICIES[rng.int(3)] };
      let t: CsvTable;
      try {
        t = parseCsv(text, 'm.csv', opts);
      } catch (err) {
        expect(err, `case ${i}`).toBeInstanceOf(DataError);
        expect((err as Error).message, `case ${i}`).toMatch(/^m\.csv: [^\n]+$/);
        seen.error++;
        continue;
      }
      seen.ok++;
      expect(t.n).toBeGreaterThan(0);
      if (t.labels) expect(t.labels).toHaveLength(t.n);
      for (const c of t.columns) {
        if (c.kind === 'numeric') {
          expect(c.values).toHaveLength(t.n);
          expect(c.values.every(Number.isFinite), `case ${i}: ${c.name}`).toBe(true); // missing cells dropped or filled
        } else {
          expect(c.codes).toHaveLength(t.n);
          expect(c.codes.every((k) => k >= 0 && k < c.labels.length), `case ${i}: ${c.name}`).toBe(true);
          expect([...c.labels].sort(compareForTest)).toEqual(c.labels);
        }
      }
      expect(t.missing.rowsDropped + t.n).toBeLessThanOrEqual(text.split('\n').length);
    }
    expect(seen.ok).toBeGreaterThan(50);
    expect(seen.error).toBeGreaterThan(50);
  });
});

/** The category order stated in CsvColumn's doc: numbers numerically, then text by code unit. */
function compareForTest(a: string, b: string): number {
  const num = (s: string) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()) ? Number(s) : NaN);
  const [x, y] = [num(a), num(b)];
  if (!Number.isNaN(x) && !Number.isNaN(y) && x !== y) return x - y;
  if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
