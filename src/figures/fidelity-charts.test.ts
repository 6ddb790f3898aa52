/** The fidelity charts: shares that sum to one in shared bins, a symmetric diverging scale, and PNGs that decode and show both colours. */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/index.js';
import { compileChart, renderChart } from './charts.js';
import { correlationDiffSpec, marginalsSpec, type MarginalPanel } from './fidelity-charts.js';

const decode = (png: Uint8Array) => PNG.sync.read(Buffer.from(png));

/** Pixels whose colour is within `tol` of hex `colour` in each channel. */
function pixelsNear(png: PNG, colour: string, tol = 2): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i] - r) <= tol && Math.abs(png.data[i + 1] - g) <= tol && Math.abs(png.data[i + 2] - b) <= tol) count++;
  }
  return count;
}

function distinctColours(png: PNG): number {
  const seen = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) seen.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
  return seen.size;
}

const rng = new Rng(3);
const panels: MarginalPanel[] = [
  { name: 'age', kind: 'numeric', real: Array.from(rng.normalArray(500)), synthetic: Array.from(rng.normalArray(300), (v) => v + 1), note: 'KS 0.38' },
  { name: 'colour', kind: 'categorical', labels: ['red', 'green', 'blue'], real: [0.5, 0.3, 0.2], synthetic: [0.2, 0.3, 0.5], note: 'TV 0.30' },
  { name: 'city', kind: 'categorical', labels: Array.from({ length: 13 }, (_, k) => `c${k}`), real: Array<number>(13).fill(1 / 13), synthetic: [0.4, ...Array<number>(12).fill(0.05)] },
];

type Panel = { data: { values: { group: string; share: number; start?: number; end?: number; category?: string }[] } };

describe('marginalsSpec', () => {
  const spec = marginalsSpec({ panels, title: 'marginals' }) as unknown as { concat: Panel[]; columns: number };

  it('bins both samples of a numeric column on the same edges, each group summing to one', () => {
    const bars = spec.concat[0].data.values;
    const real = bars.filter((b) => b.group === 'real');
    const synthetic = bars.filter((b) => b.group === 'synthetic');
    expect(real.map((b) => [b.start, b.end])).toEqual(synthetic.map((b) => [b.start, b.end]));
    expect(real.reduce((s, b) => s + b.share, 0)).toBeCloseTo(1, 12);
    expect(synthetic.reduce((s, b) => s + b.share, 0)).toBeCloseTo(1, 12);
    // The edges cover both samples: the smallest real value and the largest synthetic one.
    expect(real[0].start).toBe(Math.min(...panels[0].real as number[], ...panels[0].synthetic as number[]));
    expect(real.at(-1)!.end).toBeCloseTo(Math.max(...panels[0].real as number[], ...panels[0].synthetic as number[]), 9);
  });

  it('keeps at most 10 categories a panel, the rest summed as other', () => {
    const bars = spec.concat[2].data.values.filter((b) => b.group === 'synthetic');
    expect(bars.map((b) => b.category)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'other']);
    expect(bars.at(-1)!.share).toBeCloseTo(4 * 0.05, 12);
    expect(spec.concat[1].data.values.map((b) => b.share)).toEqual([0.5, 0.3, 0.2, 0.2, 0.3, 0.5]);
  });

  it('renders to a PNG with the real and synthetic colours', () => {
    const png = decode(renderChart(marginalsSpec({ panels })).png);
    expect(png.width).toBeGreaterThan(1000); // three panels of 170 pixels and the legend, drawn at twice the size
    expect(png.height).toBeGreaterThan(250);
    expect(distinctColours(png)).toBeGreaterThan(10);
    // The categorical bars are opaque: the two group colours appear as they are.
    expect(pixelsNear(png, '#4e79a7')).toBeGreaterThan(1000);
    expect(pixelsNear(png, '#e15759')).toBeGreaterThan(1000);
  });
});

describe('correlationDiffSpec', () => {
  const names = ['a', 'bb', 'a long name'];
  const diff = [
    [0, 0.5, -0.2],
    [0.5, 0, -0.1],
    [-0.2, -0.1, 0],
  ];

  it('colours on a scale symmetric about 0, from the largest |difference|', () => {
    const compiled = JSON.stringify(compileChart(correlationDiffSpec({ names, diff })));
    expect(compiled).toMatch(/"domain":\[-0\.5,0\.5\]/);
  });

  it('renders to a PNG with red for a gained and blue for a lost correlation', () => {
    const png = decode(renderChart(correlationDiffSpec({ names, diff })).png);
    expect(png.width).toBeGreaterThan(200);
    expect(png.height).toBeGreaterThan(200);
    let [red, blue] = [0, 0];
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, b] = [png.data[i], png.data[i + 2]];
      if (r > b + 100) red++;
      if (b > r + 100) blue++;
    }
    // +0.5 is the red end of the scale (two cells and the legend); -0.2 a light blue.
    expect(red).toBeGreaterThan(2000);
    expect(blue).toBeGreaterThan(500);
  });
});
