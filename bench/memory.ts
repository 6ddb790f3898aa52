/**
 * `npm run bench:memory [-- --epochs 30 --preset mnist-vae --backend native]`: is resident memory stable over a long run?
 * Runs the real CLI (`vaekit train`, with its per-epoch checkpoints, loss curve and end-of-run figures) in a child
 * process, samples the child's resident set (VmRSS from /proc) every 250 ms, and takes the RSS at each epoch's end
 * (when a line is added to metrics.jsonl). Prints a markdown table with the growth over the second half of the run
 * and writes bench/results/memory-<date>.json. Linux only (/proc).
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
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { epochs: 30, preset: 'mnist-vae' };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag}: missing value`);
    if (flag === '--epochs' || flag === '--limit') {
      const n = Number(value);
      if (!(Number.isInteger(n) && n >= 2)) throw new Error(`${flag}: '${value}' is not an integer >= 2`);
      opts[flag === '--epochs' ? 'epochs' : 'limit'] = n;
    } else if (flag === '--preset') opts.preset = value;
    else if (flag === '--backend') opts.backend = value;
    else throw new Error(`unknown option ${flag}; expected --epochs, --preset, --backend or --limit`);
  }
  return opts;
}

/** The resident set of process `pid` in MiB, or undefined once it has exited. */
function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
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

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
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
