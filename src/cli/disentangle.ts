/** `vaekit disentangle RUN`: the disentanglement metrics of a run's encoder mean on data with known factors, and their report section. */
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_OPTIONS } from '../config/index.js';
import { GROUND_TRUTHS, groundTruthFor } from '../data/index.js';
import { modelKind, type Model } from '../models/index.js';
import { modelKinds } from '../models/registry.js';
import { encodeMeans } from '../latent/index.js';
import { DEFAULT_POINTS, DEFAULT_SCORE_POINTS, disentanglementScores } from '../disentangle/index.js';
import { DISENTANGLEMENT_FILE, disentanglementRows, factorTraversalFigure, mutualInfoFigure, writeFigures, writeReport } from '../report/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { UsageError } from '../errors.js';
import { fmt } from './output.js';
import { integer, oneOf, positiveInt } from './parse.js';
import { checkOutDir, withRun, writeFiles } from './model-data.js';
import { stepLine } from './progress.js';

const FACTOR_DATA = GROUND_TRUTHS.map((g) => g.name);

interface DisentangleFlags {
  data?: string;
  n?: number;
  scorePoints?: number;
  seed?: number;
  backend?: (typeof BACKEND_OPTIONS)[number];
  json?: boolean;
  out?: string;
}

/** The one-line error for a model whose code is not the mean of a q(z|x), or that needs labels to encode. */
function checkEncoderMean(model: Model): void {
  const kind = model.config.kind;
  if (modelKind(kind).posterior === 'none') {
    const withMean = modelKinds().filter((k) => modelKind(k).posterior !== 'none' && !modelKind(k).conditional);
    throw new UsageError(`the ${kind} model has no encoder mean (its code is deterministic, not the mean of q(z|x)); disentangle needs a model with one: ${withMean.join(', ')}`);
  }
  if (model.classes !== undefined) throw new UsageError(`the ${kind} model encodes x with its label y; disentangle scores an unconditional encoder mean q(z|x)`);
}

async function runDisentangle(run: string, flags: DisentangleFlags): Promise<void> {
  checkOutDir('--out', flags.out);
  await withRun(run, flags, (r) => {
    const { out, model, config, metadata } = r;
    checkEncoderMean(model);
    const trainedOn = config.data.name;
    const truth = groundTruthFor(flags.data ?? trainedOn);
    if (!truth) throw new UsageError(`disentangle needs data with known factors (${FACTOR_DATA.join(', ')}); ${run} was trained on ${path.basename(trainedOn)}`);
    if (truth.shape.join('x') !== metadata.inputShape.join('x')) {
      throw new UsageError(`--data ${truth.name}: examples of shape [${truth.shape.join(', ')}], but the model of ${run} takes [${metadata.inputShape.join(', ')}]`);
    }
    const seed = flags.seed ?? config.train.seed;
    // One erasable line per step on a terminal (the beta-VAE score alone encodes 192,000 examples at the defaults).
    let line: { done(): void } | undefined;
    const show = (step: string) => {
      line?.done();
      line = stepLine(`disentangle: ${step}`);
    };
    const t0 = performance.now();
    const { scores, figures } = (() => {
      try {
        const scores = disentanglementScores({
          truth,
          represent: (x, n) => encodeMeans(model, { data: x, n, dim: model.inputDim }).data,
          seed,
          n: flags.n ?? DEFAULT_POINTS,
          scorePoints: flags.scorePoints ?? DEFAULT_SCORE_POINTS,
          onStep: show,
        });
        show('figures');
        return { scores, figures: [mutualInfoFigure(scores), factorTraversalFigure(model, truth, scores, { seed })] };
      } finally {
        line?.done();
      }
    })();
    const seconds = (performance.now() - t0) / 1000;
    const rows = disentanglementRows(scores);
    const record = { run, ...scores, seconds, rows };
    const json = JSON.stringify(record, null, 2) + '\n';
    let files: string[];
    if (flags.out) {
      files = writeFiles(flags.out, [{ file: DISENTANGLEMENT_FILE, bytes: json }, ...figures.flatMap((f) => f.files)]);
    } else {
      const target = path.join(run, DISENTANGLEMENT_FILE);
      writeFileAtomic(target, json);
      files = [target, ...writeFigures(run, figures), writeReport(run)];
    }
    out.result({ ...record, files }, () => {
      out.info(`disentanglement of ${run} on ${truth.name} (${truth.factorNames.join(', ')}), encoder mean, seed ${seed}, ${seconds.toFixed(1)} s`);
      const width = Math.max(...rows.map((x) => x.metric.length));
      for (const x of rows) out.info(`  ${x.metric.padEnd(width)}  ${fmt(x.value).padStart(6)}   ${x.settings}`);
      for (const f of files) out.info(f);
    });
  });
}

/** Registers `vaekit disentangle`. */
export function registerDisentangle(program: Command): void {
  program
    .command('disentangle')
    .description("disentanglement metrics of a run's encoder mean on data with known factors: beta-VAE and FactorVAE scores, MIG, SAP, DCI, modularity; writes disentanglement.json, the factor x code mutual-information heat map and a traversal per factor into the run's report")
    .argument('<run>', 'run folder (a model with an encoder mean, trained on data with known factors)')
    .option('--data <name>', `data with known factors: ${FACTOR_DATA.join(', ')} (default: the run's data)`, oneOf('--data', FACTOR_DATA))
    .option('--n <n>', `points for MIG, SAP, DCI and modularity, which test SAP and DCI on n/2 more (default ${DEFAULT_POINTS}, as disentanglement_lib)`, positiveInt('--n'))
    .option('--score-points <n>', `training points of the beta-VAE and FactorVAE scores, each a batch of 64 (disentanglement_lib: 10000), evaluated on n/2 more (default ${DEFAULT_SCORE_POINTS})`, positiveInt('--score-points'))
    .option('--seed <n>', 'random seed of the sampled examples (default: the run seed)', integer('--seed'))
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--out <dir>', 'write disentanglement.json and the figures into this folder instead of the run folder (the report is left as it is)')
    .option('--json', 'print one JSON object: every metric with its settings, and the files written')
    .action(runDisentangle);
}
