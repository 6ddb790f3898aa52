/**
 * A small generated tabular dataset for the README's worked example: 8 features driven by 2 hidden factors (normal
 * data), and a test file where some rows come from an anomalous cluster off that 2-D structure.
 *
 * `npx tsx examples/make-tabular.ts [--out DIR] [--n 2000] [--seed 1]` writes DIR/tabular-train.csv (normal rows only,
 * no label) and DIR/tabular-test.csv (normal rows and 10% anomalies, label column `anomaly` = 0 or 1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/engine/rng.js';

export const FEATURES = 8;

/** The fixed map from the 2 hidden factors to the 8 features (rows: features). */
const LOADINGS = [
  [1.0, 0.2], [0.8, -0.5], [0.3, 1.0], [-0.6, 0.7], [0.5, 0.5], [-1.0, 0.1], [0.2, -0.9], [0.9, 0.9],
];

/** One normal row: features = LOADINGS * f + noise, with f ~ N(0, I) and a small curvature so a linear model is not enough. */
function normalRow(rng: Rng): number[] {
  const f = [rng.normal(), rng.normal()];
  return LOADINGS.map(([a, b], j) => 5 + a * f[0] + b * f[1] + 0.3 * (j % 2 === 0 ? f[0] * f[0] : 0) + 0.1 * rng.normal());
}

/** One anomalous row: a cluster centred off the normal data's plane, with the same noise. */
function anomalousRow(rng: Rng): number[] {
  return LOADINGS.map((_, j) => 5 + (j % 3 === 0 ? 1.5 : -1.2) + 0.4 * rng.normal());
}

/**
 * The two CSV texts.
 *
 * @example
 * const { train, test } = makeTabular({ n: 2000, seed: 1 }); // train: 2000 normal rows; test: n/2 rows, 10% anomalies
 */
export function makeTabular({ n = 2000, seed = 1, anomalyFraction = 0.1 }: { n?: number; seed?: number; anomalyFraction?: number } = {}): { train: string; test: string } {
  const rng = new Rng(seed);
  const header = Array.from({ length: FEATURES }, (_, j) => `x${j + 1}`);
  const fmtRow = (row: number[]) => row.map((v) => v.toFixed(4)).join(',');
  const train = [header.join(','), ...Array.from({ length: n }, () => fmtRow(normalRow(rng)))].join('\n') + '\n';
  const nTest = Math.max(2, Math.floor(n / 2));
  const testRows = Array.from({ length: nTest }, (_, i) => {
    const anomalous = i % Math.round(1 / anomalyFraction) === 0;
    return `${fmtRow(anomalous ? anomalousRow(rng) : normalRow(rng))},${anomalous ? 1 : 0}`;
  });
  const test = [[...header, 'anomaly'].join(','), ...testRows].join('\n') + '\n';
  return { train, test };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const arg = (flag: string, fallback: string) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
  };
  const out = arg('--out', 'data');
  const { train, test } = makeTabular({ n: Number(arg('--n', '2000')), seed: Number(arg('--seed', '1')) });
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'tabular-train.csv'), train);
  writeFileSync(path.join(out, 'tabular-test.csv'), test);
  console.log(`wrote ${path.join(out, 'tabular-train.csv')} and ${path.join(out, 'tabular-test.csv')}`);
}
