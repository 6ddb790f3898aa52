/** Model card: what the model is (kind, shapes, likelihood, preprocessing, layers, parameters) and how well it does. */
import { lossNames } from '../../../src/models/index.js';
import { paintOutput } from '../canvas.js';
import { Rng } from '../../../src/engine/rng.js';
import { samplePrior } from '../../../src/latent/index.js';
import { canvas, el, type ViewContext } from './context.js';

const fmt = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(3)) : JSON.stringify(v));

/** A two-column table of [name, value] rows. */
function table(rows: [string, string][], testid?: string): HTMLTableElement {
  return el('table', testid ? { dataset: { testid } } : {}, ...rows.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
}

/** Mounts the model card; returns its cleanup. */
export function mountCard(root: HTMLElement, ctx: ViewContext): () => void {
  const { model, metadata, test, source } = ctx.lab;
  const layers = model.summary();
  const vars = model.variables();
  const total = vars.reduce((a, v) => a + v.variable.size, 0);
  const trainable = vars.filter((v) => v.trainable).reduce((a, v) => a + v.variable.size, 0);
  const enc = metadata.config.encoder;
  const describe = (b: typeof enc) =>
    b.kind === 'conv' ? `conv filters [${b.filters.join(', ')}], dense [${b.hidden.join(', ')}]` : `mlp [${b.hidden.join(', ')}], ${JSON.stringify(b.activation)}`;
  const about = table(
    [
      ['source', source],
      ['kind', metadata.kind],
      ['loss', lossNames(metadata.config).loss],
      ['dataset', metadata.dataset ?? 'not recorded'],
      ['input shape', `[${metadata.inputShape.join(', ')}]`],
      ['latent size', String(metadata.latentDim)],
      ['encoder', describe(enc)],
      ['decoder', describe(metadata.config.decoder)],
      ['likelihood', JSON.stringify(metadata.likelihood)],
      ['preprocessing', metadata.preprocessing.kind === 'scale' ? `x * ${metadata.preprocessing.scale.toPrecision(4)}` : metadata.preprocessing.kind],
      ['parameters', `${total.toLocaleString('en-US')} (${trainable.toLocaleString('en-US')} trainable), ${((total * 4) / 2 ** 20).toFixed(2)} MB`],
      ['saved by', `vaekit ${metadata.vaekitVersion}, model format ${metadata.formatVersion}`],
      ['backend here', ctx.backend],
    ],
    'card-about',
  );
  const layerTable = el(
    'table',
    {},
    el('tr', {}, el('th', {}, 'layer'), el('th', {}, 'type'), el('th', {}, 'output shape'), el('th', {}, 'parameters')),
    ...layers.map((l) => el('tr', {}, el('td', {}, l.name), el('td', {}, l.type), el('td', {}, `[${l.outputShape.join(', ')}]`), el('td', { className: 'num' }, l.params.toLocaleString('en-US')))),
  );
  const metrics: [string, string][] = [];
  const saved = metadata.extra as { epoch?: number; test?: Record<string, number | { usage: number; perplexity: number; size: number }> } | undefined;
  const at = `(at training, epoch ${saved?.epoch ?? '?'})`;
  for (const [k, v] of Object.entries(saved?.test ?? {})) {
    // A VQ-VAE's codebook: how much of it the test set used, and the perplexity of that use.
    if (typeof v === 'object') metrics.push([`test codes used ${at}`, `${(100 * v.usage).toFixed(1)}% of ${v.size}`], [`test codebook perplexity ${at}`, fmt(v.perplexity)]);
    else metrics.push([`test ${k} ${at}`, fmt(v)]);
  }
  const scores = ctx.testScores();
  if (test && scores) {
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    metrics.push([`test loss on the ${test.n} test examples here (as trained, in evaluation mode)`, mean.toFixed(2)]);
  }
  if (metrics.length === 0) metrics.push(['metrics', 'none recorded with this model, and no test examples loaded']);
  const samples = el('div', { className: 'strip' });
  const draws = samplePrior(model, 8, new Rng(3));
  for (let i = 0; i < draws.n; i++) {
    const c = canvas(64, 64);
    paintOutput(c, draws.data.subarray(i * draws.dim, (i + 1) * draws.dim), metadata.inputShape, test);
    samples.append(c);
  }
  root.replaceChildren(
    el('div', { className: 'row' }, el('div', {}, el('h3', {}, 'Model'), about), el('div', {}, el('h3', {}, 'Metrics'), table(metrics, 'card-metrics'), el('h3', {}, 'Prior samples'), samples)),
    el('h3', {}, 'Layers'),
    layerTable,
  );
  return () => {};
}
