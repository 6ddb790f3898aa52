/**
 * Interpolation: pick two test examples; their codes are joined by a straight (lerp) or great-circle (slerp) path,
 * shown decoded as a strip and as an animation that runs back and forth.
 */
import { interpolate, row } from '../../../src/latent/index.js';
import { paintOutput } from '../canvas.js';
import { canvas, el, showNote, type ViewContext } from './context.js';

const GALLERY = 40;
const STRIP_STEPS = 10;
const ANIMATION_STEPS = 90; // codes per one-way pass; about 1.5 s at 60 frames/s

/** Mounts the interpolation view; returns its cleanup. */
export function mountInterpolation(root: HTMLElement, ctx: ViewContext): () => void {
  const { model, metadata, test } = ctx.lab;
  const codes = ctx.codes();
  if (!test || !codes) {
    showNote(root, `Interpolation picks two test examples: ${ctx.dataNote()}.`);
    return () => {};
  }
  const ends: [number, number] = [0, Math.min(1, test.n - 1)];
  let next: 0 | 1 = 0;
  const method = el('select', {}, el('option', { value: 'lerp' }, 'linear (lerp)'), el('option', { value: 'slerp' }, 'spherical (slerp)'));
  const strip = el('div', { className: 'strip', dataset: { testid: 'interp-strip' } });
  const movie = canvas(224, 224, 'interp-animation');
  const play = el('button', {}, 'pause');
  const status = el('p', { className: 'caption' });
  const thumbs = Array.from({ length: Math.min(GALLERY, test.n) }, (_, i) => {
    const c = canvas(40, 40);
    c.title = `test example #${i}`;
    c.dataset.testid = `interp-pick-${i}`;
    paintOutput(c, test.x.subarray(i * test.dim, (i + 1) * test.dim), metadata.inputShape, test);
    c.addEventListener('click', () => {
      ends[next] = i;
      next = next === 0 ? 1 : 0;
      update();
    });
    return c;
  });
  root.replaceChildren(
    el('p', { className: 'hint' }, 'Click two test examples (first A, then B). Path: ', method),
    el('div', { className: 'row' }, el('div', { className: 'gallery' }, ...thumbs), el('div', { className: 'side' }, movie, el('div', { className: 'buttons' }, play), status)),
    el('h3', {}, `The path in ${STRIP_STEPS} steps, A to B`),
    strip,
  );

  let path: Float32Array = new Float32Array(0);
  function update(): void {
    thumbs.forEach((c, i) => {
      c.classList.toggle('a', i === ends[0]);
      c.classList.toggle('b', i === ends[1]);
    });
    const [zFrom, zTo] = [row(codes!, ends[0]), row(codes!, ends[1])];
    const kind = method.value as 'lerp' | 'slerp';
    const steps = interpolate({ zFrom, zTo, steps: STRIP_STEPS, method: kind });
    strip.replaceChildren(
      ...Array.from({ length: steps.n }, (_, s) => {
        const c = canvas(72, 72);
        paintOutput(c, ctx.decode(steps.data.subarray(s * steps.dim, (s + 1) * steps.dim)), metadata.inputShape, test);
        return c;
      }),
    );
    strip.dataset.from = String(ends[0]);
    strip.dataset.to = String(ends[1]);
    path = interpolate({ zFrom, zTo, steps: ANIMATION_STEPS, method: kind }).data;
    status.textContent = `A = #${ends[0]}, B = #${ends[1]}, ${kind}`;
  }
  method.addEventListener('change', update);

  let playing = true;
  let frame = 0;
  let t = 0;
  const L = model.latentDim;
  function tick(): void {
    frame = requestAnimationFrame(tick);
    if (!playing || !root.offsetParent) return; // paused, or the tab is hidden
    const k = t < ANIMATION_STEPS ? t : 2 * ANIMATION_STEPS - 1 - t; // there and back
    paintOutput(movie, ctx.decode(path.subarray(k * L, (k + 1) * L)), metadata.inputShape, test);
    t = (t + 1) % (2 * ANIMATION_STEPS);
  }
  play.addEventListener('click', () => {
    playing = !playing;
    play.textContent = playing ? 'pause' : 'play';
  });
  update();
  tick();
  return () => cancelAnimationFrame(frame);
}
