/** `vaekit eval RUN`: the test ELBO and its terms, the reconstruction error, active units and (with --nll) the importance-sampled NLL. */
import type { Command } from 'commander';
import { Rng } from '../engine/index.js';
import { BACKEND_OPTIONS } from '../config/index.js';
import { MAX_NLL_SAMPLES, countActiveUnits, estimateNll, evaluateModel, fidelityData, fidelitySummary, requirePosterior, testExamples, type ActiveUnits, type NllResult } from '../evaluate/index.js';
import { labelsFor, lossNames, modelKind } from '../models/index.js';
import { nllDensity } from '../objectives/index.js';
import { UsageError } from '../errors.js';
import { fmt } from './output.js';
import { oneOf, positiveInt } from './parse.js';
import { runDataset, withRun } from './model-data.js';
import { during, stepBar } from './progress.js';

/** Burda et al.'s number of importance samples. */
const DEFAULT_K = 5000;

interface EvalFlags {
  backend?: (typeof BACKEND_OPTIONS)[number];
  json?: boolean;
  nll?: boolean;
  k?: number;
  nllExamples?: number;
}

/** A progress bar with ETA over the importance samples, on a terminal's stderr; nothing otherwise. */
function nllProgress(k: number) {
  const bar = stepBar(`NLL, k=${k}`);
  return { onProgress: ({ done, total }: { done: number; total: number }) => bar.update(done, total, `${done}/${total} samples`), stop: () => bar.stop() };
}

