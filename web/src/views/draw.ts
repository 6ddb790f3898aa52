/**
 * Draw: draw a digit with mouse, pen or touch; see what the model reads, its reconstruction, and its loss (the
 * negative ELBO for a VAE) placed against the test set's: the share of test examples it exceeds is its anomaly score.
 */
import { reconstructRows } from '../../../src/latent/index.js';
import { lossNames } from '../../../src/models/index.js';
import { context2d, paintImage, paintLines } from '../canvas.js';
import { digitize } from '../digitize.js';
import { canvas, SCORE_SAMPLES, el, exampleLoss, showNote, type ViewContext } from './context.js';

const BINS = 40;

/** A histogram of `scores` with a marker at `mark`. */
function paintHistogram(target: HTMLCanvasElement, scores: Float32Array, mark?: number): void {
  let [lo, hi] = [Math.min(...scores), Math.max(...scores)];
  if (mark !== undefined) [lo, hi] = [Math.min(lo, mark), Math.max(hi, mark)];
  const counts = new Array<number>(BINS).fill(0);
  for (const s of scores) counts[Math.min(BINS - 1, Math.floor(((s - lo) / (hi - lo || 1)) * BINS))]++;
  const ctx = context2d(target);
  const { width, height } = target;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const top = Math.max(...counts);
  const bw = width / BINS;
  ctx.fillStyle = '#9ab';
  counts.forEach((c, i) => ctx.fillRect(i * bw + 1, height - 16 - (c / top) * (height - 24), bw - 2, (c / top) * (height - 24)));
  ctx.fillStyle = '#444';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(lo.toFixed(0), 2, height - 3);
  ctx.fillText(hi.toFixed(0), width - 30, height - 3);
  if (mark === undefined) return;
  const x = ((mark - lo) / (hi - lo || 1)) * width;
  ctx.strokeStyle = '#d62728';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, 0);
  ctx.lineTo(x, height - 14);
  ctx.stroke();
}

/** Mounts the drawing view; returns its cleanup. */
export function mountDraw(root: HTMLElement, ctx: ViewContext): () => void {
  const { model, metadata } = ctx.lab;
  const [h, w, c] = metadata.inputShape;
  if (metadata.inputShape.length !== 3 || c !== 1) {
    showNote(root, `Drawing needs a model of grey images ([H, W, 1]); this one reads [${metadata.inputShape.join(', ')}].`);
    return () => {};
  }
  const pad = canvas(280, 280, 'draw-pad');
  pad.style.touchAction = 'none';
  pad.style.background = '#000';
  const input = canvas(112, 112, 'draw-input');
  const recon = canvas(112, 112, 'draw-recon');
  const hist = canvas(320, 120, 'draw-hist');
  const score = el('p', { className: 'stats', dataset: { testid: 'draw-score' } }, 'draw a digit in the black square');
  const clear = el('button', {}, 'clear');
  const lossName = lossNames(metadata.config).loss; // what the model's loss is: 'negative ELBO', 'reconstruction + 10 × MMD', ...
  const scores = ctx.testScores();
  root.replaceChildren(
    el(
      'div',
      { className: 'row' },
      el('div', { className: 'side' }, pad, el('div', { className: 'buttons' }, clear)),
      el('div', { className: 'side' }, el('span', { className: 'caption' }, `what the model reads (${h}x${w})`), input, el('span', { className: 'caption' }, 'its reconstruction'), recon),
      el('div', { className: 'side' }, score, hist, el('p', { className: 'hint' }, scores ? `${lossName} of the ${scores.length} test examples (red: your drawing)` : `no test examples to compare with: ${ctx.dataNote()}`)),
    ),
  );
  const pen = context2d(pad);
  const reset = () => {
    pen.fillStyle = '#000';
    pen.fillRect(0, 0, pad.width, pad.height);
    for (const target of [input, recon]) paintImage(target, new Float32Array(h * w), [h, w, 1]);
    if (scores) paintHistogram(hist, scores);
    else paintLines(hist, []);
    score.textContent = 'draw a digit in the black square';
    delete score.dataset.loss;
  };

  function evaluate(): void {
    const x = digitize(pad, h, w);
    if (!x) return;
    paintImage(input, x, [h, w, 1]);
    paintImage(recon, reconstructRows(model, { data: x, n: 1, dim: h * w }, ctx.labels(1)).data, [h, w, 1]);
    const loss = exampleLoss(model, x, 1, SCORE_SAMPLES, ctx.labels(1))[0];
    score.dataset.loss = loss.toFixed(3);
    if (!scores) {
      score.textContent = `${lossName}: ${loss.toFixed(1)}`;
      return;
    }
    const above = scores.filter((s) => s < loss).length / scores.length;
    const verdict = above >= 0.99 ? 'anomalous (beyond 99% of test digits)' : above >= 0.95 ? 'unusual (beyond 95%)' : 'typical';
    score.dataset.anomaly = above.toFixed(3);
    score.textContent = `${lossName}: ${loss.toFixed(1)} · higher than ${(100 * above).toFixed(0)}% of test examples · ${verdict}`;
    paintHistogram(hist, scores, loss);
  }

  let last: [number, number] | undefined;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * pad.width, ((e.clientY - r.top) / r.height) * pad.height];
  };
  pad.addEventListener('pointerdown', (e) => {
    pad.setPointerCapture(e.pointerId);
    last = at(e);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    pen.strokeStyle = '#fff';
    pen.lineWidth = 20;
    pen.lineCap = 'round';
    pen.beginPath();
    pen.moveTo(...last);
    pen.lineTo(...p);
    pen.stroke();
    last = p;
  });
  const end = () => {
    if (!last) return;
    last = undefined;
    evaluate();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  clear.addEventListener('click', reset);
  reset();
  return () => {};
}
