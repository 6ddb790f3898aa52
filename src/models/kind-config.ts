/** What a model kind is, apart from its tensors: its config schema and the answers the rest of vaekit asks of it; tf-free, so the config and `vaekit --help` can read it. */
import type { z } from 'zod';
import type { CommonModelConfig } from '../config/schema.js';

/** A kind's whole model config: its `kind`, the fields every kind has (latent, encoder, decoder, likelihood, decoderBiasInit) and its own. */
export type KindModelConfig<K extends string, F extends z.ZodRawShape> = { kind: K } & CommonModelConfig & z.output<z.ZodObject<F>>;

/** The questions about a model kind that figures, reports, evaluation, export, the lab and the CLI ask; each kind answers them once. */
export interface ModelKindFacts<C extends { kind: string }> {
  /** The display name of the weighted third term ('KL', 'anchor'); undefined for a kind without one. */
  regularizer: string | undefined;
  /**
   * What q(z|x) is, for the estimators that need its density (NLL, active units): `gaussian` N(mean, var) from the
   * heads, `noisy-code` the code plus fixed N(0, noise^2) (the poor man's VAE), `none` a deterministic code.
   */
  posterior: 'gaussian' | 'noisy-code' | 'none';
  /** What the loss is, for figures and reports, when it is not the negative ELBO or 'reconstruction + β × regularizer'. */
  lossName?(config: C): string;
  /** What `sample` draws z from, for captions, when it is not 'z ~ N(0, I)'. */
  samples?: string;
  /**
   * What an export's encoder and decoder graphs (ONNX, PyTorch) would leave out of the model, for a kind whose computation
   * is more than encoder -> heads -> decoder; `vaekit export` refuses such a model naming it, rather than write a
   * model that computes something else. Undefined: the export is the whole model.
   */
  exportGap?: string;
  /**
   * Whether the model reads each example's class label y besides x (q(z|x, y), p(x|z, y)): its config has `classes`,
   * its data must be labelled, and training, evaluation and export pass the labels.
   */
  conditional?: boolean;
}

/** A kind's tf-free definition: its facts, its own config fields and the rules between them. */
export interface ModelKindConfig<K extends string = string, F extends z.ZodRawShape = z.ZodRawShape> extends ModelKindFacts<KindModelConfig<K, F>> {
  kind: K;
  /** The kind's own config fields (zod), after `kind` and the fields every kind has; the config schema adds those. */
  fields: F;
  /** The rules between the config's fields that zod's field types cannot say; each broken one is reported by `issue` at its path under `model`. */
  rules?(model: KindModelConfig<K, F>, issue: (path: string[], message: string) => void): void;
  /** The fields the kind takes from the training data when the config leaves them out (`trainExamples`: the training set's size). */
  fromData?(model: KindModelConfig<K, F>, data: { trainExamples: number }): KindModelConfig<K, F>;
}

/**
 * A model kind's definition, typed from its fields: `lossName`, `rules` and `fromData` see the kind's whole config.
 * Registered by one entry in src/models/kinds.ts.
 *
 * @example
 * export const sparseAeConfig = defineModelKind({ kind: 'sparse-ae', fields: { beta: z.number().default(1) }, regularizer: 'L1', posterior: 'none' });
 */
export function defineModelKind<K extends string, F extends z.ZodRawShape>(config: ModelKindConfig<K, F>): ModelKindConfig<K, F> {
  return config;
}
