/** The model registry: each kind's entry (its facts from <kind>.config.ts and its model from <kind>.ts), the one place that maps `kind` to them. */
import type { Rng } from '../engine/index.js';
import type { ModelConfig, ModelKind } from '../config/schema.js';
import type { Model } from './types.js';
import type { ModelKindFacts } from './kind-config.js';
import { MODEL_KIND_CONFIGS } from './kinds.js';
import { UsageError } from '../errors.js';
import { autoencoderKind } from './autoencoder.js';
import { vaeKind } from './vae.js';
import { poorManVaeKind } from './poor-man-vae.js';
import { cvaeKind } from './cvae.js';
import { betaTcvaeKind } from './beta-tcvae.js';
import { dipVaeKind } from './dip-vae.js';
import { infoVaeKind } from './info-vae.js';
import { waeMmdKind } from './wae-mmd.js';
import { raeKind } from './rae.js';
import { factorVaeKind } from './factor-vae.js';
import { vqVaeKind } from './vq-vae.js';
import { vampPriorKind } from './vamp-prior.js';
import { flowVaeKind } from './flow-vae.js';
import { hierarchicalVaeKind } from './hierarchical-vae.js';

/** What the rest of vaekit asks about a model kind: its facts (kind-config.ts) and how to build one. */
export interface ModelKindEntry<C extends { kind: string } = ModelConfig> extends ModelKindFacts<C> {
  kind: C['kind'];
  /** A freshly initialized model; a conv encoder or decoder needs the per-example `inputShape` [H, W, C]. */
  build(args: { config: C; inputDim: number; inputShape: readonly number[]; rng: Rng }): Model;
}

const kinds = new Map<string, ModelKindEntry<{ kind: string }>>();

/**
 * Adds a model kind; the built-in kinds are registered below, in the order of src/models/kinds.ts.
 *
 * @example
 * registerModelKind({ kind: 'vae', build: (args) => new Vae(args), regularizer: 'KL', posterior: 'gaussian' });
 */
export function registerModelKind<C extends { kind: string }>(entry: ModelKindEntry<C>): void {
  kinds.set(entry.kind, entry as unknown as ModelKindEntry<{ kind: string }>);
}

/** Each built-in kind's entry, one line each; the type asks for one per kind of src/models/kinds.ts, so a kind without its model does not compile. */
const BUILT_IN: { [K in ModelKind]: ModelKindEntry<Extract<ModelConfig, { kind: K }>> } = {
  autoencoder: autoencoderKind,
  vae: vaeKind,
  'poor-man-vae': poorManVaeKind,
  cvae: cvaeKind,
  'beta-tcvae': betaTcvaeKind,
  'dip-vae': dipVaeKind,
  'info-vae': infoVaeKind,
  'wae-mmd': waeMmdKind,
  rae: raeKind,
  'factor-vae': factorVaeKind,
  'vq-vae': vqVaeKind,
  'vamp-prior': vampPriorKind,
  'flow-vae': flowVaeKind,
  'hierarchical-vae': hierarchicalVaeKind,
};
for (const { kind } of MODEL_KIND_CONFIGS) registerModelKind(BUILT_IN[kind] as ModelKindEntry<{ kind: string }>);

/**
 * The registry entry of a model kind; a UsageError names the kinds there are.
 *
 * @example
 * modelKind('poor-man-vae').regularizer; // 'anchor'
 */
export function modelKind(kind: string): ModelKindEntry<{ kind: string }> {
  const entry = kinds.get(kind);
  if (!entry) throw new UsageError(`model.kind '${kind}': not a model kind; expected one of ${modelKinds().join(', ')}`);
  return entry;
}

/**
 * The registered model kinds, in registration order.
 *
 * @example
 * modelKinds(); // ['autoencoder', 'vae', 'poor-man-vae', 'cvae']
 */
export function modelKinds(): string[] {
  return [...kinds.keys()];
}

/** The parts of a model config that decide what its loss is called (an old run's config may lack any of them). */
export interface LossModel {
  kind?: string;
  [field: string]: unknown;
  beta?: number;
  betaSchedule?: { kind: string };
  objective?: { kind: string; k?: number };
  reconstructionReduction?: string;
}

/** What figures and reports call a run's loss, and its weighted term (undefined for a kind without one). */
export interface LossNames {
  loss: string;
  regularizer: string | undefined;
}

/**
 * The names of a model's loss and weighted term for figures and reports. The loss is the negative ELBO only when it
 * is one (the KL at weight 1, no schedule, the summed reconstruction); the IWAE objective's is the negative IWAE
 * bound; otherwise the loss is named by its sum. A kind without a regularizer (the autoencoder) has the
 * reconstruction loss alone. An unknown or missing kind (an old run's config) reads as a VAE.
 *
 * @example
 * lossNames({ kind: 'poor-man-vae' }); // { loss: 'reconstruction + anchor', regularizer: 'anchor' }
 * lossNames({ kind: 'vae', objective: { kind: 'iwae', k: 50 } }).loss; // 'negative IWAE bound (k = 50)'
 */
export function lossNames(model: LossModel | undefined): LossNames {
  const entry = model?.kind === undefined ? undefined : kinds.get(model.kind);
  const regularizer = entry ? entry.regularizer : 'KL';
  if (regularizer === undefined) return { loss: 'reconstruction loss', regularizer };
  if (entry?.lossName) return { loss: entry.lossName(model as { kind: string }), regularizer };
  const objective = model?.objective as { kind: string; k?: number; m?: number; beta?: number } | undefined;
  if (objective?.kind === 'iwae') return { loss: `negative IWAE bound (k = ${objective.k ?? 50})`, regularizer };
  if (objective?.kind === 'miwae') return { loss: `negative MIWAE bound (M = ${objective.m}, k = ${objective.k})`, regularizer };
  if (objective?.kind === 'piwae') return { loss: `negative IWAE bound (PIWAE: decoder on k = ${(objective.m ?? 8) * (objective.k ?? 8)}, encoder on MIWAE M = ${objective.m}, k = ${objective.k})`, regularizer };
  if (objective?.kind === 'ciwae') return { loss: `negative CIWAE bound (β = ${objective.beta}, k = ${objective.k})`, regularizer };
  const weighted = (model?.beta ?? 1) !== 1 || (model?.betaSchedule?.kind ?? 'constant') !== 'constant';
  if (regularizer === 'KL' && !weighted && (model?.reconstructionReduction ?? 'sum') === 'sum') return { loss: 'negative ELBO', regularizer };
  return { loss: `reconstruction + ${weighted ? 'β × ' : ''}${regularizer}`, regularizer };
}

/**
 * Builds a freshly initialized model for inputs of `inputDim` values; initialization draws from `rng`. A conv encoder
 * or decoder needs the per-example `inputShape` [H, W, C] (the data's own; its product must be `inputDim`).
 *
 * @example
 * const model = buildModel(config.model, 784, new Rng(config.train.seed), { inputShape: [28, 28, 1] });
 */
export function buildModel(config: ModelConfig, inputDim: number, rng: Rng, opts: { inputShape?: readonly number[] } = {}): Model {
  const inputShape = opts.inputShape ?? [inputDim];
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (size !== inputDim) throw new UsageError(`buildModel: inputShape [${inputShape.join(', ')}] holds ${size} values, but inputDim is ${inputDim}`);
  return modelKind(config.kind).build({ config, inputDim, inputShape, rng });
}
