/**
 * Train: trains a VAE in the page (an MLP on an MNIST subset or the Swiss roll, or the keras.io conv VAE on the MNIST
 * subset) with the library's own trainer, showing a live loss curve and latent map; pause and resume; then download
 * the model in vaekit's format (the CLI loads it) or explore it in the other views. The form is read into a run
 * config and checked by the config schema; the library trains and evaluates; this file shows it.
 */
import { Rng } from '../../../src/engine/rng.js';
import { loadSwissRoll } from '../../../src/data/swiss-roll.js';
import type { DataKind, Preprocessing } from '../../../src/data/types.js';
import { buildModel } from '../../../src/models/index.js';
import { Trainer } from '../../../src/train/trainer.js';
import { exportModel, importModel } from '../../../src/io/model-format.js';
import { encodeMeans, project } from '../../../src/latent/index.js';
import { AXES_PADDING, Frame, bounds2d, paintAxes, paintLines, paintScatter, type PointColours } from '../canvas.js';
import { POSITION, readExamples, type Examples } from '../examples.js';
import { formConfig } from '../train-config.js';
import { FILES, fetchBytes, type Lab } from '../lab.js';
import { canvas, el } from './context.js';

/** A training set as the page holds it. */
interface TrainData {
  name: string;
  kind: DataKind;
  inputShape: number[];
  preprocessing: Preprocessing;
  labelNames?: string[];
  train: Examples;
  test: Examples;
  /** Colours for the latent map: digit labels, or the position along the Swiss roll (as the CLI's figure). */
  colours: PointColours;
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
  return { name: 'mnist', kind: 'image', inputShape, preprocessing: MNIST_PREPROCESSING, labelNames, train, test, colours: { labels: test.labels } };
}

