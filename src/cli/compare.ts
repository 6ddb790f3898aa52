/** `vaekit compare RUN...`: one self-contained HTML page (and --json) setting runs, or a sweep's runs, side by side. */
import path from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { compareRuns } from '../report/compare.js';
import { readSweep } from '../sweep/run.js';
import { startBackend } from './common.js';
import { makeOutput } from './output.js';
import { oneOf, positiveInt } from './parse.js';
import { BACKEND_OPTIONS } from '../config/index.js';

interface CompareFlags {
  out?: string;
  force?: boolean;
  nll?: boolean;
  k: number;
  nllExamples: number;
  backend?: (typeof BACKEND_OPTIONS)[number];
  json?: boolean;
}

/** Default --out: the sweep folder when comparing one sweep, else runs/compare-<UTC timestamp>. */
function defaultOut(runs: string[]): string {
  if (runs.length === 1 && readSweep(runs[0])) return runs[0];
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join('runs', `compare-${stamp}`);
}

async function runCompare(runs: string[], flags: CompareFlags): Promise<void> {
  const out = makeOutput(flags.json === true);
  await startBackend(flags.backend ?? 'auto', out);
  const page = compareRuns({ runs, force: flags.force, nllK: flags.nll ? flags.k : undefined, nllExamples: flags.nllExamples });
  const dir = flags.out ?? defaultOut(runs);
  const html = path.join(dir, 'compare.html');
  writeFileAtomic(html, page.html);
  writeFileAtomic(path.join(dir, 'compare.json'), JSON.stringify(page.comparison, null, 2) + '\n');
  for (const [file, bytes] of Object.entries(page.images)) writeFileAtomic(path.join(dir, file), bytes);
  if (page.comparison.dataWarning) out.info(`warning: ${page.comparison.dataWarning}`);
  out.result({ page: html, ...page.comparison }, () => out.info(`compare: ${html} (${page.comparison.runs.length} runs)`));
}

/** Registers `vaekit compare`. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('set runs side by side in one HTML page: config differences, final metrics, loss curves, reconstructions, samples, latent maps')
    .argument('<runs...>', 'run folders, or a sweep folder (its runs)')
    .option('--out <dir>', 'where compare.html, compare.json and the figures go (default: the sweep folder, or runs/compare-<time>)')
    .option('--force', 'compare runs trained on different data (the page says so at the top)')
    .option('--nll', 'estimate each model\'s -log p(x) by importance sampling on the first test examples')
    .option('--k <n>', 'importance samples per example for --nll', positiveInt('--k'), 100)
    .option('--nll-examples <n>', 'test examples for --nll', positiveInt('--nll-examples'), 500)
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object: { page, runs, differences, byNumber, dataWarning }')
    .action(runCompare);
}
