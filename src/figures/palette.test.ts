/** The continuous colour rule against viridis' published colours (matplotlib's _viridis_data). */
import { describe, expect, it } from 'vitest';
import { valueColours, VALUE_SCHEME } from './palette.js';
import { scatterSpec } from './charts.js';

const rgb = (css: string) => css.match(/\d+/g)!.map(Number);

describe('valueColours', () => {
  it("maps the values' range onto viridis: #440154 at the smallest, #21918c half way, #fde725 at the largest", () => {
    const [lo, mid, hi] = valueColours([2, 5, 8]).map(rgb);
    expect(lo).toEqual([0x44, 0x01, 0x54]);
    expect(hi).toEqual([0xfd, 0xe7, 0x25]);
    [0x21, 0x91, 0x8c].forEach((v, k) => expect(Math.abs(mid[k] - v)).toBeLessThanOrEqual(2));
  });

  it('is the scheme of the CLI scatter coloured by a value', () => {
    const spec = scatterSpec({ xy: Float32Array.of(0, 0, 1, 1), value: Float32Array.of(0, 1) }) as { encoding: { color: { scale: { scheme: string } } } };
    expect(spec.encoding.color.scale.scheme).toBe(VALUE_SCHEME);
  });
});
