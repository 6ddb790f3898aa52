/**
 * Issue 9 item 1: every flag of every command that is out of range, of the wrong type, unknown or inconsistent with the
 * model gives a usage error (exit 2) whose message names the flag and the value, with no stack trace and nothing
 * written: no run folder, no figure, no output file, no rewritten report. Commands run in-process.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../src/data/index.js';
import { resolveConfig } from '../src/config/index.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('flags');
const dir = tmp.dir;

/** Every file under `dir` with its size and modification time: what a failed command must leave as it was. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      out.set(path.relative(dir, p), s.isDirectory() ? 'dir' : `${s.size}:${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

const config = (name: string, value: unknown) => writeFileSync(path.join(dir, name), JSON.stringify(value));
const mlp = { kind: 'vae', latent: 2, encoder: { hidden: [8] }, decoder: { hidden: [8] }, likelihood: { kind: 'bernoulli' } };

beforeAll(async () => {
  for (const [run, args] of [
    ['vae', ['--preset', 'mnist-vae', '--latent', '3']],
    ['cv', ['--preset', 'mnist-cvae']],
  ] as const) {
    const r = await runCli(dir, 'train', ...args, '--hidden', '8', '--epochs', '1', '--limit', '60', '--out', run, '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
  }
  writeFileSync(path.join(dir, 'afile'), 'not a folder');
  config('epochs.json', { train: { epochs: -3 } });
  config('batch.json', { train: { batchSize: 0 } });
  config('lr.json', { train: { lr: 0 } });
  config('latent.json', { model: { ...mlp, latent: 0 } });
  config('kind.json', { model: { ...mlp, kind: 'gan' } });
  config('dropout.json', { model: { ...mlp, decoder: { hidden: [8], dropout: 1 } } });
  config('beta.json', { model: { ...mlp, beta: -1 } });
  config('schedule.json', { model: { ...mlp, betaSchedule: { kind: 'cyclical', period: 0 } } });
  config('backend.json', { backend: 'gpu' });
  config('classes.json', { model: { ...mlp, kind: 'cvae', classes: 0 } });
  config('few-classes.json', { model: { ...mlp, kind: 'cvae', classes: 3 } });
  config('conv-cvae.json', { model: { ...mlp, kind: 'cvae', encoder: { kind: 'conv', filters: [4] } } });
  writeFileSync(path.join(dir, 'codes.npy'), new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])); // truncated NPY
  writeFileSync(path.join(dir, 'codes2.npy'), writeNpy({ shape: [3, 2], data: new Float32Array(6) })); // [3, 2]: the CVAE's latent
}, 120_000);
afterAll(() => tmp.remove());

/** [what, args, the message: the flag (or key) and the value]. Train cases also get `--out never`. */
const cases: [string, string[], RegExp][] = [
  // train: numbers out of range or of the wrong type
  ['zero epochs', ['train', '--epochs', '0'], /--epochs: '0' is not a positive integer/],
  ['negative epochs', ['train', '--epochs', '-2'], /--epochs: '-2' is not a positive integer/],
  ['fractional epochs', ['train', '--epochs', '1.5'], /--epochs: '1\.5' is not a positive integer/],
  ['NaN epochs', ['train', '--epochs', 'NaN'], /--epochs: 'NaN' is not a positive integer/],
  ['zero batch size', ['train', '--batch-size', '0'], /--batch-size: '0' is not a positive integer/],
  ['negative batch size', ['train', '--batch-size', '-5'], /--batch-size: '-5' is not a positive integer/],
  ['zero latent size', ['train', '--latent', '0'], /--latent: '0' is not a positive integer/],
  ['zero hidden width', ['train', '--hidden', '400,0'], /--hidden \(in '400,0'\): '0' is not a positive integer/],
  ['zero lr', ['train', '--lr', '0'], /--lr: 0 is out of range; expected a learning rate > 0/],
  ['negative lr', ['train', '--lr', '-0.1'], /--lr: -0\.1 is out of range/],
  ['NaN lr', ['train', '--lr', 'NaN'], /--lr: 'NaN' is not a learning rate > 0/],
  ['infinite lr', ['train', '--lr', 'Infinity'], /--lr: 'Infinity' is not a learning rate > 0/],
  ['negative beta', ['train', '--beta', '-1'], /--beta: -1 is out of range; expected a weight >= 0/],
  ['zero k', ['train', '--objective', 'iwae', '--k', '0'], /--k: '0' is not a positive integer/],
  ['zero limit', ['train', '--limit', '0'], /--limit: '0' is not a positive integer/],
  ['fractional seed', ['train', '--seed', '1.5'], /--seed: '1\.5' is not an integer/],
  ['zero image size', ['train', '--image-size', '0x5'], /--image-size: '0x5' is not an image size/],
  ['negative noise', ['train', '--denoise', 'gaussian:-1'], /--denoise: 'gaussian:-1'/],
  // train: the KL schedules
  ['zero warm-up', ['train', '--kl-warmup', '0'], /--kl-warmup: '0' is not a positive integer/],
  ['zero cycle', ['train', '--kl-cycle', '0'], /--kl-cycle \(PERIOD\): '0' is not a positive integer/],
  ['cycle ratio above 1', ['train', '--kl-cycle', '10:2'], /--kl-cycle \(RATIO\): 2 is out of range; expected a ramp fraction in \(0, 1\]/],
  ['capacity without epochs', ['train', '--capacity', '25'], /--capacity: '25' is not a capacity schedule; expected CMAX:EPOCHS/],
  ['negative capacity', ['train', '--capacity', '-1:10'], /--capacity \(CMAX\): -1 is out of range/],
  ['two schedules', ['train', '--kl-warmup', '3', '--kl-cycle', '4'], /--kl-warmup 3 and --kl-cycle 4: choose one KL schedule/],
  ['beta with capacity', ['train', '--capacity', '5:3', '--beta', '2'], /--beta 2: unused with --capacity/],
  ['a schedule for an autoencoder', ['train', '--model', 'autoencoder', '--kl-warmup', '5'], /--kl-warmup 5: an autoencoder has no KL or anchor term/],
  ['a schedule with the IWAE bound', ['train', '--objective', 'iwae', '--kl-cycle', '4:0.5'], /--kl-cycle 4:0.5 \(model\.betaSchedule\): the IWAE objective is defined for beta = 1 with no KL schedule/],
  // train: unknown names
  ['unknown preset', ['train', '--preset', 'gan'], /--preset: unknown preset 'gan'; expected one of poor-man-vae, /],
  ['unknown backend', ['train', '--backend', 'gpu'], /--backend: unknown value 'gpu'; expected one of auto, native/],
  ['unknown model kind', ['train', '--model', 'gan'], /--model: unknown value 'gan'; expected one of autoencoder, vae, poor-man-vae, cvae/],
  ['unknown activation', ['train', '--activation', 'swish'], /--activation: unknown value 'swish'/],
  ['unknown likelihood', ['train', '--likelihood', 'poisson'], /--likelihood: unknown value 'poisson'/],
  ['unknown dataset', ['train', '--data', 'cifar'], /unknown dataset 'cifar'/],
  // train: config files out of range
  ['config: negative epochs', ['train', '--config', 'epochs.json'], /--config epochs\.json: train\.epochs = -3: Too small/],
  ['config: zero batch size', ['train', '--config', 'batch.json'], /--config batch\.json: train\.batchSize = 0: Too small/],
  ['config: zero lr', ['train', '--config', 'lr.json'], /--config lr\.json: train\.lr = 0: Too small/],
  ['config: zero latent', ['train', '--config', 'latent.json'], /--config latent\.json: model\.latent = 0: Too small/],
  ['config: unknown model kind', ['train', '--config', 'kind.json'], /--config kind\.json: model\.kind = "gan"/],
  ['config: dropout 1', ['train', '--config', 'dropout.json'], /--config dropout\.json: model\.decoder\.dropout = 1/],
  ['config: negative beta', ['train', '--config', 'beta.json'], /--config beta\.json: model\.beta = -1/],
  ['config: zero cycle period', ['train', '--config', 'schedule.json'], /--config schedule\.json: model\.betaSchedule\.period = 0/],
  ['config: unknown backend', ['train', '--config', 'backend.json'], /--config backend\.json: backend = "gpu"/],
  ['config: zero classes', ['train', '--config', 'classes.json'], /--config classes\.json: model\.classes = 0/],
  ['config: fewer classes than the data', ['train', '--config', 'few-classes.json', '--limit', '30'], /model\.classes 3: 'mnist' has 10 classes/],
  ['config: a conv CVAE', ['train', '--config', 'conv-cvae.json'], /--config conv-cvae\.json: model\.kind = "cvae": the conditional VAE takes MLP encoders and decoders, and this config has conv layers/],
  // train: values inconsistent with the data or the model
  ['a CVAE on unlabelled data', ['train', '--model', 'cvae', '--data', 'swiss-roll'], /--model cvae: the conditional VAE trains on labelled data, and 'swiss-roll' has no labels/],
  ['a CVAE from a conv preset', ['train', '--preset', 'mnist-conv-vae', '--model', 'cvae'], /--model cvae \(model\.kind\): the conditional VAE takes MLP encoders/],
  ['a label column outside a CSV', ['train', '--label-column', 'class', '--limit', '30'], /--label-column class: applies to CSV data only/],
  ['binarizing standardized points', ['train', '--data', 'swiss-roll', '--binarize'], /--binarize .*'swiss-roll' has the value -?\d/],
  ['--out is a file', ['train', '--out', 'afile', '--limit', '30'], /--out afile: exists and is not a folder/],
  ['--resume of no folder', ['train', '--resume', 'nowhere'], /--resume nowhere: not a folder/],
  ['--resume with a config flag', ['train', '--resume', 'vae', '--kl-warmup', '2'], /--resume continues a run with its own config; drop --kl-warmup/],
  // eval
  ['eval --k without --nll', ['eval', 'vae', '--k', '5'], /--k 5: the number of importance samples applies with --nll only/],
  ['eval zero k', ['eval', 'vae', '--nll', '--k', '0'], /--k: '0' is not a positive integer/],
  ['eval negative examples', ['eval', 'vae', '--nll', '--nll-examples', '-1'], /--nll-examples: '-1' is not a positive integer/],
  ['eval unknown backend', ['eval', 'vae', '--backend', 'gpu'], /--backend: unknown value 'gpu'/],
  ['eval of no run', ['eval', 'nowhere'], /RUN: 'nowhere' is not a folder/],
  // figure commands
  ['sample zero n', ['sample', 'vae', '--n', '0'], /--n: '0' is not a positive integer/],
  ['sample huge n', ['sample', 'vae', '--n', '1000000'], /--n: 1000000 is out of range; expected a positive integer up to 100000/],
  ['sample bad seed', ['sample', 'vae', '--seed', 'x'], /--seed: 'x' is not an integer/],
  ['sample negative label', ['sample', 'cv', '--label', '-1'], /--label: '-1' is not a non-negative integer/],
  ['sample label beyond the classes', ['sample', 'cv', '--label', '10'], /--label 10: out of range; expected a class in 0\.\.9/],
  ['sample label of an unconditional model', ['sample', 'vae', '--label', '1'], /--label 1: only a conditional VAE/],
  ['sample --out is a file', ['sample', 'vae', '--out', 'afile'], /--out afile: exists and is not a folder/],
  ['reconstruct one step', ['reconstruct', 'vae', '--steps', '1'], /--steps: 1 is out of range; expected at least 2/],
  ['reconstruct index beyond the test set', ['reconstruct', 'vae', '--from', '9999'], /--from: 9999 is not a test example index in 0\.\.9/],
  ['reconstruct huge n', ['reconstruct', 'vae', '--n', '200000'], /--n: 200000 is out of range/],
  ['interpolate one step', ['interpolate', 'vae', '--from', '0', '--to', '1', '--steps', '1'], /--steps: 1 is out of range/],
  ['interpolate bad index', ['interpolate', 'vae', '--from', 'x', '--to', '1'], /--from: 'x' is not a non-negative integer/],
  ['interpolate label beyond the classes', ['interpolate', 'cv', '--from', '0', '--to', '1', '--label', '11'], /--label 11: out of range/],
  ['traverse dimension beyond the latent', ['traverse', 'vae', '--dims', '0,5'], /--dims: 5 out of range; the latent space has dimensions 0\.\.2/],
  ['traverse zero range', ['traverse', 'vae', '--range', '0'], /--range: 0 is out of range; expected a number > 0/],
  ['traverse NaN range', ['traverse', 'vae', '--range', 'NaN'], /--range: 'NaN' is not a number > 0/],
  ['traverse index beyond the test set', ['traverse', 'vae', '--at', '9999'], /--at: 9999 is not a test example index/],
  ['traverse zero steps', ['traverse', 'vae', '--steps', '0'], /--steps: '0' is not a positive integer/],
  ['traverse label beyond the classes', ['traverse', 'cv', '--label', '10'], /--label 10: out of range/],
  ['embed one example', ['embed', 'vae', '--n', '1'], /--n: 1 is out of range; a 2-D map needs at least 2 examples/],
  ['embed unknown method', ['embed', 'vae', '--method', 'lda'], /--method: unknown value 'lda'/],
  ['manifold of a 3-D latent', ['manifold', 'vae'], /the latent space has 3 dimensions; a manifold grid needs 2/],
  ['manifold zero size', ['manifold', 'cv', '--size', '0'], /--size: '0' is not a positive integer/],
  ['manifold huge size', ['manifold', 'cv', '--size', '1000'], /--size: 1000 is out of range/],
  ['manifold range without square spacing', ['manifold', 'cv', '--range', '2'], /--range 2: applies with --spacing square only/],
  ['manifold unknown spacing', ['manifold', 'cv', '--spacing', 'hex'], /--spacing: unknown value 'hex'/],
  ['manifold label beyond the classes', ['manifold', 'cv', '--label', '12'], /--label 12: out of range/],
  // commands on new data
  ['anomaly quantile above 1', ['anomaly', 'vae', '--data', 'mnist', '--quantile', '1.5'], /--quantile: 1\.5 is out of range; expected a quantile in \[0, 1\]/],
  ['anomaly negative quantile', ['anomaly', 'vae', '--data', 'mnist', '--quantile', '-0.1'], /--quantile: -0\.1 is out of range/],
  ['anomaly NaN threshold', ['anomaly', 'vae', '--data', 'mnist', '--threshold', 'NaN'], /--threshold: 'NaN' is not a number/],
  ['anomaly quantile and threshold', ['anomaly', 'vae', '--data', 'mnist', '--quantile', '0.9', '--threshold', '3'], /--quantile and --threshold: give one/],
  ['anomaly k without nll', ['anomaly', 'vae', '--data', 'mnist', '--k', '3'], /--k 3: the number of importance samples applies with --score nll only/],
  ['anomaly zero k', ['anomaly', 'vae', '--data', 'mnist', '--score', 'nll', '--k', '0'], /--k: '0' is not a positive integer/],
  ['anomaly zero limit', ['anomaly', 'vae', '--data', 'mnist', '--limit', '0'], /--limit: '0' is not a positive integer/],
  ['anomaly unknown score', ['anomaly', 'vae', '--data', 'mnist', '--score', 'x'], /--score: unknown value 'x'/],
  ['anomaly unknown labels', ['anomaly', 'vae', '--data', 'mnist', '--limit', '5', '--anomaly-labels', 'x'], /--anomaly-labels: x not among the labels/],
  ['anomaly label beyond the classes', ['anomaly', 'cv', '--data', 'mnist', '--limit', '5', '--label', '10'], /--label 10: out of range/],
  ['anomaly missing data', ['anomaly', 'vae', '--data', 'nope.csv'], /nope\.csv: no such file/],
  ['denoise without noise', ['denoise', 'vae', '--data', 'mnist'], /--noise: required/],
  ['denoise probability above 1', ['denoise', 'vae', '--data', 'mnist', '--noise', 'mask:2'], /--noise: 'mask:2': the probability must be a number in \[0, 1\]/],
  ['denoise zero n', ['denoise', 'vae', '--data', 'mnist', '--noise', 'mask:0.2', '--n', '0'], /--n: '0' is not a positive integer/],
  ['encode to a file that is not .npy', ['encode', 'vae', '--data', 'mnist', '--out', 'codes.txt'], /--out codes\.txt: expected a \.npy file name/],
  ['encode without --out', ['encode', 'vae', '--data', 'mnist'], /--out: required/],
  ['encode label of an unconditional model', ['encode', 'vae', '--data', 'mnist', '--limit', '3', '--label', '2', '--out', 'c.npy'], /--label 2: only a conditional VAE/],
  ['decode without codes', ['decode', 'vae', '--out', 'd'], /--codes: required/],
  ['decode a broken file', ['decode', 'vae', '--codes', 'codes.npy', '--out', 'd'], /codes\.npy: expected the \.npy magic|codes\.npy: truncated/],
  ['decode zero n', ['decode', 'vae', '--codes', 'codes.npy', '--out', 'd', '--n', '0'], /--n: '0' is not a positive integer/],
  ['decode a CVAE without a class', ['decode', 'cv', '--codes', 'codes2.npy', '--out', 'd'], /--label: required for a conditional VAE/],
  ['decode a CVAE with a label beyond the classes', ['decode', 'cv', '--codes', 'codes2.npy', '--out', 'd', '--label', '10'], /--label 10: out of range/],
  ['decode --label and --labels', ['decode', 'cv', '--codes', 'codes2.npy', '--out', 'd', '--label', '1', '--labels', 'codes2.npy'], /--label and --labels: give one/],
  ['decode labels of the wrong shape', ['decode', 'cv', '--codes', 'codes2.npy', '--out', 'd', '--labels', 'codes2.npy'], /codes2\.npy: labels of shape \(3, 2\); expected one class per code, shape \(3\)/],
  ['summary of no model', ['summary', 'nowhere'], /nowhere: no model found/],
  ['report of no run', ['report', 'nowhere'], /RUN: 'nowhere' is not a folder/],
];

