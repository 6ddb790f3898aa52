import { describe, expect, it } from 'vitest';
import { loadDataset } from '../data/index.js';
import type { Dataset } from '../data/types.js';
import { resolveConfig } from './resolve.js';

// The rules between a config and its data, as a library user meets them through resolveConfig({ dataset }): the run
// the CLI trains (test/flags.test.ts and test/cvae-cli.test.ts run the same rules through `vaekit train`).

const roll = loadDataset({ name: 'swiss-roll', n: 200, seed: 1, testFraction: 0.2 });

/** A small labelled tabular dataset with `classes` classes. */
function labelled(classes: number): Dataset {
  const n = 12;
  const split = { x: Float32Array.from({ length: n * 3 }, (_, i) => (i % 7) - 3), labels: Int32Array.from({ length: n }, (_, i) => i % classes), n };
  return { name: 'table.csv', kind: 'tabular', shape: [3], labelNames: Array.from({ length: classes }, (_, c) => `c${c}`), train: split, test: split, preprocessing: { kind: 'none' }, source: 'test' };
}

describe('resolveConfig with a dataset', () => {
  it('gives data that is not images a Gaussian decoder unless the file or the overrides chose the likelihood, and says so', () => {
    const notices: string[] = [];
    const fitted = resolveConfig({ preset: 'mnist-vae', dataset: roll, onNotice: (l) => notices.push(l) });
    expect(fitted.model.likelihood).toEqual({ kind: 'gaussian', variance: 0.1, meanActivation: 'linear' });
    expect(notices).toEqual(["notice: swiss-roll is points data, so the decoder is Gaussian with variance 0.1 (choose with --likelihood or a config file)"]);
    expect(resolveConfig({ preset: 'mnist-vae' }).model.likelihood).toEqual({ kind: 'bernoulli' });
    const chosen = resolveConfig({ preset: 'mnist-vae', file: { model: { kind: 'vae', likelihood: { kind: 'squared-error' } } }, dataset: roll });
    expect(chosen.model.likelihood).toEqual({ kind: 'squared-error', meanActivation: 'linear' });
  });

  it('refuses a Bernoulli decoder on data outside [0, 1], naming who chose it and the range, and keeps it on data inside', () => {
    // The roll is standardized: its range, computed here independently of the rule, is what the message must quote.
    const values = [...roll.train.x, ...roll.test.x];
    const range = `from ${Math.min(...values).toPrecision(4)} to ${Math.max(...values).toPrecision(4)} (standardized)`;
    const bernoulli = { model: { likelihood: { kind: 'bernoulli' } } };
    const byFlag = () => resolveConfig({ preset: 'mnist-vae', overrides: bernoulli, named: { 'model.likelihood': '--likelihood bernoulli' }, dataset: roll });
    expect(byFlag).toThrow(`--likelihood bernoulli: a Bernoulli decoder needs data in [0, 1], and 'swiss-roll' has values ${range}; use --likelihood gaussian (or squared-error), or data scaled to [0, 1]`);
    expect(() => resolveConfig({ preset: 'mnist-vae', file: bernoulli, origin: '--config b.json', dataset: roll })).toThrow(/^--config b\.json \(model\.likelihood\): a Bernoulli decoder needs data in \[0, 1\]/);
    // Tabular data inside [0, 1] (one value at each end) keeps the Bernoulli decoder it chose.
    const unit = labelled(2);
    const x = Float32Array.from(unit.train.x, (v) => (v + 3) / 6);
    const inside = { ...unit, train: { ...unit.train, x }, test: { ...unit.test, x } };
    expect(resolveConfig({ preset: 'mnist-vae', overrides: bernoulli, dataset: inside }).model.likelihood).toEqual({ kind: 'bernoulli' });
    // A likelihood the overrides only carried over (vaekit train --model cvae) is not a choice: the data's rule applies.
    const switched = { model: { kind: 'cvae', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'bernoulli' } } };
    expect(resolveConfig({ preset: 'mnist-vae', overrides: switched, overridesChoseLikelihood: false, dataset: labelled(2) }).model.likelihood).toEqual({ kind: 'gaussian', variance: 0.1, meanActivation: 'linear' });
  });

  it("takes a switched-in conditional VAE's classes from the labels, and refuses too few classes or no labels", () => {
    const switched = resolveConfig({ preset: 'mnist-vae', overrides: { model: { kind: 'cvae', latent: 2, encoder: {}, decoder: {}, likelihood: { kind: 'gaussian' } } }, dataset: labelled(3) });
    expect(switched.model.kind === 'cvae' && switched.model.classes).toBe(3);
    const kept = resolveConfig({ preset: 'mnist-cvae', dataset: labelled(3) });
    expect(kept.model.kind === 'cvae' && kept.model.classes).toBe(10);
    expect(() => resolveConfig({ preset: 'mnist-cvae', overrides: { model: { classes: 2 } }, dataset: labelled(3) })).toThrow(/model\.classes 2: 'table\.csv' has 3 classes \(c0, c1, c2\); expected model\.classes >= 3/);
    expect(() => resolveConfig({ preset: 'mnist-cvae', dataset: roll })).toThrow(/the conditional VAE trains on labelled data, and 'swiss-roll' has no labels/);
  });

  it('refuses data options that the data cannot take', () => {
    expect(() => resolveConfig({ preset: 'mnist-vae', overrides: { data: { labelColumn: 'y' } }, dataset: roll })).toThrow(/--label-column y: applies to CSV data only/);
    expect(() => resolveConfig({ preset: 'mnist-vae', overrides: { data: { stream: true } }, dataset: roll })).toThrow(/--stream: streams uncompressed \.npy and IDX files only/);
    expect(() => resolveConfig({ preset: 'mnist-vae', overrides: { data: { binarize: 'dynamic' } }, dataset: roll })).toThrow(/binarization draws pixels from grey levels in \[0, 1\], and 'swiss-roll' has the value -?\d/);
  });

  it('names the flag that set a key when a cross-field rule refuses it', () => {
    expect(() => resolveConfig({ preset: 'iwae-paper', overrides: { model: { beta: 2, objective: { kind: 'iwae' } } }, named: { 'model.beta': '--beta 2' } })).toThrow(/^--beta 2 \(model\.beta\): the IWAE objective is defined for beta = 1; drop it or train with objective elbo$/);
    expect(() => resolveConfig({ preset: 'iwae-paper', overrides: { model: { beta: 2, objective: { kind: 'iwae' } } } })).toThrow(/^preset iwae-paper: model\.beta = 2: the IWAE objective/);
  });
});
