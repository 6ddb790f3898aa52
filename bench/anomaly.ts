/**
 * `npm run bench:anomaly [-- --epochs 10 --limit 60000 --digits 0,1,...,9]`: MNIST with one digit left out of training
 * as the anomaly class. For each left-out digit, a mnist-vae is trained on the other nine, then every test image is
 * scored (negative ELBO, and the reconstruction's squared error) and the ROC AUC of "is the left-out digit" is
 * reported. Prints a markdown table and writes bench/results/anomaly-<time>.json and .md.
 *
 * Options: --epochs N (default 10), --limit N (the first N training examples before removing the digit; default all
 * 60,000), --test-limit N (the first N test images; default all 10,000), --digits LIST (default 0..9),
 * --preset NAME (default mnist-vae), --backend NAME (default auto).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, Rng, type BackendName } from '../src/engine/index.js';
import { resolveConfig } from '../src/config/index.js';
import { exampleSize, gather, loadDataset, type Dataset, type DataSplit } from '../src/data/index.js';
import { train } from '../src/train/index.js';
import { anomalyScores, rocCurve } from '../src/evaluate/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Options {
  epochs: number;
  limit?: number;
  testLimit?: number;
  digits: number[];
  preset: string;
  backend: BackendName | 'auto';
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { epochs: 10, digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], preset: 'mnist-vae', backend: 'auto' };
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 1) throw new Error(`${flag}: '${v}' is not a positive integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const v = argv[i + 1];
    switch (flag) {
      case '--epochs': opts.epochs = int(flag, v); i++; break;
      case '--limit': opts.limit = int(flag, v); i++; break;
      case '--test-limit': opts.testLimit = int(flag, v); i++; break;
      case '--digits':
        opts.digits = (v ?? '').split(',').map((s) => {
          const d = Number(s);
          if (!Number.isInteger(d) || d < 0 || d > 9) throw new Error(`--digits: '${s}' is not a digit 0..9`);
          return d;
        });
        i++;
        break;
      case '--preset': opts.preset = v!; i++; break;
      case '--backend': opts.backend = v as BackendName; i++; break;
      default: throw new Error(`unknown option '${flag}'`);
    }
  }
  return opts;
}

const log = (line: string) => process.stderr.write(line + '\n');

/** The rows of a split whose label passes `keep`. */
function filterSplit(split: DataSplit, d: number, keep: (label: number) => boolean): DataSplit {
  const idx = Int32Array.from(Array.from(split.labels!.keys()).filter((i) => keep(split.labels![i])));
  return { ...gather(split, idx, d), n: idx.length };
}

function firstN(split: DataSplit, d: number, n: number | undefined): DataSplit {
  if (n === undefined || n >= split.n) return split;
  return { x: split.x.subarray(0, n * d), labels: split.labels?.subarray(0, n), n };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const { name: backend } = await initBackend(opts.backend);
  const config = resolveConfig({ preset: opts.preset, overrides: { train: { epochs: opts.epochs } } });
  const full = loadDataset({ ...config.data, seed: config.train.seed });
  const d = exampleSize(full);
  const trainAll = firstN(full.train, d, opts.limit);
  const test = firstN(full.test, d, opts.testLimit);
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'vaekit-bench-anomaly-'));
  log(`backend ${backend}; ${opts.preset}, ${opts.epochs} epochs, ${trainAll.n} training and ${test.n} test images`);
  const rows: { digit: number; trainExamples: number; epochs: number; aucElbo: number; aucReconstruction: number; anomalies: number; seconds: number; testLoss: number }[] = [];
  try {
    for (const digit of opts.digits) {
      const t0 = performance.now();
      const dataset: Dataset = { ...full, train: filterSplit(trainAll, d, (l) => l !== digit), test };
      const { model, history } = await train({ config, dataset, runDir: path.join(runs, `without-${digit}`), backend });
      try {
        const anomalous = Array.from(test.labels!, (l) => l === digit);
        const auc = (score: 'elbo' | 'reconstruction') => rocCurve({ scores: anomalyScores({ model, x: test.x, score, rng: new Rng(`${config.train.seed}:anomaly`) }), anomalous }).auc;
        const row = {
          digit,
          trainExamples: dataset.train.n,
          epochs: history.length,
          aucElbo: auc('elbo'),
          aucReconstruction: auc('reconstruction'),
          anomalies: anomalous.filter(Boolean).length,
          seconds: (performance.now() - t0) / 1000,
          testLoss: history.at(-1)!.test.loss,
        };
        rows.push(row);
        log(`digit ${digit} left out: AUC ${row.aucElbo.toFixed(4)} (negative ELBO), ${row.aucReconstruction.toFixed(4)} (reconstruction), ${row.seconds.toFixed(0)} s`);
      } finally {
        model.dispose();
      }
    }
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
  const mean = (k: 'aucElbo' | 'aucReconstruction') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  const table = [
    `MNIST, one digit left out of training (${opts.preset}, ${opts.epochs} epochs, ${trainAll.n} training images before removal, ${test.n} test images, backend ${backend})`,
    '',
    '| left-out digit | training images | test anomalies | ROC AUC, negative ELBO | ROC AUC, reconstruction error | seconds |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.digit} | ${r.trainExamples} | ${r.anomalies} | ${r.aucElbo.toFixed(4)} | ${r.aucReconstruction.toFixed(4)} | ${r.seconds.toFixed(0)} |`),
    `| mean | | | ${mean('aucElbo').toFixed(4)} | ${mean('aucReconstruction').toFixed(4)} | |`,
  ].join('\n');
  process.stdout.write(table + '\n');
  const dir = path.join(here, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 13);
  const file = path.join(dir, `anomaly-${stamp}`);
  fs.writeFileSync(`${file}.json`, JSON.stringify({ date: new Date().toISOString(), backend, options: opts, trainImages: trainAll.n, testImages: test.n, rows }, null, 2) + '\n');
  fs.writeFileSync(`${file}.md`, table + '\n');
  log(`wrote ${file}.json and ${file}.md`);
}

await main();