async function runEval(run: string, flags: EvalFlags): Promise<void> {
  if (!flags.nll && flags.k !== undefined) throw new UsageError(`--k ${flags.k}: the number of importance samples applies with --nll only`);
  if (!flags.nll && flags.nllExamples !== undefined) throw new UsageError(`--nll-examples ${flags.nllExamples}: applies with --nll only`);
  await withRun(run, flags, (r) => {
    const { out, model, config, backend } = r;
    const dataset = runDataset(r);
    const binarizeData = config.data.binarize === 'dynamic';
    const what = `the test split of '${dataset.name}'`;
    const { e, active } = during(`evaluating the model on ${dataset.test.n} test examples`, () => {
      const e = evaluateModel({ model, dataset, seed: config.train.seed, binarizeData });
      // Both on the same test examples, binarized once with a fixed seed when the run trains on binarized data.
      let active: ActiveUnits | undefined;
      if (modelKind(model.config.kind).posterior !== 'none') {
        const test = testExamples({ dataset, seed: config.train.seed, binarizeData });
        active = countActiveUnits({ model, x: test.x, labels: labelsFor({ model, labels: test.labels, n: test.n, what }), rng: new Rng(`${config.train.seed}:active-units`) });
      }
      return { e, active };
    });
    // A conditional VAE's likelihood is of x given its label: log p(x|y).
    const px = model.classes === undefined ? 'p(x)' : 'p(x|y)';
    let nll: NllResult | undefined;
    if (flags.nll) {
      requirePosterior(model); // before any notice about the data: a model without q(z|x) has no NLL estimate at all
      const k = flags.k ?? DEFAULT_K;
      const { x, n, labels } = testExamples({ dataset, seed: config.train.seed, binarizeData, limit: flags.nllExamples });
      if (model.likelihood.kind === 'bernoulli' && x.some((v) => v !== 0 && v !== 1)) {
        out.info('notice: the data is not binary, so the Bernoulli "likelihood" of grey levels is not a normalized density; the NLL is comparable to pytorch/examples losses, not to published NLLs on binarized MNIST');
      }
      const progress = nllProgress(k);
      const t0 = performance.now();
      try {
        nll = estimateNll({ model, x, labels: labelsFor({ model, labels, n, what }), k, rng: new Rng(`${config.train.seed}:nll`), onProgress: progress.onProgress });
      } finally {
        progress.stop();
      }
      out.info(`NLL: ${n} examples x ${k} importance samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    // Tabular data: the synthetic data fidelity the report shows (a decode of at most 5,000 prior draws and a sort per column).
    const fidelity = dataset.kind === 'tabular' && dataset.test.n > 0 ? fidelitySummary(fidelityData({ model, dataset, seed: config.train.seed })) : undefined;
    const result = {
      run,
      backend,
      data: dataset.name,
      ...e,
      ...(active ? { activeUnits: active.activeUnits, latent: model.latentDim, activeUnitVariances: active.variances } : {}),
      ...(active?.upper ? { activeUnits2: active.upper.activeUnits, latent2: active.upper.variances.length, activeUnitVariances2: active.upper.variances } : {}),
      ...(nll ? { nll: nll.nll, nllStdErr: nll.nllStdErr, k: nll.k, nllExamples: nll.n, nllOf: `-log ${px}`, nllDensity: nllDensity(model.likelihood) } : {}),
      ...(fidelity ? { fidelity } : {}),
    };
    out.result(result, () => {
      out.info(`test set: ${e.n} examples of ${dataset.name}`);
      const { loss: lossName, regularizer } = lossNames(model.config);
      const objective = model.classes !== undefined && lossName === 'negative ELBO' ? 'negative ELBO of log p(x|y)' : lossName;
      out.info(`loss (${objective}) ${fmt(e.loss)}   reconstruction ${fmt(e.reconstruction)}${regularizer === undefined ? '' : `   ${regularizer} ${fmt(e.kl)}`}   (per example)`);
      out.info(`reconstruction error of decode(mean): ${fmt(e.reconstructionError.sse)} summed squared error per example, ${fmt(e.reconstructionError.mse)} per value`);
      if (e.codebook) out.info(`codebook: ${fmt(100 * e.codebook.usage)}% of the ${e.codebook.size} codes used on the test set, perplexity ${fmt(e.codebook.perplexity)}`);
      if (e.uniformPriorBound !== undefined) out.info(`-log p(x) <= ${fmt(e.uniformPriorBound)} nats per example (reconstruction + M log K: the bound with a uniform prior over the codes)`);
      if (active) out.info(`active units: ${active.activeUnits} of ${model.latentDim} (Cov_x(E_q[z|x${model.classes === undefined ? '' : ', y'}]) > ${active.threshold})`);
      if (active?.upper) out.info(`active units of z2: ${active.upper.activeUnits} of ${active.upper.variances.length} (Cov_x(E_q[z2|z1]), z1 drawn from q(z1|x))`);
      if (fidelity) {
        const worst = fidelity.columns.reduce((w, c) => (c.value > w.value ? c : w));
        out.info(`synthetic data fidelity (${fidelity.n.synthetic} prior draws vs ${fidelity.n.real} test rows): largest ${worst.statistic.toUpperCase()} ${fmt(worst.value)} (${worst.name}); correlations: max |diff| ${fmt(fidelity.correlation.maxAbs)}, Frobenius ${fmt(fidelity.correlation.frobenius)}`);
      }
      if (nll) out.info(`NLL, -log ${px} (importance sampled, k=${nll.k}): ${fmt(nll.nll)} +- ${fmt(nll.nllStdErr)} nats per example (standard error over ${nll.n} examples)${model.classes === undefined ? '' : '; each example conditioned on its label y'}`);
    });
  });
}

/** Registers `vaekit eval`. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("evaluate a run's model on its test set: ELBO terms, reconstruction error, active units; --nll adds the importance-sampled NLL")
    .argument('<run>', 'run folder')
    .option('--nll', 'estimate -log p(x) by importance sampling (Burda et al. 2015); for a conditional VAE, -log p(x|y) with each example\'s label y')
    .option('--k <n>', `importance samples per example for --nll (default ${DEFAULT_K}, at most ${MAX_NLL_SAMPLES}: time grows with k)`, positiveInt('--k', { max: MAX_NLL_SAMPLES }))
    .option('--nll-examples <n>', 'estimate the NLL on the first n test examples only (default all)', positiveInt('--nll-examples'))
    .option('--backend <name>', `tensor backend: ${BACKEND_OPTIONS.join(', ')}`, oneOf('--backend', BACKEND_OPTIONS))
    .option('--json', 'print one JSON object')
    .action(runEval);
}
