/**
 * The lab page: starts a backend, loads a model (the served run's, else the bundled default), and shows the views
 * in tabs. Any failure is shown in the error banner; the page never stays blank.
 */
import './style.css';
import { tf } from '../../src/engine/tf.js';
import { initPageBackend } from '../../src/engine/page-backend.js';
import { loadFromFiles, loadFromUrl, runManifest, type Lab } from './lab.js';
import { ViewContext, showNote } from './views/context.js';
import { mountMap } from './views/map.js';
import { mountSliders } from './views/sliders.js';
import { mountInterpolation } from './views/interpolate.js';
import { mountDraw } from './views/draw.js';
import { mountTrain } from './views/train.js';
import { mountCard } from './views/card.js';
import { mountSweepPicker } from './sweep-picker.js';

type Mount = (root: HTMLElement, ctx: ViewContext) => () => void;

/** The tabs; `model` views are rebuilt for each loaded model, the train view lives as long as the page. */
const VIEWS: { id: string; title: string; mount?: Mount }[] = [
  { id: 'map', title: 'Latent map', mount: mountMap },
  { id: 'sliders', title: 'Sliders', mount: mountSliders },
  { id: 'interpolate', title: 'Interpolation', mount: mountInterpolation },
  { id: 'draw', title: 'Draw', mount: mountDraw },
  { id: 'train', title: 'Train' },
  { id: 'card', title: 'Model card', mount: mountCard },
];

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const errorBox = $<HTMLDivElement>('[data-testid=error]');

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Shows an error in the banner (several in a row accumulate). */
function showError(text: string): void {
  errorBox.hidden = false;
  errorBox.textContent = errorBox.textContent ? `${errorBox.textContent}\n${text}` : text;
}

// For the browser console and the end-to-end tests: the live tensor count, which stays flat as the views are used.
Object.assign(window, { vaekitLab: { liveTensors: () => tf.memory().numTensors } });

window.addEventListener('error', (e) => showError(`unexpected error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => showError(`unexpected error: ${message(e.reason)}`));

const sections = new Map<string, HTMLElement>();
const cleanups = new Map<string, () => void>();
let current: ViewContext | undefined;
let backend = 'none';
let active = 'map';

/** Mounts the active model view if it is not mounted yet; failures land in the view and the banner. */
function mountActive(): void {
  const view = VIEWS.find((v) => v.id === active);
  const root = sections.get(active)!;
  if (!view?.mount || cleanups.has(active)) return;
  if (!current) return showNote(root, 'No model is loaded: open a model.json and its weights.bin with "open a model…" above.');
  try {
    cleanups.set(active, view.mount(root, current));
  } catch (err) {
    showNote(root, `This view could not start: ${message(err)}`);
    showError(`${view.title}: ${message(err)}`);
    cleanups.set(active, () => {});
  }
}

function select(id: string): void {
  active = id;
  for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.setAttribute('aria-selected', String(b.dataset.tab === id));
  for (const [key, section] of sections) section.hidden = key !== id;
  mountActive();
}

/** Unmounts every model view; the next selection mounts afresh. */
function unmountAll(): void {
  for (const cleanup of cleanups.values()) cleanup();
  cleanups.clear();
}

/** Shows the class picker for a conditional VAE (which decodes every code as a chosen class), hides it otherwise. */
function showClassPicker(ctx: ViewContext): void {
  const { classes } = ctx.lab.model;
  const picker = $<HTMLLabelElement>('[data-testid=class-picker]');
  picker.hidden = classes === undefined;
  const select = $<HTMLSelectElement>('[data-testid=class-select]');
  const names = ctx.lab.metadata.labelNames;
  select.replaceChildren(...Array.from({ length: classes ?? 0 }, (_, k) => Object.assign(document.createElement('option'), { value: String(k), textContent: names?.[k] ?? String(k) })));
  select.onchange = () => {
    ctx.label = Number(select.value);
    unmountAll();
    mountActive();
  };
}

/** Makes `lab` the current model: disposes the previous one and remounts the model views. */
function useLab(lab: Lab): void {
  unmountAll();
  current?.lab.model.dispose();
  current = new ViewContext(lab, backend);
  showClassPicker(current);
  $('[data-testid=source]').textContent = `model: ${lab.source}${lab.testSource ? ` · ${lab.testSource}` : ''}`;
  errorBox.hidden = true;
  errorBox.textContent = '';
  select(active);
}

/** Loads a model with `load`; a failure keeps the current model and shows why. */
async function tryLoad(what: string, load: () => Promise<Lab>): Promise<void> {
  try {
    useLab(await load());
  } catch (err) {
    showError(`Could not load ${what}: ${message(err)}`);
    if (!current) for (const v of VIEWS) if (v.mount) showNote(sections.get(v.id)!, `No model is loaded (${message(err)}).`);
    if (!current) $('[data-testid=source]').textContent = 'no model loaded';
  }
}

function buildShell(): void {
  const nav = $('nav');
  const main = $('main');
  for (const v of VIEWS) {
    const button = Object.assign(document.createElement('button'), { textContent: v.title, onclick: () => select(v.id) });
    button.dataset.tab = v.id;
    nav.append(button);
    const section = document.createElement('section');
    section.dataset.view = v.id;
    main.append(section);
    sections.set(v.id, section);
  }
  $<HTMLInputElement>('[data-testid=open-files]').addEventListener('change', (e) => {
    const files = Array.from((e.target as HTMLInputElement).files ?? []);
    void tryLoad(files.map((f) => f.name).join(', '), () => loadFromFiles(files));
  });
}

async function boot(): Promise<void> {
  buildShell();
  const params = new URLSearchParams(location.search);
  try {
    const pick = await initPageBackend(params.get('backend'));
    backend = pick.name;
    const badge = $('[data-testid=backend]');
    badge.textContent = pick.name;
    if (pick.notices.length > 0) badge.title = pick.notices.join('\n');
  } catch (err) {
    showError(`No tensor backend: ${message(err)}`);
    return;
  }
  // "explore this model" shows the model where it is seen first: on the latent map.
  mountTrain(sections.get('train')!, {
    backend,
    open: (lab) => {
      active = 'map';
      useLab(lab);
    },
  });
  const run = params.get('model') === 'default' ? undefined : await runManifest().catch(() => undefined);
  if (run) await tryLoad(`run ${run.name}`, () => loadFromUrl('run/', `run ${run.name}`, run.data.note, run.data.files));
  else await tryLoad('the bundled default model', () => loadFromUrl('default/', 'bundled default model (MNIST VAE, latent 2)'));
  if (!current) select(active);
  if (run) await mountSweepPicker(run, (base, source) => tryLoad(source, () => loadFromUrl(base, source))).catch((err) => showError(`sweep runs: ${message(err)}`));
  document.body.dataset.ready = 'true';
}

void boot();
