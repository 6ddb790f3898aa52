/**
 * `npm run fuzz [-- --n 5000] [--seed S] [--only READER] [--seeds S:READER:N,...]`: the seeded fuzz corpus of every
 * reader (test/fuzz-corpus.ts): model folders, checkpoints, CSV, NPY, IDX, gzipped IDX, folders of PNG images and
 * safetensors imports, N cases each, through the loaders the commands use. Prints a table of outcomes and every failure
 * with the seed that reproduces it, writes bench/results/fuzz-<time>.json, and exits 1 on any crash or hang. A slice
 * of each corpus runs in the suite (test/fuzz-loaders.test.ts).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/engine/index.js';
import { checkpointCase, CORPORA, dataCase, makeBases, modelCase, SLOW_MS, tally, type Bases, type CaseResult, type Corpus } from '../test/fuzz-corpus.js';
import { tempDir } from '../test/helpers.js';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

const n = Number(flag('n') ?? 5000);
if (!Number.isSafeInteger(n) || n <= 0) {
  process.stderr.write(`fuzz: --n ${flag('n')}: expected a positive integer\n`);
  process.exit(2);
}
const seed = flag('seed') ?? 'fuzz';
const only = flag('only');
/** `--seeds fuzz:models:2103,...`: rerun exactly these cases (as a failure prints them). */
const seeds = flag('seeds')?.split(',');
if (only !== undefined && !(CORPORA as readonly string[]).includes(only)) {
  process.stderr.write(`fuzz: --only ${only}: expected one of ${CORPORA.join(', ')}\n`);
  process.exit(2);
}

await initBackend('cpu');
const tmp = tempDir('fuzz');
const started = performance.now();
const results: CaseResult[] = [];
try {
  const bases = await makeBases(path.join(tmp.dir, 'bases'));
  type Run = (bases: Bases, seed: string, work: string) => CaseResult;
  const corpora: [Corpus, Run][] = CORPORA.map((c) => [c, c === 'models' ? modelCase : c === 'checkpoints' ? checkpointCase : (b, seed, work) => dataCase(b, c, seed, work)]);
  for (const s of seeds ?? []) {
    const name = s.split(':').at(-2);
    const run = corpora.find(([c]) => c === name)?.[1];
    if (!run) throw new Error(`--seeds ${s}: expected SEED:READER:N, READER one of ${CORPORA.join(', ')}`);
    results.push(run(bases, s, path.join(tmp.dir, 'case')));
  }
  for (const [name, run] of seeds ? [] : corpora) {
    if (only !== undefined && only !== name) continue;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      results.push(run(bases, `${seed}:${name}:${i}`, path.join(tmp.dir, 'case')));
      if ((i + 1) % 1000 === 0) process.stderr.write(`${name}: ${i + 1} of ${n} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  }
} finally {
  tmp.remove();
}
const seconds = (performance.now() - started) / 1000;

const rows = CORPORA.filter((c) => results.some((r) => r.corpus === c)).map((corpus) => {
  const rs = results.filter((r) => r.corpus === corpus);
  return { corpus, cases: rs.length, ...tally(rs), slowestMs: Math.round(Math.max(...rs.map((r) => r.ms))) };
});
const header = ['corpus', 'cases', 'ok', 'fallback', 'refused', 'crash', 'slow', 'slowest ms'];
const table = [header, ...rows.map((r) => [r.corpus, r.cases, r.ok, r.fallback, r.refused, r.crash, r.slow, r.slowestMs].map(String))];
const widths = header.map((_, j) => Math.max(...table.map((row) => row[j].length)));
for (const row of table) process.stdout.write(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ') + '\n');
process.stdout.write(`${results.length} cases in ${seconds.toFixed(1)} s (a case over ${SLOW_MS} ms counts as a hang)\n`);
const failures = results.filter((r) => r.outcome === 'crash' || r.outcome === 'slow');
for (const f of failures.slice(0, 50)) process.stdout.write(`${f.outcome}: seed ${f.seed} (${f.base}, ${f.mutation}): ${f.message ?? `${f.ms.toFixed(0)} ms`}\n`);

// The most frequent refusals, so a reader sees what the loaders say.
const messages = new Map<string, number>();
for (const r of results) if (r.outcome === 'refused') {
  const key = r.message!.replace(/\/[^\s:]*\//g, '…/').replace(/-?\d[\d.e+-]*/g, 'N').slice(0, 100);
  messages.set(key, (messages.get(key) ?? 0) + 1);
}
const out = path.join('bench', 'results', `fuzz-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}.json`);
mkdirSync(path.dirname(out), { recursive: true });
const report = {
  command: `npm run fuzz -- --n ${n} --seed ${seed}${only ? ` --only ${only}` : ''}`,
  date: new Date().toISOString(),
  cpu: os.cpus()[0]?.model,
  seconds: Number(seconds.toFixed(1)),
  rows,
  failures,
  topRefusals: [...messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([message, count]) => ({ message, count })),
};
writeFileSync(`${out}.tmp-${process.pid}`, JSON.stringify(report, null, 2) + '\n');
renameSync(`${out}.tmp-${process.pid}`, out);
process.stdout.write(`wrote ${out}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
