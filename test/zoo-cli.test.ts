/** The model zoo's MNIST presets from the command line: train, the report's naming of the loss, eval and its NLL refusal. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('zoo-cli');
afterAll(tmp.remove);

const history = (run: string) =>
  readFileSync(path.join(tmp.dir, run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { test: { loss: number; reconstruction: number; kl: number } });

describe('the zoo presets through vaekit', () => {
  const cases = [
    { preset: 'mnist-wae-mmd', loss: 'reconstruction + 10 × MMD', term: 'MMD', posterior: false },
    { preset: 'mnist-rae', loss: 'reconstruction + |z|²/2 + decoder weight decay', term: '|z|²/2', posterior: false },
    { preset: 'mnist-rae-gp', kind: 'rae', loss: 'reconstruction + |z|²/2 + decoder gradient penalty', term: '|z|²/2', posterior: false },
    { preset: 'mnist-info-vae', loss: 'reconstruction + 1 × KL + 999 × MMD', term: 'MMD', posterior: true },
    { preset: 'mnist-vamp-prior', loss: 'reconstruction + KL to the VampPrior (K = 500, sampled)', term: 'KL', posterior: true },
    { preset: 'mnist-planar-flow', loss: 'reconstruction + KL of the 10-step planar flow posterior (sampled)', term: 'KL', posterior: true },
    { preset: 'mnist-radial-flow', loss: 'reconstruction + KL of the 10-step radial flow posterior (sampled)', term: 'KL', posterior: true },
    { preset: 'mnist-iaf', loss: 'reconstruction + KL of the 2-step IAF flow posterior (sampled)', term: 'KL', posterior: true },
    { preset: 'iwae-paper-2layer', loss: 'negative ELBO (two stochastic layers, KL sampled)', term: 'KL', posterior: true },
  ];
  for (const c of cases) {
    it(`${c.preset}: trains 2 epochs with falling test reconstruction, names its loss in the report and evaluates`, { timeout: 240_000 }, async () => {
      const train = await runCli(tmp.dir, 'train', '--preset', c.preset, '--epochs', '2', '--limit', '1200', '--out', c.preset, '--json');
      expect(train.stderr).not.toMatch(/\n\s+at /);
      expect(train.code).toBe(0);
      const h = history(c.preset);
      expect(h).toHaveLength(2);
      expect(h[1].test.reconstruction).toBeLessThan(h[0].test.reconstruction);
      const report = readFileSync(path.join(tmp.dir, c.preset, 'report.html'), 'utf8');
      expect(report).toContain(`the loss is the ${c.loss}`);
      expect(report).toContain(`<th>${c.term}</th>`);
      const evaluated = await runCli(tmp.dir, 'eval', c.preset, '--json');
      expect(evaluated.code).toBe(0);
      const e = JSON.parse(evaluated.stdout);
      // The same test split; a Gaussian encoder's z is drawn afresh, so within 2% rather than exactly.
      expect(Math.abs(e.reconstruction - h[1].test.reconstruction)).toBeLessThan(0.02 * h[1].test.reconstruction);
      expect('activeUnits' in e).toBe(c.posterior);
      // z2's units, for the one kind with a second stochastic layer: a count of its 50 variances.
      expect('activeUnits2' in e).toBe(c.preset === 'iwae-paper-2layer');
      if ('activeUnits2' in e) {
        expect(e.latent2).toBe(50);
        expect(e.activeUnitVariances2).toHaveLength(50);
        expect(e.activeUnits2).toBe(e.activeUnitVariances2.filter((v: number) => v > 0.01).length);
      }
      const nll = await runCli(tmp.dir, 'eval', c.preset, '--nll', '--k', '10', '--nll-examples', '20', '--json');
      if (c.posterior) {
        expect(nll.code).toBe(0);
        expect(JSON.parse(nll.stdout).nll).toBeGreaterThan(0);
      } else {
        expect(nll.code).toBe(2);
        expect(JSON.parse(nll.stdout).error.message).toMatch(new RegExp(`the ${c.kind ?? c.preset.slice(6)} model has no posterior q\\(z\\|x\\)`));
      }
    });
  }

  it('--beta on a kind without a weighted term is refused by name', async () => {
    const r = await runCli(tmp.dir, 'train', '--preset', 'mnist-wae-mmd', '--beta', '2', '--out', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--beta 2: a wae-mmd model has no KL or anchor term to weight/);
  });
});
