/** Test fixtures for the exporters: one model per preset family plus the layouts that stress a format, with seeded non-trivial weights. */
import { Rng } from '../src/engine/index.js';
import { modelSchema } from '../src/config/schema.js';
import { findPreset } from '../src/config/presets.js';
import { buildModel, type Model } from '../src/models/index.js';
import { exportModel, importModel, type ModelMetadata } from '../src/io/model-format.js';

/** A family to export: its model config and per-example input shape. */
export interface ExportFamily {
  name: string;
  config: unknown;
  inputShape: number[];
}

const preset = (name: string) => findPreset(name)?.config.model;

/** Every preset family, and variations that reach each graph op (BatchNorm before and after, learned variance, odd image sizes). */
export const EXPORT_FAMILIES: ExportFamily[] = [
  { name: 'mnist-vae (MLP VAE, softplus head)', config: preset('mnist-vae'), inputShape: [28, 28, 1] },
  { name: 'mnist-vae-bn (BatchNorm, dropout)', config: preset('mnist-vae-bn'), inputShape: [28, 28, 1] },
  { name: 'mnist-ae (AE)', config: preset('mnist-ae'), inputShape: [28, 28, 1] },
  { name: 'mnist-cvae (CVAE)', config: preset('mnist-cvae'), inputShape: [28, 28, 1] },
  { name: 'mnist-conv-vae (conv VAE)', config: preset('mnist-conv-vae'), inputShape: [28, 28, 1] },
  { name: 'mnist-conv-ae (conv AE)', config: preset('mnist-conv-ae'), inputShape: [28, 28, 1] },
  { name: 'swiss-roll-vae (Swiss roll)', config: preset('swiss-roll-vae'), inputShape: [2] },
  { name: 'poor-man-vae', config: preset('poor-man-vae'), inputShape: [28, 28, 1] },
  {
    name: 'conv VAE 9x7x2, BatchNorm, leaky ReLU, learned Gaussian variance',
    config: {
      kind: 'vae',
      latent: 3,
      encoder: { kind: 'conv', filters: [4, 6], kernel: 3, stride: 2, activation: 'leakyRelu', batchNorm: 'after', hidden: [5] },
      decoder: { kind: 'conv', filters: [6, 4], kernel: 3, stride: 2, activation: 'elu', batchNorm: 'after' },
      likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'sigmoid' },
    },
    inputShape: [9, 7, 2],
  },
  {
    name: 'conv AE 6x5x1, kernel 1 < stride 2 (transposed conv output_padding)',
    config: {
      kind: 'autoencoder',
      latent: 3,
      encoder: { kind: 'conv', filters: [3], kernel: 1, stride: 2, activation: 'relu' },
      decoder: { kind: 'conv', filters: [3], kernel: 1, stride: 2, activation: 'softplus' },
      likelihood: { kind: 'bernoulli' },
    },
    inputShape: [6, 5, 1],
  },
  {
    name: 'MLP VAE, BatchNorm before, tanh, fixed Gaussian',
    config: {
      kind: 'vae',
      latent: 2,
      encoder: { hidden: [6, 5], activation: 'tanh', batchNorm: 'before' },
      decoder: { hidden: [5], activation: 'sigmoid', batchNorm: 'before' },
      likelihood: { kind: 'gaussian', variance: 0.3, meanActivation: 'linear' },
      variance: 'softplus',
    },
    inputShape: [7],
  },
];

/**
 * A family's model as a saved model (metadata and weight bytes) and loaded back, with seeded weights that are not the
 * initial ones: biases drawn afresh, BatchNorm statistics and scales away from (0, 1), so folding and layouts are
 * exercised. The caller disposes the model.
 */
export function seededModel(family: ExportFamily, seed = 1): { model: Model; metadata: ModelMetadata; weights: Uint8Array } {
  const config = modelSchema.parse(family.config);
  const inputDim = family.inputShape.reduce((a, b) => a * b, 1);
  const fresh = buildModel(config, inputDim, new Rng(seed), { inputShape: family.inputShape });
  const { metadata, weights } = exportModel(fresh, { inputShape: family.inputShape, preprocessing: { kind: 'none' } });
  fresh.dispose();
  const rng = new Rng(seed + 1);
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  for (const e of metadata.weights) {
    const range = e.name.endsWith('runningVar') ? [0.5, 2] : e.name.endsWith('gamma') ? [0.5, 1.5] : /(runningMean|beta|bias)$/.test(e.name) ? [-0.3, 0.3] : undefined;
    if (!range) continue;
    const values = rng.uniformArray(e.byteLength / 4, range[0], range[1]);
    values.forEach((v, j) => view.setFloat32(e.offset + 4 * j, v, true));
  }
  const { model } = importModel(JSON.parse(JSON.stringify(metadata)), weights);
  return { model, metadata, weights };
}
