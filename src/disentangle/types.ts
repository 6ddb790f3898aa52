/** The arrays the disentanglement metrics read: codes and factors as row-major tables, and the encoder as a function. */
export type { GroundTruth } from '../data/factors.js';

/** A row-major table [n, dim]: codes [N, L] or factor values [N, K]. */
export interface Table {
  data: Float32Array;
  n: number;
  dim: number;
}

/** Codes of examples: the encoder mean of each row of x [n, D], as [n, L]. */
export type Represent = (x: Float32Array, n: number) => Float32Array;

/** Column j of a table as a new array [n]. */
export function column(t: Table, j: number): Float32Array {
  const out = new Float32Array(t.n);
  for (let i = 0; i < t.n; i++) out[i] = t.data[i * t.dim + j];
  return out;
}

/** Checks that codes and factors have the same number of rows, with a RangeError naming both. */
export function checkRows(codes: Table, factors: Table): void {
  if (codes.n !== factors.n) throw new RangeError(`${codes.n} code rows for ${factors.n} factor rows; expected one code per example`);
  if (codes.data.length !== codes.n * codes.dim) throw new RangeError(`codes: ${codes.data.length} values for [${codes.n}, ${codes.dim}]`);
  if (factors.data.length !== factors.n * factors.dim) throw new RangeError(`factors: ${factors.data.length} values for [${factors.n}, ${factors.dim}]`);
}
