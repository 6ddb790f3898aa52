/**
 * Sliders: one per latent dimension over [-3, 3]; the decoded output follows as you drag. Decoding runs once per
 * animation frame at most, and the page shows the decode latency and the frame rate while dragging.
 */
import { Rng } from '../../../src/engine/rng.js';
import { row } from '../../../src/latent/index.js';
import { paintOutput } from '../canvas.js';
import { canvas, el, type ViewContext } from './context.js';

const RANGE = 3;
const WINDOW = 60; // latency and frame-rate averages over the last 60 frames

/** Mounts the sliders; returns its cleanup. */
export function mountSliders(root: HTMLElement, ctx: ViewContext): () => void {
  const { model, metadata, test } = ctx.lab;
  const z = new Float32Array(model.latentDim);
  const out = canvas(280, 280, 'slider-output');
  const stats = el('p', { className: 'stats', dataset: { testid: 'slider-stats' } }, 'drag a slider');
  const inputs = Array.from(z, (_, j) => {
    const value = el('output', {}, '0.00');
    const input = el('input', { type: 'range', min: String(-RANGE), max: String(RANGE), step: '0.01', value: '0' });
    input.dataset.testid = `slider-${j}`;
    input.addEventListener('input', () => {
      z[j] = Number(input.value);
      value.textContent = z[j].toFixed(2);
      schedule();
    });
    return { input, value, line: el('label', { className: 'slider' }, el('span', {}, `z${j}`), input, value) };
  });
  const setAll = (values: Float32Array) => {
    z.set(values);
    inputs.forEach(({ input, value }, j) => {
      input.value = String(z[j]);
      value.textContent = z[j].toFixed(2);
    });
    schedule();
  };
  const rng = new Rng(7);
  const buttons = [
    el('button', { onclick: () => setAll(new Float32Array(z.length)) }, 'all zero'),
    el('button', { onclick: () => setAll(rng.normalArray(z.length).map((v) => Math.max(-RANGE, Math.min(RANGE, v)))) }, 'draw from the prior'),
  ];
  const codes = ctx.codes();
  if (codes) buttons.push(el('button', { onclick: () => setAll(row(codes, rng.int(codes.n))) }, 'a random test code'));
  root.replaceChildren(
    el('div', { className: 'row' }, el('div', { className: 'sliders' }, ...inputs.map((i) => i.line)), el('div', { className: 'side' }, out, stats, el('div', { className: 'buttons' }, ...buttons))),
  );

  const latencies: number[] = [];
  const frameTimes: number[] = [];
  let frame = 0;
  function render(now: number): void {
    frame = 0;
    const t0 = performance.now();
    paintOutput(out, ctx.decode(z), metadata.inputShape, test);
    latencies.push(performance.now() - t0);
    frameTimes.push(now);
    if (latencies.length > WINDOW) latencies.shift();
    if (frameTimes.length > WINDOW) frameTimes.shift();
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    // Frames per second while dragging: over the latest run of frames with no pause longer than 0.5 s.
    let first = frameTimes.length - 1;
    while (first > 0 && frameTimes[first] - frameTimes[first - 1] < 500) first--;
    const intervals = frameTimes.length - 1 - first;
    const fps = intervals >= 5 ? (intervals * 1000) / (now - frameTimes[first]) : undefined;
    stats.dataset.latencyMs = mean.toFixed(3);
    stats.dataset.frames = String(Number(stats.dataset.frames ?? 0) + 1);
    if (fps !== undefined) stats.dataset.fps = fps.toFixed(1);
    stats.textContent = `decode + draw ${mean.toFixed(2)} ms (mean of ${latencies.length})${fps ? ` · ${fps.toFixed(0)} frames/s while dragging` : ''} · ${ctx.backend}`;
  }
  function schedule(): void {
    if (!frame) frame = requestAnimationFrame(render);
  }
  schedule();
  return () => cancelAnimationFrame(frame);
}
