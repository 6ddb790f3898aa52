/**
 * Latent map: the test codes as a scatter coloured by label (the codes themselves for a 2-D latent, else a PCA or
 * UMAP projection). Hovering decodes live, clicking pins: at the cursor's code for a 2-D latent, at the nearest test
 * example's code otherwise.
 */
import { Rng } from '../../../src/engine/rng.js';
import { project, row, type ProjectionMethod, type Rows } from '../../../src/latent/index.js';
import { AXES_PADDING, Frame, bounds2d, labelColour, paintAxes, paintMarker, paintOutput, paintScatter } from '../canvas.js';
import { valueColours } from '../../../src/figures/palette.js';
import type { Examples } from '../examples.js';
import { canvas, el, showNote, type ViewContext } from './context.js';

/** Index of the 2-D row nearest to (x, y). */
function nearest(xy: Rows, x: number, y: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < xy.n; i++) {
    const d = (xy.data[2 * i] - x) ** 2 + (xy.data[2 * i + 1] - y) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  }
  return best;
}

/** The legend: one swatch per label, or a colour bar for a value per example (the roll's position). */
function legend(names: string[] | undefined, { labels, values, valueName }: Examples): HTMLElement {
  if (!labels && values) {
    let [lo, hi] = [Infinity, -Infinity];
    for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const stops = valueColours(Array.from({ length: 11 }, (_, k) => k / 10));
    return el(
      'div',
      { className: 'hint', dataset: { testid: 'map-legend', colourBy: valueName ?? 'value' } },
      `colour: ${valueName ?? 'value'}`,
      el('div', { className: 'colourbar', style: `background:linear-gradient(to right, ${stops.join(', ')})` }),
      el('div', { className: 'colourbar-ends' }, el('span', {}, lo.toFixed(2)), el('span', {}, hi.toFixed(2))),
    );
  }
  if (!labels) return el('p', { className: 'hint', dataset: { testid: 'map-legend', colourBy: 'none' } }, 'unlabelled examples');
  const count = Math.max(...labels) + 1;
  const items = Array.from({ length: count }, (_, y) =>
    el('li', {}, el('span', { className: 'swatch', style: `background:${labelColour(y)}` }), names?.[y] ?? String(y)),
  );
  return el('ul', { className: 'legend', dataset: { testid: 'map-legend', colourBy: 'label' } }, ...items);
}

/** Mounts the latent map; returns its cleanup. */
export function mountMap(root: HTMLElement, ctx: ViewContext): () => void {
  const { model, metadata, test } = ctx.lab;
  const codes = ctx.codes();
  if (!test || !codes) {
    showNote(root, `The latent map needs test examples: ${ctx.dataNote()}.`);
    return () => {};
  }
  const direct = model.latentDim === 2;
  const map = canvas(520, 520, 'map-canvas');
  const out = canvas(224, 224, 'map-output');
  const caption = el('p', { className: 'caption', dataset: { testid: 'map-caption' } }, direct ? 'hover or click the map to decode that point' : 'hover or click a point to decode its code');
  const method = el('select', { disabled: direct }, el('option', { value: 'pca' }, 'PCA'), el('option', { value: 'umap' }, 'UMAP'));
  const heading = direct
    ? `${test.n} test codes (latent 2: the map is the latent plane itself)`
    : `${test.n} test codes, latent ${model.latentDim} projected to 2-D by `;
  const from = ctx.lab.testSource ? el('p', { className: 'hint', dataset: { testid: 'map-data-source' } }, ctx.lab.testSource) : '';
  root.replaceChildren(
    el('p', { className: 'hint' }, heading, ...(direct ? [] : [method])),
    from,
    el('div', { className: 'row' }, map, el('div', { className: 'side' }, out, caption, legend(metadata.labelNames, test))),
  );
  const axisNames = (): [string, string] => (direct ? ['z0', 'z1'] : method.value === 'umap' ? ['UMAP 1', 'UMAP 2'] : ['PCA 1', 'PCA 2']);

  let xy: Rows = codes;
  let frame = new Frame(map, bounds2d(xy.data, xy.n), AXES_PADDING);
  let pinned: [number, number] | undefined;

  const draw = (at?: [number, number]) => {
    paintScatter(frame, xy.data, xy.n, test);
    const [xLabel, yLabel] = axisNames();
    paintAxes(frame, { xLabel, yLabel });
    if (pinned) paintMarker(frame, ...pinned, '#000');
    if (at) paintMarker(frame, ...at, '#d62728');
  };
  const decodeAt = (px: number, py: number): [number, number] => {
    const [x, y] = frame.toData(px, py);
    if (direct) {
      paintOutput(out, ctx.decode(Float32Array.of(x, y)), metadata.inputShape, test);
      const as = ctx.label === undefined ? '' : `, decoded as class ${metadata.labelNames?.[ctx.label] ?? ctx.label}`;
      caption.textContent = `z = (${x.toFixed(2)}, ${y.toFixed(2)})${as}`;
      return [x, y];
    }
    const i = nearest(xy, x, y);
    const label = test.labels ? `, label ${metadata.labelNames?.[test.labels[i]] ?? test.labels[i]}` : '';
    paintOutput(out, ctx.decodeExample(i, row(codes, i)), metadata.inputShape, test);
    caption.textContent = `test example #${i}${label}: its code decoded`;
    return [xy.data[2 * i], xy.data[2 * i + 1]];
  };
  const pixel = (e: PointerEvent): [number, number] => {
    const r = map.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * map.width, ((e.clientY - r.top) / r.height) * map.height];
  };
  map.addEventListener('pointermove', (e) => draw(decodeAt(...pixel(e))));
  map.addEventListener('click', (e) => {
    pinned = decodeAt(...pixel(e as PointerEvent));
    map.dataset.pinned = pinned.map((v) => v.toFixed(3)).join(',');
    draw();
  });
  map.addEventListener('pointerleave', () => draw());
  method.addEventListener('change', () => {
    caption.textContent = 'projecting…';
    // Let the caption paint before the (synchronous) projection runs.
    setTimeout(() => {
      xy = project(codes, { method: method.value as ProjectionMethod, rng: new Rng(1) });
      frame = new Frame(map, bounds2d(xy.data, xy.n), AXES_PADDING);
      pinned = undefined;
      caption.textContent = 'hover or click a point to decode its code';
      draw();
    }, 20);
  });
  if (!direct) xy = project(codes, { method: 'pca', rng: new Rng(1) });
  frame = new Frame(map, bounds2d(xy.data, xy.n), AXES_PADDING);
  // Start with something decoded: the origin of the latent plane, or the first test example's code.
  draw(decodeAt(...(direct ? frame.toPixel(0, 0) : frame.toPixel(xy.data[0], xy.data[1]))));
  return () => {};
}
