/**
 * Train: trains a VAE in the page (an MLP on an MNIST subset or the Swiss roll, or the keras.io conv VAE on the MNIST
 * subset) with the library's own training step and Adam, showing a live loss curve and latent map; pause and resume; then download the model in vaekit's format (the CLI
 * loads it) or explore it in the other views.
 */
import { tf } from '../../../src/engine/tf.js';
import { Rng } from '../../../src/engine/rng.js';
import { findPreset } from '../../../src/config/presets.js';
import { modelSchema } from '../../../src/config/schema.js';
import { batchIndices, gather } from '../../../src/data/batch.js';
import { loadSwissRoll } from '../../../src/data/swiss-roll.js';
import type { Preprocessing } from '../../../src/data/types.js';
import { buildModel, type Model } from '../../../src/models/index.js';
import { Adam } from '../../../src/train/adam.js';
import { evalBatch, trainStep } from '../../../src/train/step.js';
import { klWeight } from '../../../src/train/beta-schedule.js';
import { exportModel, importModel } from '../../../src/io/model-format.js';
import { encodeMeans, project } from '../../../src/latent/index.js';
import { Frame, bounds2d, paintLines, paintScatter } from '../canvas.js';
import { readExamples, type Examples } from '../examples.js';
import { FILES, fetchBytes, type Lab } from '../lab.js';
import { canvas, el } from './context.js';

/** A training set as the page holds it. */
interface TrainData {
  name: string;
  inputShape: number[];
  preprocessing: Preprocessing;
  labelNames?: string[];
  train: Examples;
  test: Examples;
  /** Colours for the latent map: digit labels, or ten bands along the Swiss roll. */
  colours?: Int32Array;
}

const MAP_EXAMPLES = 500;
const SLICE_MS = 40; // train this long, then let the page paint
const MNIST_PREPROCESSING: Preprocessing = { kind: 'scale', scale: 1 / 255 };

/** The bundled MNIST subset (5,000 training and 1,000 test digits). */
async function mnistSubset(): Promise<TrainData> {
  const get = async (name: string) => {
    const file = await fetchBytes(`default/${name}`);
    if (!file) throw new Error(`default/${name}: not found on the server`);
    return file;
  };
  const inputShape = [28, 28, 1];
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([FILES.trainImages, FILES.trainLabels, FILES.testImages, FILES.testLabels].map(get));
  const train = await readExamples({ images: trainImages, labels: trainLabels, inputShape, preprocessing: MNIST_PREPROCESSING });
  const test = await readExamples({ images: testImages, labels: testLabels, inputShape, preprocessing: MNIST_PREPROCESSING });
  const labelNames = Array.from({ length: 10 }, (_, i) => String(i));
  return { name: 'mnist', inputShape, preprocessing: MNIST_PREPROCESSING, labelNames, train, test, colours: test.labels };
}

/** The 2-D Swiss roll from the library's generator (5,000 points, 20% test), coloured by position along the roll. */
function swissRollData(seed: number): TrainData {
  const ds = loadSwissRoll({ name: 'swiss-roll', seed, testFraction: 0.2, n: 5000 }, 2);
  const t = ds.test.aux!.position!;
  const [lo, hi] = [Math.min(...t), Math.max(...t)];
  const colours = Int32Array.from(t, (v) => Math.min(9, Math.floor(((v - lo) / (hi - lo)) * 10)));
  const split = (s: typeof ds.train): Examples => ({ x: s.x, n: s.n, dim: 2 });
  return { name: 'swiss-roll', inputShape: [2], preprocessing: ds.preprocessing, train: split(ds.train), test: split(ds.test), colours };
}

/** The networks the view trains: MLPs (on either data set), and the keras.io conv VAE on images. */
type Network = 'mlp' | 'conv';

/** Per network: its preset (an MNIST one; the roll's MLP is seed 003's) and the form's defaults for it. */
const NETWORKS: Record<Network, { preset: string; label: string; hiddenLabel: string; hidden: string; batch: string; about: string }> = {
  mlp: { preset: 'mnist-vae-pytorch', label: 'MLP VAE (pytorch/examples)', hiddenLabel: 'hidden layers', hidden: '256,128', batch: '100', about: 'encoder: dense layers to the code; decoder: the same widths reversed' },
  // The conv VAE's step is ~50x an MLP's FLOPs; a batch of 64 keeps the page answering clicks between batches.
  conv: {
    preset: 'mnist-conv-vae',
    label: 'conv VAE (keras.io)',
    hiddenLabel: 'dense layers',
    hidden: '16',
    batch: '64',
    about: 'encoder: conv 32, 64 (3x3, stride 2, ReLU), then the dense layers to the code; decoder: dense 7x7x64, transposed conv 64, 32, then 1',
  },
};

