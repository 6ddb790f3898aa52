/** The lab's axis ticks (web/src/canvas.ts) against d3's, which the CLI's Vega figures tick by, over many ranges. */
import { scale } from 'vega';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/rng.js';
import { ticks } from '../web/src/canvas.js';

describe('ticks', () => {
  it("gives d3's tick values for random ranges of the size of latent codes and of losses", () => {
    const rng = new Rng(21);
    for (let k = 0; k < 300; k++) {
      const span = 10 ** (rng.uniform() * 6 - 2); // 0.01 .. 10,000
      const lo = (rng.uniform() - 0.5) * 4 * span;
      const hi = lo + span;
      const count = 3 + rng.int(6);
      const d3 = (scale('linear')().domain([lo, hi]).ticks(count) as number[]).map((v) => Number(v.toPrecision(12)));
      const ours = ticks(lo, hi, count);
      expect(ours.values.map((v) => Number(v.toPrecision(12)))).toEqual(d3);
      expect(ours.labels.map(Number)).toEqual(ours.values.map((v) => Number(v.toPrecision(12))));
    }
  });

  it('labels with the decimals the step needs', () => {
    expect(ticks(-3.2, 4.1, 6).labels).toEqual(['-3', '-2', '-1', '0', '1', '2', '3', '4']);
    expect(ticks(0.12, 0.43, 6).labels).toEqual(['0.15', '0.20', '0.25', '0.30', '0.35', '0.40']);
    expect(ticks(181.2, 548.7, 4).labels).toEqual(['200', '300', '400', '500']);
  });
});