/** The 2-D Swiss roll from the library's generator (5,000 points, 20% test), coloured by position along the roll. */
function swissRollData(seed: number): TrainData {
  const ds = loadSwissRoll({ name: 'swiss-roll', seed, testFraction: 0.2, n: 5000 }, 2);
  const split = (s: typeof ds.train): Examples => ({ x: s.x, n: s.n, dim: 2, values: s.aux?.position, valueName: POSITION });
  const test = split(ds.test);
  return { name: 'swiss-roll', kind: ds.kind, inputShape: [2], preprocessing: ds.preprocessing, train: split(ds.train), test, colours: { values: test.values } };
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
 * The y-axis top for a loss curve: the largest running mean or test loss. The running mean starts at the first
 * batch's loss, so the whole fall from the start is shown; a lone spiky batch later is averaged down rather than
 * squashing the curve, and only that batch's grey line is clipped.
 */
function yTop(smooth: number[], test: number[]): number {
  return Math.max(...smooth, ...test.filter(Number.isFinite));
}

/** A running training session: the library's trainer plus what the page shows; `stop` ends it at the next batch and frees its tensors. */
class Session {
  readonly losses: number[] = [];
  /** The test loss after each epoch, with the number of batches trained by then. */
  readonly testLosses: { step: number; loss: number }[] = [];
  paused = false;
  stopped = false;
  private resume?: () => void;

  constructor(
    readonly data: TrainData,
    readonly trainer: Trainer,
  ) {}

  get model() {
    return this.trainer.model;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.resume?.();
  }

  /** Waits while paused. */
  async gate(): Promise<void> {
    while (this.paused && !this.stopped) await new Promise<void>((r) => (this.resume = r));
  }

  dispose(): void {
    this.stopped = true;
    this.resume?.();
    this.trainer.dispose();
    this.trainer.model.dispose();
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
  const curve = canvas(520, 260, 'train-loss');
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

  /**
   * Sets the buttons and the form for training (start and the form locked, pause on) or not (start and the form
   * free, pause on only for a paused session, explore and the downloads once a model has trained a batch).
   */
  const setRunning = (running: boolean) => {
    start.disabled = running;
    for (const field of Array.from(form.elements) as HTMLInputElement[]) field.disabled = running;
    if (!running) (networkSelect.querySelector('option[value=conv]') as HTMLOptionElement).disabled = dataSelect.value === 'swiss-roll';
    pause.disabled = !session || (!running && !session.paused);
    explore.disabled = running || !session || session.losses.length === 0;
    root.dataset.training = String(running);
  };

  const paintCurve = (s: Session) => {
    const smooth = s.losses.map((_, i) => {
      const w = s.losses.slice(Math.max(0, i - 19), i + 1);
      return w.reduce((a, b) => a + b, 0) / w.length;
    });
    const test = s.losses.map(() => NaN);
    for (const { step, loss } of s.testLosses) test[step - 1] = loss;
    paintLines(
      curve,
      [
        { values: s.losses, colour: '#bbb', label: 'batch' },
        { values: smooth, colour: '#1f77b4', label: 'running mean' },
        { values: test, colour: '#d62728', label: 'test', dots: true },
      ],
      { xLabel: 'batches trained', yLabel: 'loss per example (negative ELBO)', yMax: yTop(smooth, test) },
    );
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    curve.dataset.steps = String(s.losses.length);
    curve.dataset.firstBatchLoss = String(s.losses[0]);
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
    const codes = encodeMeans(s.model, { data: test.x.subarray(0, n * test.dim), n, dim: test.dim });
    const z = codes.dim === 2 ? codes : project(codes, { method: 'pca', rng: new Rng(1) });
    const frame = new Frame(map, bounds2d(z.data, n), AXES_PADDING);
    paintScatter(frame, z.data, n, colours, 2);
    paintAxes(frame, { xLabel: z === codes ? 'z0' : 'PCA 1', yLabel: z === codes ? 'z1' : 'PCA 2', count: 5 });
    mapAt = performance.now();
    mapMs = mapAt - began;
  };

  const exported = (s: Session) =>
    exportModel(s.model, {
      inputShape: s.data.inputShape,
      preprocessing: s.data.preprocessing,
      labelNames: s.data.labelNames,
      dataset: s.data.name,
      extra: { epoch: s.trainer.epochsDone, trainedIn: 'vaekit lab', ...(s.testLosses.length > 0 && { test: { loss: s.testLosses[s.testLosses.length - 1].loss } }) },
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
    const { trainer } = s;
    const epochs = trainer.config.train.epochs;
    let t0 = performance.now();
    const began = performance.now();
    let seen = 0;
    while (!trainer.done) {
      await s.gate();
      if (s.stopped) return;
      const step = trainer.step();
      s.losses.push(step.terms.loss);
      seen += step.examples;
      if (step.epochDone) {
        s.testLosses.push({ step: s.losses.length, loss: trainer.evaluate().loss });
        paintCurve(s);
        paintMap(s);
      }
      if (performance.now() - t0 > SLICE_MS) {
        paintCurve(s);
        if (performance.now() - mapAt > Math.max(5 * mapMs, 200)) paintMap(s);
        const rate = (seen / (performance.now() - began)) * 1000;
        curve.dataset.examplesPerSecond = rate.toFixed(1);
        status.textContent = `epoch ${step.epoch}/${epochs} · batch ${step.batch}/${step.batches} · batch loss ${step.terms.loss.toFixed(2)} · ${rate.toFixed(0)} examples/s · ${backend}`;
        // A task boundary: the page paints and handles clicks; unlike a frame callback it also runs in a background tab.
        await new Promise((resolve) => setTimeout(resolve, 0));
        t0 = performance.now();
      }
    }
    status.textContent = `done: ${epochs} epochs, test loss ${s.testLosses[s.testLosses.length - 1].loss.toFixed(2)}`;
    setRunning(false);
    offerDownloads(s);
  }

  start.addEventListener('click', async (e) => {
    e.preventDefault();
    session?.dispose();
    session = undefined;
    downloads.replaceChildren();
    setRunning(true); // while the data loads too
    let s: Session | undefined;
    try {
      const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
      const preset = dataSelect.value === 'swiss-roll' ? 'swiss-roll-vae' : NETWORKS[network()].preset;
      const config = formConfig(value, { preset, data: dataSelect.value, conv: network() === 'conv' });
      status.textContent = 'loading data…';
      const data = dataSelect.value === 'mnist' ? await mnistSubset() : swissRollData(config.train.seed);
      const rng = new Rng(config.train.seed);
      const model = buildModel(config.model, data.train.dim, rng, { inputShape: data.inputShape });
      s = new Session(data, new Trainer({ config, model, dataset: data, rng }));
      session = s;
      pause.textContent = 'pause';
      setRunning(true);
      await train(s);
    } catch (err) {
      status.textContent = `cannot train: ${err instanceof Error ? err.message : String(err)}`;
      if (s) s.dispose();
      if (session === s) session = undefined;
      setRunning(false);
    }
  });

  pause.addEventListener('click', (e) => {
    e.preventDefault();
    if (!session) return;
    session.setPaused(!session.paused);
    pause.textContent = session.paused ? 'resume' : 'pause';
    setRunning(!session.paused);
    if (session.paused) {
      paintCurve(session); // up to the last batch trained
      const { trainer } = session;
      status.textContent = `paused at epoch ${trainer.epoch}/${trainer.config.train.epochs}, batch ${trainer.batch}/${trainer.batches}`;
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