/**
 * The model config: the preset's with the chosen latent size and hidden widths (an MLP's encoder layers, mirrored in
 * the decoder; a conv VAE's dense layers between its convs and the code).
 */
function modelConfig(data: string, network: Network, latent: number, hidden: number[]) {
  const preset = findPreset(data === 'swiss-roll' ? 'swiss-roll-vae' : NETWORKS[network].preset)!;
  const base = preset.config.model as Record<string, unknown> & { encoder: Record<string, unknown> };
  if (network === 'conv') return modelSchema.parse({ ...base, latent, encoder: { ...base.encoder, hidden } });
  const activation = base.encoder.activation;
  return modelSchema.parse({ ...base, latent, encoder: { hidden, activation }, decoder: { hidden: [...hidden].reverse(), activation } });
}

/** The y-axis top for a loss curve: past the first steps' steep fall once there are enough, so the rest stays readable. */
function yTop(smooth: number[]): number | undefined {
  return smooth.length >= 40 ? Math.max(...smooth.slice(Math.floor(smooth.length / 10))) * 1.1 : undefined;
}

/** Reads a positive integer (or a number for `lr`) from a form field, or throws naming the field. */
function field(form: HTMLFormElement, name: string, check: (v: number) => boolean, expected: string): number {
  const raw = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  const v = Number(raw);
  if (raw === '' || !check(v)) throw new Error(`${name}: '${raw}' is not ${expected}`);
  return v;
}

const int = (lo: number, hi: number) => (v: number) => Number.isInteger(v) && v >= lo && v <= hi;

/** A running training session; `stop` ends it at the next batch and frees its tensors. */
class Session {
  readonly losses: number[] = [];
  /** The test loss after each epoch, with the number of batches trained by then. */
  readonly testLosses: { step: number; loss: number }[] = [];
  epoch = 0;
  paused = false;
  stopped = false;
  private resume?: () => void;

  constructor(
    readonly data: TrainData,
    readonly model: Model,
    readonly adam: Adam,
    readonly rng: Rng,
    readonly epochs: number,
    readonly batchSize: number,
  ) {}

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.resume?.();
  }

  /** Waits while paused. */
  async gate(): Promise<void> {
    while (this.paused && !this.stopped) await new Promise<void>((r) => (this.resume = r));
  }

  /** The mean test loss in evaluation mode. */
  testLoss(): number {
    const { test } = this.data;
    const x = tf.tensor2d(test.x, [test.n, test.dim]); // [n, D]
    const sums = evalBatch({ model: this.model, x, rng: this.rng, klWeight: klWeight(this.model.config, 'unscheduled') });
    x.dispose();
    return sums.loss / test.n;
  }

  dispose(): void {
    this.stopped = true;
    this.resume?.();
    this.adam.dispose();
    this.model.dispose();
  }
}

