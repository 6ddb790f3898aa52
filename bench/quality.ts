/**
 * `npm run bench:quality [-- --budget-minutes 20]`: do vaekit's numbers match the published ones?
 * (a) mnist-vae-pytorch for 10 epochs: test loss per image against pytorch/examples (127.3 after epoch 1, 105.6 after 10).
 * (b) the iwae-paper VAE and IWAE (k = 50), each trained within a time budget on dynamically binarized MNIST, then
 *     the NLL with k = 5000 importance samples on the test set binarized once with a fixed seed, against Burda et
 *     al.'s 86.76 and 84.78 (reached after their full 3,280-epoch schedule), and the active units.
 * Prints a markdown table and writes bench/results/quality-<date>.json.
 *
 * Options: --budget-minutes M (per iwae-paper model, default 20), --pytorch-epochs N (default 10; 0 skips (a)),
 * --k N (default 5000), --nll-examples N (default all 10,000), --limit N (train the iwae-paper models on the first
 * N training examples, for a quick look), --only vae|iwae, --backend NAME (default auto), --runs DIR (keep the run
 * folders there; default a temporary folder that is removed).
 * The full schedule of either model: `vaekit train --preset iwae-paper [--objective iwae --k 50] --out RUN`
 * (resumable with `--resume RUN`), then `vaekit eval RUN --nll --k 5000`; or this script with a large budget.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, Rng, type BackendName } from '../src/engine/index.js';
import { resolveConfig, type RunConfig } from '../src/config/index.js';
import { loadDataset, type Dataset } from '../src/data/index.js';
import { train, BURDA_EPOCHS, type EpochMetrics } from '../src/train/index.js';
import { countActiveUnits, estimateNll, testExamples } from '../src/evaluate/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Published reference numbers (nats per example). */
const ANCHORS = {
  pytorchEpoch1: 127.3,
  pytorchEpoch10: 105.6,
  burdaVae: 86.76,
  burdaIwae: 84.78,
};

