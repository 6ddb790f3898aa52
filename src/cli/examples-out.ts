/** `sample --out FILE.csv|.npy` and `reconstruct --out FILE.csv|.npy`: a run's examples written as data, not drawn. */
import { Rng } from '../engine/index.js';
import { encodeExamples, examplesFormat } from '../data/examples-out.js';
import { syntheticExamples } from '../evaluate/synthetic.js';
import { checkLabel, labelsFor } from '../models/index.js';
import { reconstructRows } from '../latent/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { runDataset, withRun, type OpenRun } from './model-data.js';
import type { FigureFlags } from './report.js';

/** True when --out names a data file (.csv or .npy) rather than a folder for the figure. */
export function wantsExamples(flags: FigureFlags): boolean {
  return flags.out !== undefined && examplesFormat(flags.out) !== undefined;
}

/** Writes `make`'s examples [n, D] (model space) to --out in the data's units and prints the file and the count. */
async function writeExamplesCommand(run: string, flags: FigureFlags, make: (r: OpenRun) => { x: Float32Array; labels?: Int32Array; what: string }): Promise<void> {
  const file = flags.out!;
  await withRun(run, flags, (r) => {
    const { x, labels, what } = make(r);
    const { metadata } = r;
    const bytes = encodeExamples({ x, meta: metadata, format: examplesFormat(file)!, labels });
    writeFileAtomic(file, bytes);
    const n = x.length / r.model.inputDim;
    r.out.result({ files: [file], n }, () => r.out.info(`${file}: ${n} ${what}`));
  });
}

/**
 * `sample --out FILE`: n prior draws decoded and drawn from p(x|z) (`--mean`: the decoded means), as a conditional
 * model's class `label` or class i mod classes.
 */
export function sampleExamples(run: string, flags: FigureFlags & { n?: number; seed?: number; label?: number; mean?: boolean }): Promise<void> {
  return writeExamplesCommand(run, flags, ({ model, config }) => {
    checkLabel(model, flags.label);
    const n = flags.n ?? 1000;
    const rng = new Rng(`${flags.seed ?? config.train.seed}:samples`);
    const x = syntheticExamples({ model, n, rng, label: flags.label, mean: flags.mean });
    const labels = model.classes === undefined ? undefined : Int32Array.from({ length: n }, (_, i) => flags.label ?? i % model.classes!);
    return { x, labels, what: flags.mean ? 'decoded prior means' : 'synthetic examples (z from the prior, x from p(x|z))' };
  });
}

/** `reconstruct --out FILE`: decode(encode(x).mean) of the first n test examples (default all of them). */
export function reconstructExamples(run: string, flags: FigureFlags & { n?: number }): Promise<void> {
  return writeExamplesCommand(run, flags, (r) => {
    const { model } = r;
    const dataset = runDataset(r);
    const d = model.inputDim;
    const n = Math.min(flags.n ?? dataset.test.n, dataset.test.n);
    const rows = { data: dataset.test.x.subarray(0, n * d), n, dim: d };
    const labels = labelsFor({ model, labels: dataset.test.labels?.subarray(0, n), n, what: `the test split of '${dataset.name}'` });
    return { x: reconstructRows(model, rows, labels).data, labels, what: `reconstructions of test examples of ${dataset.name}` };
  });
}