describe('bad flags: exit 2, a message naming the flag and the value, no stack trace, nothing written', () => {
  it.each(cases)('%s', async (_what, args, message) => {
    const before = snapshot();
    const argv = args[0] === 'train' && !args.includes('--out') && !args.includes('--resume') ? [...args, '--out', 'never'] : args;
    const r = await runCli(dir, ...argv);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
    expect(snapshot()).toEqual(before);
  });
});

describe('the model-kind and KL-schedule flags of train', () => {
  const train = async (out: string, ...args: string[]) => {
    const r = await runCli(dir, 'train', '--hidden', '8', '--limit', '60', '--backend', 'cpu', '--out', out, ...args);
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(dir, out, 'config.json'), 'utf8'));
    const betas = readFileSync(path.join(dir, out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    return { config, metrics: betas };
  };

  it('--model cvae switches a preset to the conditional VAE, keeping its data and training settings, with the classes of the data', async () => {
    const { config } = await train('to-cvae', '--preset', 'mnist-vae', '--model', 'cvae', '--epochs', '1');
    expect(config.model).toMatchObject({ kind: 'cvae', classes: 10, latent: 10, variance: 'softplus', encoder: { hidden: [8] } });
    expect(config.train.batchSize).toBe(resolveConfig({ preset: 'mnist-vae' }).train.batchSize);
  });

  it('--kl-cycle, --kl-warmup and --capacity set the schedule, and metrics.jsonl records the weights', async () => {
    const cyc = await train('cycle', '--kl-cycle', '2:0.5', '--beta', '2', '--epochs', '3');
    expect(cyc.config.model.betaSchedule).toEqual({ kind: 'cyclical', period: 2, ratio: 0.5 });
    expect(cyc.metrics.map((m) => m.beta)).toEqual([0, 2, 0]);
    const warm = await train('warm', '--kl-warmup', '2', '--epochs', '3');
    expect(warm.metrics.map((m) => m.beta)).toEqual([0, 0.5, 1]);
    const cap = await train('cap', '--capacity', '10:2:50', '--epochs', '2');
    expect(cap.config.model.betaSchedule).toEqual({ kind: 'capacity', cMax: 10, epochs: 2, gamma: 50 });
    expect(cap.metrics.map((m) => m.capacity)).toEqual([0, 5]);
  });
});
