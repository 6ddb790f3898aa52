/** The model kinds, one entry each, in the order vaekit lists them: the config schema's model union and the registry are built from this list (tf-free). */
import type { ModelKindConfig } from './kind-config.js';
import { autoencoderConfig } from './autoencoder.config.js';
import { vaeConfig } from './vae.config.js';
import { poorManVaeConfig } from './poor-man-vae.config.js';
import { cvaeConfig } from './cvae.config.js';
import { betaTcvaeConfig } from './beta-tcvae.config.js';
import { dipVaeConfig } from './dip-vae.config.js';
import { infoVaeConfig } from './info-vae.config.js';
import { waeMmdConfig } from './wae-mmd.config.js';
import { raeConfig } from './rae.config.js';
import { factorVaeConfig } from './factor-vae.config.js';
import { vqVaeConfig } from './vq-vae.config.js';
import { vampPriorConfig } from './vamp-prior.config.js';
import { flowVaeConfig } from './flow-vae.config.js';
import { hierarchicalVaeConfig } from './hierarchical-vae.config.js';

/** Every built-in kind's definition (src/models/<kind>.config.ts). A new kind: its two files, then one entry here (its import and its place in the list) and one in registry.ts's BUILT_IN. */
export const MODEL_KIND_CONFIGS = [
  autoencoderConfig,
  vaeConfig,
  poorManVaeConfig,
  cvaeConfig,
  betaTcvaeConfig,
  dipVaeConfig,
  infoVaeConfig,
  waeMmdConfig,
  raeConfig,
  factorVaeConfig,
  vqVaeConfig,
  vampPriorConfig,
  flowVaeConfig,
  hierarchicalVaeConfig,
] as const;

/**
 * The tf-free definition of a built-in kind (undefined for another name), for the config's rules and the data's.
 *
 * @example
 * kindConfig('cvae')?.conditional; // true
 */
export function kindConfig(kind: string): ModelKindConfig | undefined {
  return (MODEL_KIND_CONFIGS as readonly ModelKindConfig[]).find((k) => k.kind === kind);
}
