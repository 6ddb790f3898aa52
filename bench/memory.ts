/**
 * `npm run bench:memory [-- --epochs 30 --preset mnist-vae --backend native --stream 2 --only epochs|stream]`: is resident memory stable over a long run?
 * Runs the real CLI (`vaekit train`, with its per-epoch checkpoints, loss curve and end-of-run figures) in a child
 * process, samples the child's resident set (VmRSS from /proc) every 250 ms, and takes the RSS at each epoch's end
 * (when a line is added to metrics.jsonl). Prints a markdown table with the growth over the second half of the run
 * and writes bench/results/memory-<date>.json. Linux only (/proc).
 *
 * The streaming row (`--stream GIB`, default 2; 0 skips it): writes a GIB-sized float32 .npy of 28x28 images in a
 * temporary folder, trains the mnist-vae MLP on it streamed (`data.stream`) under a memory budget of 256 MiB for a
 * bounded number of batches (`--batches`, default 400) in this process, samples RSS at every batch, reports the
 * kernel's peak (VmHWM) and deletes the file. Writes bench/results/memory-stream-<date>.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);

interface Options {
  epochs: number;
  preset: string;
  backend?: string;
  limit?: number;
  /** Size of the streamed file in GiB (0: no streaming row). */
  streamGiB: number;
  batches: number;
  only?: 'epochs' | 'stream';
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { epochs: 30, preset: 'mnist-vae', streamGiB: 2, batches: 400 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag}: missing value`);
    if (flag === '--stream' || flag === '--batches') {
      const n = Number(value);
      if (!(n >= 0 && Number.isFinite(n))) throw new Error(`${flag}: '${value}' is not a number >= 0`);
      if (flag === '--stream') opts.streamGiB = n;
      else opts.batches = Math.max(1, Math.round(n));
    } else if (flag === '--only') {
      if (value !== 'epochs' && value !== 'stream') throw new Error(`--only: '${value}'; expected epochs or stream`);
      opts.only = value;
    } else if (flag === '--epochs' || flag === '--limit') {
      const n = Number(value);
      if (!(Number.isInteger(n) && n >= 2)) throw new Error(`${flag}: '${value}' is not an integer >= 2`);
      opts[flag === '--epochs' ? 'epochs' : 'limit'] = n;
    } else if (flag === '--preset') opts.preset = value;
    else if (flag === '--backend') opts.backend = value;
    else throw new Error(`unknown option ${flag}; expected --epochs, --preset, --backend, --limit, --stream, --batches or --only`);
  }
  return opts;
}

/** The resident set of process `pid` in MiB (or its peak, `VmHWM`), or undefined once it has exited. */
function rssMiB(pid: number | 'self', field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface EpochSample {
  epoch: number;
  seconds: number;
  rssMiB: number;
  testLoss: number;
}

async function run(opts: Options): Promise<{ epochs: EpochSample[]; peakMiB: number; backend?: string }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vaekit-memory-'));
  const runDir = path.join(out, 'run');
  const args = ['bin/vaekit.js', 'train', '--preset', opts.preset, '--epochs', String(opts.epochs), '--out', runDir, '--json'];
  if (opts.backend) args.push('--backend', opts.backend);
  if (opts.limit) args.push('--limit', String(opts.limit));
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const start = Date.now();
  const epochs: EpochSample[] = [];
  let peak = 0;
  const metricsFile = path.join(runDir, 'metrics.jsonl');
  const timer = setInterval(() => {
    const rss = child.pid === undefined ? undefined : rssMiB(child.pid);
    if (rss === undefined) return;
    peak = Math.max(peak, rss);
    if (!fs.existsSync(metricsFile)) return;
    const lines = fs.readFileSync(metricsFile, 'utf8').split('\n').filter(Boolean);
    for (const line of lines.slice(epochs.length)) {
      const m = JSON.parse(line) as { epoch: number; test: { loss: number } };
      epochs.push({ epoch: m.epoch, seconds: (Date.now() - start) / 1000, rssMiB: rss, testLoss: m.test.loss });
    }
  }, 250);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  fs.rmSync(out, { recursive: true, force: true });
  if (code !== 0) throw new Error(`vaekit train exited with code ${code}`);
  const summary = JSON.parse(stdout) as { backend?: string };
  return { epochs, peakMiB: peak, backend: summary.backend };
}

/**
 * Writes a float32 .npy of `n` 28x28 images without holding it in memory: each image is 0.5 plus two seeded random
 * factors times two fixed patterns, clipped to [0, 1] (a 2-D manifold a VAE can learn).
 */
function writeImagesNpy(file: string, n: number): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, 28, 28), }`;
  header += ' '.repeat((64 - ((11 + header.length) % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(head.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) head[10 + i] = header.charCodeAt(i);
  const d = 784;
  const p1 = Float32Array.from({ length: d }, (_, j) => Math.sin((j % 28) / 4) * Math.cos(Math.floor(j / 28) / 5));
  const p2 = Float32Array.from({ length: d }, (_, j) => Math.cos(((j % 28) + Math.floor(j / 28)) / 6));
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, head);
    const rows = 8192;
    const buf = new Float32Array(rows * d); // [rows, 784], little-endian on every platform Node runs on here
    let seed = 12345;
    const uniform = () => ((seed = (seed * 1103515245 + 12345) >>> 0) + 0.5) / 2 ** 32;
    for (let first = 0; first < n; first += rows) {
      const count = Math.min(rows, n - first);
      for (let i = 0; i < count; i++) {
        const a = 2 * uniform() - 1;
        const b = 2 * uniform() - 1;
        for (let j = 0; j < d; j++) buf[i * d + j] = Math.min(1, Math.max(0, 0.5 + 0.4 * (a * p1[j] + b * p2[j])));
      }
      fs.writeSync(fd, new Uint8Array(buf.buffer, 0, count * d * 4));
    }
  } finally {
    fs.closeSync(fd);
  }
}