/** Mounts the training view; `open` hands a trained model to the other views. */
export function mountTrain(root: HTMLElement, { backend, open }: { backend: string; open: (lab: Lab) => void }): void {
  const input = (name: string, value: string) => el('input', { name, value, size: 10 });
  const dataSelect = el('select', { name: 'data' }, el('option', { value: 'mnist' }, 'MNIST (5,000 digits)'), el('option', { value: 'swiss-roll' }, 'Swiss roll (2-D)'));
  const hiddenLabel = el('label', {}, NETWORKS.mlp.hiddenLabel);
  const about = el('p', { className: 'hint', dataset: { testid: 'train-about' } }, NETWORKS.mlp.about);
  const networkSelect = el('select', { name: 'network' }, ...(Object.keys(NETWORKS) as Network[]).map((n) => el('option', { value: n }, NETWORKS[n].label)));
  const form = el(
    'form',
    { className: 'train' },
    ...[
      ['data', dataSelect],
      ['model', networkSelect],
      ['latent size', input('latent', '2')],
      [hiddenLabel, input('hidden', '256,128')],
      ['epochs', input('epochs', '10')],
      ['batch size', input('batch', '100')],
      ['learning rate', input('lr', '0.001')],
      ['seed', input('seed', '1')],
    ].flatMap(([label, control]) => [typeof label === 'string' ? el('label', {}, label) : label, control as HTMLElement]),
  );
  const setField = (name: string, value: string) => ((form.elements.namedItem(name) as HTMLInputElement).value = value);
  const network = () => networkSelect.value as Network;
  /** Fills the form with the chosen network's defaults (the roll's points are not images: only an MLP fits them). */
  const applyNetwork = () => {
    const roll = dataSelect.value === 'swiss-roll';
    if (roll) networkSelect.value = 'mlp';
    (networkSelect.querySelector('option[value=conv]') as HTMLOptionElement).disabled = roll;
    const n = NETWORKS[network()];
    setField('hidden', roll ? '128,128' : n.hidden);
    setField('batch', n.batch);
    hiddenLabel.textContent = n.hiddenLabel;
    about.textContent = n.about;
  };
  dataSelect.addEventListener('change', applyNetwork);
  networkSelect.addEventListener('change', applyNetwork);
  const start = el('button', { dataset: { testid: 'train-start' } }, 'start');
  const pause = el('button', { disabled: true, dataset: { testid: 'train-pause' } }, 'pause');
  const explore = el('button', { disabled: true, dataset: { testid: 'train-explore' } }, 'explore this model');
  const status = el('p', { className: 'stats', dataset: { testid: 'train-status' } }, `ready (backend ${backend})`);
  const curve = canvas(520, 220, 'train-loss');
  const map = canvas(300, 300, 'train-map');
  const downloads = el('p', { className: 'downloads', dataset: { testid: 'train-downloads' } });
  root.replaceChildren(
    el(
      'div',
      { className: 'row' },
      el('div', { className: 'side' }, form, about, el('div', { className: 'buttons' }, start, pause, explore), status, downloads),
      el('div', { className: 'side', style: 'max-width:540px' }, el('span', { className: 'caption' }, 'loss per batch (grey), its running mean (blue), test loss per epoch (red)'), curve),
      el('div', { className: 'side' }, el('span', { className: 'caption' }, `latent map of ${MAP_EXAMPLES} test examples`), map),
    ),
  );

  let session: Session | undefined;

  const paintCurve = (s: Session) => {
    const smooth = s.losses.map((_, i) => {
      const w = s.losses.slice(Math.max(0, i - 19), i + 1);
      return w.reduce((a, b) => a + b, 0) / w.length;
    });
    const test = s.losses.map(() => NaN);
    for (const { step, loss } of s.testLosses) test[step - 1] = loss;
    paintLines(curve, [
      { values: s.losses, colour: '#bbb', label: 'batch' },
      { values: smooth, colour: '#1f77b4', label: 'running mean' },
      { values: test, colour: '#d62728', label: 'test', dots: true },
    ], yTop(smooth));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    curve.dataset.steps = String(s.losses.length);
    // The first and last 10 batches, or a third of them each while there are fewer than 30.
    const w = Math.min(10, Math.max(1, Math.floor(s.losses.length / 3)));
    curve.dataset.firstLoss = mean(s.losses.slice(0, w)).toFixed(3);
    curve.dataset.lastLoss = mean(s.losses.slice(-w)).toFixed(3);
  };

  // When the map was last painted and what painting it cost: a conv encoder takes a good part of a second for the
  // map's examples, so the map waits at least five times its cost between paints (training keeps >= 5/6 of the time).
  let mapAt = -Infinity;
  let mapMs = 0;
  const paintMap = (s: Session) => {
    const began = performance.now();
    const { test, colours } = s.data;
    const n = Math.min(MAP_EXAMPLES, test.n);
    let z = encodeMeans(s.model, { data: test.x.subarray(0, n * test.dim), n, dim: test.dim });
    if (z.dim !== 2) z = project(z, { method: 'pca', rng: new Rng(1) });
    paintScatter(new Frame(map, bounds2d(z.data, n)), z.data, n, colours, 2);
    mapAt = performance.now();
    mapMs = mapAt - began;
  };

  const exported = (s: Session) =>
    exportModel(s.model, {
      inputShape: s.data.inputShape,
      preprocessing: s.data.preprocessing,
      labelNames: s.data.labelNames,
      dataset: s.data.name,
      extra: { epoch: s.epoch, trainedIn: 'vaekit lab', ...(s.testLosses.length > 0 && { test: { loss: s.testLosses[s.testLosses.length - 1].loss } }) },
    });

  /** Offers the model's two files as downloads (save both into one folder; `vaekit summary FOLDER` loads it). */
  const offerDownloads = (s: Session) => {
    for (const a of downloads.querySelectorAll('a')) URL.revokeObjectURL(a.href);
    const { metadata, weights } = exported(s);
    const link = (name: string, blob: Blob, testid: string) => el('a', { href: URL.createObjectURL(blob), download: name, dataset: { testid } }, `download ${name}`);
    downloads.replaceChildren(
      link('model.json', new Blob([JSON.stringify(metadata, null, 2) + '\n'], { type: 'application/json' }), 'download-model'),
      link('weights.bin', new Blob([weights as BlobPart], { type: 'application/octet-stream' }), 'download-weights'),
      el('span', { className: 'hint' }, 'save both in one folder, then: vaekit summary FOLDER'),
    );
    explore.disabled = false;
  };

  async function train(s: Session): Promise<void> {
    const { train: tr } = s.data;
    let t0 = performance.now();
    let seen = 0;
    const began = performance.now();
    for (s.epoch = 0; s.epoch < s.epochs; ) {
      for (const idx of batchIndices(tr.n, s.batchSize, s.rng)) {
        await s.gate();
        if (s.stopped) return;
        const x = tf.tensor2d(gather({ x: tr.x, n: tr.n }, idx, tr.dim).x, [idx.length, tr.dim]); // [B, D]
        s.losses.push(trainStep({ model: s.model, adam: s.adam, x, rng: s.rng, klWeight: klWeight(s.model.config, 'unscheduled') }).loss);
        x.dispose();
        seen += idx.length;
        if (performance.now() - t0 > SLICE_MS) {
          paintCurve(s);
          if (performance.now() - mapAt > Math.max(5 * mapMs, 200)) paintMap(s);
          const rate = (seen / (performance.now() - began)) * 1000;
          curve.dataset.examplesPerSecond = rate.toFixed(1);
          status.textContent = `epoch ${s.epoch + 1}/${s.epochs} · batch loss ${s.losses[s.losses.length - 1].toFixed(2)} · ${rate.toFixed(0)} examples/s · ${backend}`;
          // A task boundary: the page paints and handles clicks; unlike a frame callback it also runs in a background tab.
          await new Promise((resolve) => setTimeout(resolve, 0));
          t0 = performance.now();
        }
      }
      if (s.stopped) return;
      s.epoch++;
      s.testLosses.push({ step: s.losses.length, loss: s.testLoss() });
      paintCurve(s);
      paintMap(s);
    }
    status.textContent = `done: ${s.epochs} epochs, test loss ${s.testLosses[s.testLosses.length - 1].loss.toFixed(2)}`;
    pause.disabled = true;
    offerDownloads(s);
  }

  start.addEventListener('click', async (e) => {
    e.preventDefault();
    session?.dispose();
    session = undefined;
    downloads.replaceChildren();
    explore.disabled = true;
    try {
      const latent = field(form, 'latent', int(1, 64), 'an integer from 1 to 64');
      const hiddenText = (form.elements.namedItem('hidden') as HTMLInputElement).value;
      const hidden = hiddenText.split(',').map((v) => Number(v.trim()));
      if (!hidden.every(int(1, 2048))) throw new Error(`${hiddenLabel.textContent}: '${hiddenText}' is not a comma-separated list of widths from 1 to 2048`);
      const epochs = field(form, 'epochs', int(1, 1000), 'an integer from 1 to 1000');
      const batch = field(form, 'batch', int(1, 5000), 'an integer from 1 to 5000');
      const lr = field(form, 'lr', (v) => v > 0 && v < 1, 'a number between 0 and 1');
      const seed = field(form, 'seed', int(0, 2 ** 31), 'a non-negative integer');
      status.textContent = 'loading data…';
      const data = dataSelect.value === 'mnist' ? await mnistSubset() : swissRollData(seed);
      const rng = new Rng(seed);
      const model = buildModel(modelConfig(data.name, network(), latent, hidden), data.train.dim, rng, { inputShape: data.inputShape });
      const adam = new Adam(model.variables().filter((v) => v.trainable), { lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      const s = new Session(data, model, adam, rng, epochs, batch);
      session = s;
      pause.disabled = false;
      pause.textContent = 'pause';
      await train(s);
    } catch (err) {
      status.textContent = `cannot train: ${err instanceof Error ? err.message : String(err)}`;
    }
  });

  pause.addEventListener('click', (e) => {
    e.preventDefault();
    if (!session) return;
    session.setPaused(!session.paused);
    pause.textContent = session.paused ? 'resume' : 'pause';
    if (session.paused) {
      status.textContent = `paused at epoch ${session.epoch + 1}/${session.epochs}, batch ${session.losses.length}`;
      offerDownloads(session);
    } else downloads.replaceChildren();
  });

  explore.addEventListener('click', (e) => {
    e.preventDefault();
    if (!session) return;
    // A copy through the model format, so the views keep working while this session trains on.
    const { metadata, weights } = exported(session);
    const copy = importModel(JSON.parse(JSON.stringify(metadata)), weights, 'the model trained in this page');
    open({ ...copy, source: `trained in this page (${session.data.name}, ${session.losses.length} batches)`, test: session.data.test });
  });
}
