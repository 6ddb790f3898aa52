/** report.html: the config, the metrics table and every figure, as one self-contained page that opens from disk. */
import type { LossNames } from '../models/index.js';
import { FIDELITY_PREFIX, fidelitySectionHtml, type FidelityRecord } from './fidelity.js';

/** A figure as the report shows it: an image file relative to the run folder, a title and a caption. */
export interface ReportFigure {
  id: string;
  title: string;
  caption: string;
  /** Relative path of the image (PNG) to show. */
  image: string;
  /** Other files of the figure (e.g. the SVG), linked under the image. */
  others?: string[];
  /** Display width in CSS pixels of a chart (its PNG is drawn at twice that); image grids show at their own size. */
  width?: number;
}

export interface ReportInput {
  title: string;
  config: unknown;
  history: {
    epoch: number;
    train: { loss: number; reconstruction: number; kl: number };
    test: { loss: number; reconstruction: number; kl: number; codebook?: { usage: number; perplexity: number; size: number } };
    samplesPerSecond: number;
    epochSeconds: number;
  }[];
  figures: ReportFigure[];
  /** What the loss is and its weighted term's name (registry.ts lossNames); a VAE's when not given. */
  loss?: LossNames;
  /** The disentanglement metrics (`vaekit disentangle`), shown in their own section with the figures whose id starts 'disentangle-'. */
  disentanglement?: { data: string; rows: { metric: string; value: number; settings: string }[] };
  /** A tabular run's synthetic data fidelity (fidelity.json), shown in its own section with the figures whose id starts 'fidelity-'. */
  fidelity?: FidelityRecord;
  generated?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** A relative path as a URL: each segment percent-encoded, so odd file names still resolve from disk. */
const href = (p: string) => p.split('/').map(encodeURIComponent).join('/');
const num = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(2) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toFixed(4)) : String(x));

/**
 * The report page. Only relative links to the run's own files; no script, stylesheet or font from anywhere else.
 *
 * @example
 * writeFileAtomic('runs/a/report.html', reportHtml({ title: 'runs/a', config, history, figures }));
 */
export function reportHtml({ title, config, history, figures, loss = { loss: 'negative ELBO', regularizer: 'KL' }, generated, disentanglement, fidelity }: ReportInput): string {
  const klName = loss.regularizer;
  const termHeads = klName === undefined ? [loss.loss] : ['loss', 'reconstruction', klName];
  const cells = (t: { loss: number; reconstruction: number; kl: number }) => (klName === undefined ? [t.reconstruction] : [t.loss, t.reconstruction, t.kl]);
  // A discrete-code model (VQ-VAE) adds its test codebook's usage and perplexity.
  const codebook = history.some((m) => m.test.codebook) ? ['codes used', 'perplexity'] : [];
  const codebookCells = (m: ReportInput['history'][number]) =>
    codebook.length === 0 ? '' : m.test.codebook ? `<td>${(100 * m.test.codebook.usage).toFixed(1)}%</td><td>${num(m.test.codebook.perplexity)}</td>` : '<td></td><td></td>';
  const rows = history
    .map((m) => `<tr><td>${m.epoch}</td>${[...cells(m.train), ...cells(m.test)].map((v) => `<td>${num(v)}</td>`).join('')}${codebookCells(m)}<td>${Math.round(m.samplesPerSecond)}</td><td>${m.epochSeconds.toFixed(1)}</td></tr>`)
    .join('\n');
  const isDisentangle = (f: ReportFigure) => disentanglement !== undefined && f.id.startsWith('disentangle-');
  const figureHtml = (list: ReportFigure[]) => list
    .map(
      (f) => `<figure id="${esc(f.id)}">
<h3>${esc(f.title)}</h3>
<a href="${href(f.image)}"><img src="${href(f.image)}" alt="${esc(f.title)}"${f.width ? ` width="${Math.round(f.width)}" class="chart"` : ' class="grid"'}></a>
<figcaption>${esc(f.caption)}${(f.others ?? []).map((o) => ` <a href="${href(o)}">${esc(o)}</a>`).join('')}</figcaption>
</figure>`,
    )
    .join('\n');
  const isFidelity = (f: ReportFigure) => fidelity !== undefined && f.id.startsWith(FIDELITY_PREFIX);
  const figs = figureHtml(figures.filter((f) => !isDisentangle(f) && !isFidelity(f)));
  const fidelitySection = fidelity ? fidelitySectionHtml(fidelity, figureHtml(figures.filter(isFidelity))) : '';
  const disentangleSection = disentanglement
    ? `<h2>Disentanglement</h2>
<table>
<thead><tr><th>metric</th><th>value</th><th>settings</th></tr></thead>
<tbody>
${disentanglement.rows.map((r) => `<tr><td>${esc(r.metric)}</td><td>${num(r.value)}</td><td style="text-align: left">${esc(r.settings)}</td></tr>`).join('\n')}
</tbody>
</table>
<p>On ${esc(disentanglement.data)} examples sampled from its factors, encoded with the encoder mean (vaekit disentangle).</p>
${figureHtml(figures.filter(isDisentangle))}
`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}: vaekit report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: right; }
th { background: #f3f3f3; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figure img.grid { image-rendering: pixelated; }
figcaption { color: #555; font-size: 0.9rem; max-width: 60rem; }
pre { background: #f7f7f7; padding: 0.8rem; overflow: auto; font-size: 0.8rem; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${generated ? `<p>Generated ${esc(generated)} by vaekit.</p>` : ''}
<h2>Metrics</h2>
${
  history.length === 0
    ? '<p>No epoch has finished yet.</p>'
    : `<table>
<thead><tr><th rowspan="2">epoch</th><th colspan="${termHeads.length}">train</th><th colspan="${termHeads.length + codebook.length}">test</th><th rowspan="2">samples/s</th><th rowspan="2">seconds</th></tr>
<tr>${[...termHeads, ...termHeads, ...codebook].map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>Per-example means; the loss is the ${esc(loss.loss)}${klName === undefined ? '' : ` (the reconstruction and ${esc(klName)} terms beside it)`}.${
    codebook.length === 0 ? '' : ' Codes used: the fraction of the codebook chosen for at least one test code vector; perplexity: exp(entropy of the codes’ use), the codebook size when all are used equally.'
  }</p>`
}
${fidelitySection}${disentangleSection}<h2>Figures</h2>
${figs || '<p>No figures yet.</p>'}
<h2>Config</h2>
<pre>${esc(JSON.stringify(config, null, 2))}</pre>
</body>
</html>
`;
}