interface StreamRow {
  fileGiB: number;
  examples: number;
  budgetMiB: number;
  batches: number;
  batchSize: number;
  chunkExamples: number;
  rssBeforeMiB: number;
  rssAfterLoadMiB: number;
  rssFirstBatchesMiB: number;
  rssLastBatchesMiB: number;
  peakMiB: number;
  trainLoss: number;
  samplesPerSecond: number;
  backend: string;
  generateSeconds: number;
  statsPassSeconds: number;
}

class StopBench extends Error {}

/** The streaming row: generate the file, train on it streamed for `opts.batches` batches, sample RSS, delete it. */
async function runStream(opts: Options): Promise<StreamRow> {
  const { initBackend } = await import('../src/engine/index.js');
  const { loadDataset } = await import('../src/data/index.js');
  const { resolveConfig } = await import('../src/config/index.js');
  const { train } = await import('../src/train/index.js');
  const backend = await initBackend((opts.backend ?? 'auto') as Parameters<typeof initBackend>[0]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vaekit-stream-'));
  try {
    const file = path.join(dir, 'big.npy');
    const n = Math.ceil((opts.streamGiB * 2 ** 30) / (784 * 4));
    const tGen = Date.now();
    writeImagesNpy(file, n);
    const generateSeconds = (Date.now() - tGen) / 1000;
    const budget = 256 * 2 ** 20;
    const config = resolveConfig({ preset: 'mnist-vae', overrides: { data: { name: file, stream: true }, train: { epochs: 1, batchSize: 128 } } });
    const rssBefore = rssMiB('self')!;
    const tLoad = Date.now();
    const dataset = loadDataset({ ...config.data, seed: config.train.seed, memoryBudget: budget });
    const statsPassSeconds = (Date.now() - tLoad) / 1000;
    const rssAfterLoad = rssMiB('self')!;
    const samples: number[] = [];
    let loss = NaN;
    const t0 = performance.now();
    try {
      await train({
        config,
        dataset,
        runDir: path.join(dir, 'run'),
        backend: backend.name,
        onProgress: (p) => {
          samples.push(rssMiB('self')!);
          loss = p.loss;
          if (p.batch >= opts.batches) throw new StopBench();
        },
      });
    } catch (err) {
      if (!(err instanceof StopBench)) throw err;
    }
    const seconds = (performance.now() - t0) / 1000;
    const tenth = Math.max(1, Math.floor(samples.length / 10));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      fileGiB: fs.statSync(file).size / 2 ** 30,
      examples: n,
      budgetMiB: budget / 2 ** 20,
      batches: samples.length,
      batchSize: config.train.batchSize,
      chunkExamples: dataset.stream!.chunkExamples,
      rssBeforeMiB: rssBefore,
      rssAfterLoadMiB: rssAfterLoad,
      rssFirstBatchesMiB: avg(samples.slice(0, tenth)),
      rssLastBatchesMiB: avg(samples.slice(-tenth)),
      peakMiB: rssMiB('self', 'VmHWM')!,
      trainLoss: loss,
      samplesPerSecond: (samples.length * config.train.batchSize) / seconds,
      backend: backend.name,
      generateSeconds,
      statsPassSeconds,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.only !== 'epochs' && opts.streamGiB > 0) {
    const r = await runStream(opts);
    const table = [
      `## vaekit memory, streaming: a ${r.fileGiB.toFixed(2)} GiB float32 .npy (${r.examples} images 28x28), mnist-vae, --stream under a ${r.budgetMiB} MiB budget, backend ${r.backend}, ${new Date().toISOString()}`,
      '',
      '| batches (x ' + r.batchSize + ') | chunk (examples) | RSS before load (MiB) | after the stats pass | first 10% of batches | last 10% | peak (VmHWM) | train loss | samples/s |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${r.batches} | ${r.chunkExamples} | ${r.rssBeforeMiB.toFixed(0)} | ${r.rssAfterLoadMiB.toFixed(0)} | ${r.rssFirstBatchesMiB.toFixed(0)} | ${r.rssLastBatchesMiB.toFixed(0)} | ${r.peakMiB.toFixed(0)} | ${r.trainLoss.toFixed(2)} | ${r.samplesPerSecond.toFixed(0)} |`,
      '',
      `Generating the file took ${r.generateSeconds.toFixed(1)} s and the one-pass statistics ${r.statsPassSeconds.toFixed(1)} s; the file was deleted afterwards.`,
    ].join('\n');
    console.log(table + '\n');
    const dir = path.join(here, 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `memory-stream-${new Date().toISOString().slice(0, 10)}.json`);
    fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), ...r, table }, null, 2));
    console.log(`wrote ${path.relative(root, file)}\n`);
  }
  if (opts.only === 'stream') return;
  const { epochs, peakMiB, backend } = await run(opts);
  const half = epochs.slice(Math.floor(epochs.length / 2));
  const first = half[0];
  const last = half[half.length - 1];
  // Least-squares slope of RSS against the epoch over the second half (endpoints alone are at the mercy of the GC).
  const mx = half.reduce((a, e) => a + e.epoch, 0) / half.length;
  const my = half.reduce((a, e) => a + e.rssMiB, 0) / half.length;
  const slope = half.reduce((a, e) => a + (e.epoch - mx) * (e.rssMiB - my), 0) / half.reduce((a, e) => a + (e.epoch - mx) ** 2, 0);
  const range = [Math.min(...half.map((e) => e.rssMiB)), Math.max(...half.map((e) => e.rssMiB))];
  const lines = [
    `## vaekit memory: ${opts.preset}, ${opts.epochs} epochs${opts.limit ? `, limit ${opts.limit}` : ''}, backend ${backend ?? 'auto'}, ${new Date().toISOString()}`,
    '',
    '| epoch | time (s) | RSS (MiB) | test loss |',
    '|---:|---:|---:|---:|',
    ...epochs.map((e) => `| ${e.epoch} | ${e.seconds.toFixed(1)} | ${e.rssMiB.toFixed(1)} | ${e.testLoss.toFixed(2)} |`),
    '',
    `Epochs ${first.epoch}-${last.epoch}: RSS between ${range[0].toFixed(1)} and ${range[1].toFixed(1)} MiB, least-squares growth ` +
      `${slope.toFixed(2)} MiB/epoch; peak ${peakMiB.toFixed(1)} MiB (includes the end-of-run figures).`,
  ];
  const table = lines.join('\n');
  console.log(table);
  const dir = path.join(here, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `memory-${new Date().toISOString().slice(0, 10)}.json`);
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), ...opts, backend, epochs, peakMiB, secondHalfGrowthMiBPerEpoch: slope, secondHalfRangeMiB: range, table }, null, 2));
  console.log(`\nwrote ${path.relative(root, file)}`);
}

await main();
