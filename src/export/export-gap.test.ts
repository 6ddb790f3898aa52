/** Kinds whose computation is more than encoder -> heads -> decoder are refused by `exportRun`, naming what the graphs would lose, and nothing is written. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../engine/index.js';
import { modelSchema } from '../config/schema.js';
import { buildModel, modelKind } from '../models/index.js';
import { saveModel } from '../io/model-files.js';
import { UsageError } from '../errors.js';
import { tempDir } from '../../test/helpers.js';
import { exportRun } from './files.js';

const tmp = tempDir('export-gap');
afterAll(tmp.remove);

const net = { encoder: { hidden: [4] }, decoder: { hidden: [4] }, likelihood: { kind: 'bernoulli' } };
const cases: [string, Record<string, unknown>, RegExp][] = [
  ['flow-vae', { kind: 'flow-vae', latent: 2, flow: { kind: 'planar', steps: 1 }, ...net }, /posterior flow/],
  ['hierarchical-vae', { kind: 'hierarchical-vae', latent: 2, latent2: 2, upper: { hidden: [3] }, ...net }, /second stochastic layer/],
  ['vamp-prior', { kind: 'vamp-prior', latent: 2, pseudoInputs: 3, ...net }, /pseudo-inputs/],
  ['vq-vae', { kind: 'vq-vae', latent: 4, codeDim: 2, codebookSize: 4, ...net }, /codebook quantization/],
];

describe('export of a kind the graphs cannot hold', () => {
  for (const [kind, config, gap] of cases) {
    it(`${kind}: refused in one line naming what would be lost; no folder written`, async () => {
      await initBackend('cpu');
      expect(modelKind(kind).exportGap).toMatch(gap);
      const model = buildModel(modelSchema.parse(config), 6, new Rng(1), { inputShape: [6] });
      const run = path.join(tmp.dir, kind);
      saveModel(run, model, { inputShape: [6], preprocessing: { kind: 'none' } });
      model.dispose();
      for (const format of ['onnx', 'pytorch'] as const) {
        const out = path.join(tmp.dir, `${kind}-${format}`);
        let err: unknown;
        try {
          exportRun({ run, format, out });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(UsageError);
        expect((err as Error).message).toMatch(new RegExp(`a ${kind} model cannot be exported as encoder and decoder graphs without losing its .*${gap.source}`));
        expect((err as Error).message).not.toContain('\n');
        expect(existsSync(out)).toBe(false);
      }
    });
  }

  it('the plain VAE and the zoo kinds with an encoder -> decoder graph have no gap', () => {
    for (const kind of ['vae', 'beta-tcvae', 'factor-vae', 'wae-mmd', 'rae']) expect(modelKind(kind).exportGap, kind).toBeUndefined();
  });
});