interface Options {
  budgetMinutes: number;
  pytorchEpochs: number;
  k: number;
  nllExamples?: number;
  limit?: number;
  only?: 'vae' | 'iwae';
  backend: BackendName | 'auto';
  runs?: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { budgetMinutes: 20, pytorchEpochs: 10, k: 5000, backend: 'auto' };
  const num = (flag: string, v: string | undefined, integer: boolean): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
      throw new Error(`${flag}: '${v}' is not a ${integer ? 'non-negative integer' : 'non-negative number'}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const v = argv[i + 1];
    switch (flag) {
      case '--budget-minutes': opts.budgetMinutes = num(flag, v, false); i++; break;
      case '--pytorch-epochs': opts.pytorchEpochs = num(flag, v, true); i++; break;
      case '--k': opts.k = Math.max(1, num(flag, v, true)); i++; break;
      case '--nll-examples': opts.nllExamples = num(flag, v, true); i++; break;
      case '--limit': opts.limit = num(flag, v, true); i++; break;
      case '--only':
        if (v !== 'vae' && v !== 'iwae') throw new Error(`--only: '${v}' is not vae or iwae`);
        opts.only = v; i++; break;
      case '--backend': opts.backend = v as BackendName; i++; break;
      case '--runs': opts.runs = v; i++; break;
      default: throw new Error(`unknown option '${flag}'`);
    }
  }
  return opts;
}

const log = (line: string) => process.stderr.write(line + '\n');
const f = (x: number | undefined, digits = 2) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));

/** The dataset with only the first `limit` training examples (the test split whole). */
function limitTrain(ds: Dataset, limit: number | undefined): Dataset {
  if (limit === undefined || limit >= ds.train.n) return ds;
  const d = ds.shape.reduce((a, b) => a * b, 1);
  return { ...ds, train: { x: ds.train.x.subarray(0, limit * d), n: limit, labels: ds.train.labels?.subarray(0, limit) } };
}

function epochLog(name: string, total: number) {
  return (m: EpochMetrics) =>
    log(`  ${name} epoch ${m.epoch}/${total}  lr ${m.lr?.toExponential(2)}  train ${f(m.train.loss)}  test ${f(m.test.loss)}  ${Math.round(m.samplesPerSecond)} samples/s  ${m.elapsedSeconds.toFixed(0)} s`);
}

async function pytorchRun(opts: Options, runs: string, backend: string) {
  const config = resolveConfig({ preset: 'mnist-vae-pytorch', overrides: { train: { epochs: opts.pytorchEpochs } } });
  const dataset = loadDataset({ ...config.data, seed: config.train.seed });
  log(`(a) mnist-vae-pytorch, ${opts.pytorchEpochs} epochs`);
  const t0 = performance.now();
  const { model, history } = await train({ config, dataset, runDir: path.join(runs, 'mnist-vae-pytorch'), backend, onEpoch: epochLog('mnist-vae-pytorch', opts.pytorchEpochs) });
  model.dispose();
  return {
    preset: 'mnist-vae-pytorch',
    epochs: history.length,
    minutes: (performance.now() - t0) / 60_000,
    testLossEpoch1: history[0]?.test.loss,
    testLossLast: history.at(-1)?.test.loss,
    anchorEpoch1: ANCHORS.pytorchEpoch1,
    anchorEpoch10: ANCHORS.pytorchEpoch10,
    samplesPerSecond: history.at(-1)?.samplesPerSecond,
  };
}

async function iwaePaperRun(opts: Options, runs: string, backend: string, objective: 'vae' | 'iwae', full: Dataset, config: RunConfig) {
  const name = objective === 'vae' ? 'iwae-paper VAE' : 'iwae-paper IWAE (k=50)';
  const dataset = limitTrain(full, opts.limit);
  log(`(b) ${name}: budget ${opts.budgetMinutes} min, ${dataset.train.n} training examples`);
  const budgetMs = opts.budgetMinutes * 60_000;
  const t0 = performance.now();
  const { model, history } = await train({
    config,
    dataset,
    runDir: path.join(runs, objective === 'vae' ? 'iwae-paper-vae' : 'iwae-paper-iwae'),
    backend,
    onEpoch: epochLog(name, config.train.epochs),
    shouldStop: () => performance.now() - t0 >= budgetMs,
  });
  const trainMinutes = (performance.now() - t0) / 60_000;
  try {
    const seed = config.train.seed;
    const { x, n } = testExamples({ dataset: full, seed, binarizeData: true, limit: opts.nllExamples });
    log(`  NLL: ${n} test examples x ${opts.k} importance samples`);
    const t1 = performance.now();
    let lastTenth = -1;
    const nll = estimateNll({
      model,
      x,
      k: opts.k,
      rng: new Rng(`${seed}:nll`),
      onProgress: ({ done, total }) => {
        const tenth = Math.floor((10 * done) / total);
        if (tenth !== lastTenth) log(`  NLL ${10 * tenth}% (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
        lastTenth = tenth;
      },
    });
    const nllSeconds = (performance.now() - t1) / 1000;
    const active = countActiveUnits({ model, x: testExamples({ dataset: full, seed, binarizeData: true }).x });
    return {
      preset: 'iwae-paper',
      objective: config.model.kind === 'vae' ? config.model.objective : undefined,
      trainExamples: dataset.train.n,
      epochs: history.length,
      scheduleEpochs: BURDA_EPOCHS,
      lastLr: history.at(-1)?.lr,
      trainMinutes,
      testLoss: history.at(-1)?.test.loss,
      nll: nll.nll,
      nllStdErr: nll.nllStdErr,
      k: nll.k,
      nllExamples: nll.n,
      nllSeconds,
      activeUnits: active.activeUnits,
      latent: model.latentDim,
      anchor: objective === 'vae' ? ANCHORS.burdaVae : ANCHORS.burdaIwae,
    };
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const choice = await initBackend(opts.backend);
  for (const n of choice.notices) log(`notice: ${n}`);
  log(`backend: ${choice.name}`);
  const runs = opts.runs ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vaekit-quality-'));
  const started = new Date();
  try {
    const pytorch = opts.pytorchEpochs > 0 ? await pytorchRun(opts, runs, choice.name) : undefined;
    const iwae: Awaited<ReturnType<typeof iwaePaperRun>>[] = [];
    for (const objective of ['vae', 'iwae'] as const) {
      if (opts.only && opts.only !== objective) continue;
      const config = resolveConfig({ preset: 'iwae-paper', overrides: { model: { objective: objective === 'vae' ? { kind: 'elbo' } : { kind: 'iwae', k: 50 } } } });
      const full = loadDataset({ ...config.data, seed: config.train.seed });
      iwae.push(await iwaePaperRun(opts, runs, choice.name, objective, full, config));
    }

    const lines: string[] = [];
    lines.push(`## vaekit quality, ${started.toISOString()} (backend ${choice.name})`, '');
    if (pytorch) {
      lines.push('| run | epochs | minutes | test loss, epoch 1 (anchor) | test loss, last epoch (anchor at 10) |', '|---|---:|---:|---:|---:|');
      lines.push(`| mnist-vae-pytorch | ${pytorch.epochs} | ${f(pytorch.minutes, 1)} | ${f(pytorch.testLossEpoch1)} (${ANCHORS.pytorchEpoch1}) | ${f(pytorch.testLossLast)} (${ANCHORS.pytorchEpoch10}) |`, '');
    }
    if (iwae.length > 0) {
      lines.push(
        `| run | train examples | epochs reached (of ${BURDA_EPOCHS}) | train minutes | last lr | test -bound | NLL, k=${opts.k} (+- se) | NLL examples | Burda NLL | active units |`,
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      );
      for (const r of iwae) {
        const what = r.objective?.kind === 'iwae' ? `IWAE (k=${r.objective.k})` : 'VAE';
        lines.push(
          `| iwae-paper ${what} | ${r.trainExamples} | ${r.epochs} | ${f(r.trainMinutes, 1)} | ${r.lastLr?.toExponential(2) ?? '-'} | ${f(r.testLoss)} | ${f(r.nll)} +- ${f(r.nllStdErr)} | ${r.nllExamples} | ${r.anchor} | ${r.activeUnits}/${r.latent} |`,
        );
      }
      lines.push('', `Burda's numbers come after the full ${BURDA_EPOCHS}-epoch schedule; a budgeted run stops early, so its NLL is higher.`);
    }
    const table = lines.join('\n');
    console.log(table);
    const dir = path.join(here, 'results');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = started.toISOString().slice(0, 16).replace(':', '');
    const file = path.join(dir, `quality-${stamp}.json`);
    const json = { date: started.toISOString(), backend: choice.name, cpu: os.cpus()[0]?.model, options: opts, anchors: ANCHORS, pytorch, iwaePaper: iwae, table };
    fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
    console.log(`\nwrote ${path.relative(path.resolve(here, '..'), file)}`);
  } finally {
    if (!opts.runs) fs.rmSync(runs, { recursive: true, force: true });
  }
}

await main();
