/**
 * The run picker of `vaekit serve SWEEP`: when the server lists a sweep's runs at `sweep.json`, a select (with previous
 * and next buttons) in the header opens each run's model in turn, read-only; otherwise nothing is added.
 */
import { fetchBytes } from './lab.js';

/** What `vaekit serve SWEEP` lists at sweep.json (src/server/sweep-assets.ts). */
interface SweepManifest {
  name: string;
  runs: { name: string; path: string; values: Record<string, unknown> }[];
}

/** `model.kind=vae, model.latent=8`. */
const valuesText = (values: Record<string, unknown>) => Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');

/**
 * Adds the picker to the header when the page serves a sweep (`run`, the served run's manifest, has `sweep: true`);
 * `open(base, source)` loads the model folder at `base`.
 * The first run is the one the page opened at start.
 *
 * @example
 * await mountSweepPicker(run, (base, source) => tryLoad(source, () => loadFromUrl(base, source)));
 */
export async function mountSweepPicker(run: object, open: (base: string, source: string) => Promise<void>): Promise<void> {
  // The run's manifest says whether it belongs to a served sweep, so a single run never asks for (and 404s on) sweep.json.
  if ((run as { sweep?: boolean }).sweep !== true) return;
  const bytes = await fetchBytes('sweep.json');
  if (!bytes) return;
  const sweep = JSON.parse(new TextDecoder().decode(bytes.bytes)) as SweepManifest;
  if (sweep.runs.length === 0) return;
  const select = Object.assign(document.createElement('select'), { title: 'open another run of the sweep' });
  select.dataset.testid = 'run-select';
  select.append(...sweep.runs.map((r, i) => Object.assign(document.createElement('option'), { value: String(i), textContent: `${r.name} (${valuesText(r.values)})` })));
  const show = async (i: number) => {
    select.value = String(i);
    select.disabled = true;
    try {
      await open(sweep.runs[i].path, `run ${sweep.runs[i].name} of sweep ${sweep.name}`);
    } finally {
      select.disabled = false;
    }
  };
  const step = (d: number) => Object.assign(document.createElement('button'), { textContent: d < 0 ? '◀' : '▶', title: d < 0 ? 'previous run' : 'next run', onclick: () => void show((Number(select.value) + d + sweep.runs.length) % sweep.runs.length) });
  select.onchange = () => void show(Number(select.value));
  const label = Object.assign(document.createElement('label'), { className: 'meta' });
  label.dataset.testid = 'run-picker';
  label.append(`sweep ${sweep.name}: `, step(-1), select, step(1));
  document.querySelector('header label.open')?.before(label);
}
