/** Sweeps for the tutorials' two comparisons, each a base preset, a few training settings and the axes it varies. */
import type { Axis } from './grid.js';

export interface SweepPreset {
  name: string;
  /** One line for `vaekit sweep --help` and the README. */
  description: string;
  /** The run preset every run starts from (src/config/presets.ts). */
  preset: string;
  /** Training settings every run shares (train's flags: epochs, example limit). */
  epochs?: number;
  limit?: number;
  over: Axis[];
}

export const SWEEP_PRESETS: SweepPreset[] = [
  {
    name: 'latent-size-study',
    description:
      "seeds 001/004: the autoencoder and the VAE of mnist-vae (784-200(ReLU)-z, Bernoulli) at latent 2, 4, 8, 16, 32, 64; 3 epochs on 20,000 MNIST digits each (12 runs)",
    preset: 'mnist-vae',
    epochs: 3,
    limit: 20000,
    over: [
      { key: 'model.kind', values: ['autoencoder', 'vae'] },
      { key: 'model.latent', values: [2, 4, 8, 16, 32, 64] },
    ],
  },
  {
    name: 'poor-man-vs-vae',
    description: "seed 000: the poor man's VAE (784-392(sigmoid)-10, squared error) beside a Gaussian VAE of the same layers and likelihood; 5 epochs on 20,000 MNIST digits each",
    preset: 'poor-man-vae',
    epochs: 5,
    limit: 20000,
    over: [{ key: 'model.kind', values: ['poor-man-vae', 'vae'] }],
  },
];

/** A sweep preset by name, or undefined. */
export function findSweepPreset(name: string): SweepPreset | undefined {
  return SWEEP_PRESETS.find((p) => p.name === name);
}
