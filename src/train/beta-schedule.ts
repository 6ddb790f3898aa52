/** KL-weight schedules (beta warm-up, cyclical annealing, Burgess et al.'s capacity): the weight of each epoch as a pure function of the epoch, so a resumed run continues exactly. */
import type { BetaSchedule, ModelConfig } from '../config/schema.js';
import type { KlWeight } from '../objectives/index.js';

/** A config with a weighted term (KL or anchor): the schema's `weightedTerm`, shared by every such kind. */
export type WeightedTerm = { beta: number; betaSchedule: BetaSchedule };

/** Whether a model config has a weighted term; the autoencoder has none. */
export function isWeighted(model: ModelConfig | WeightedTerm): model is Extract<ModelConfig, WeightedTerm> | WeightedTerm {
  return 'betaSchedule' in model;
}

/** Fraction of a linear ramp of `epochs` epochs done at the start of a 1-based `epoch`: 0 at epoch 1, 1 from epoch epochs + 1. */
function ramp(epoch: number, epochs: number): number {
  return Math.min(1, (epoch - 1) / epochs);
}

/**
 * The KL weight of a 1-based `epoch`, for any model: the one place it is decided. `constant`: `beta`. `linear`:
 * beta * (epoch - 1) / epochs, so epoch 1 trains at 0 and beta is reached at epoch `epochs + 1`. `cyclical` (Fu et al.
 * 2019): in each cycle of `period` epochs, the position tau = ((epoch - 1) mod period) / period; beta * min(1, tau /
 * ratio), a ramp over the first `ratio` of the cycle and then beta. `capacity` (Burgess et al. 2018): the penalty
 * gamma * |KL - C| with C = cMax * (epoch - 1) / epochs, held at cMax afterwards. A model without a weighted term
 * (the autoencoder) gets beta 0: it has nothing to weigh. `unscheduled` (evaluating a model outside a training run,
 * the lab's trainer): `beta` itself, the value every beta schedule ends at.
 *
 * @example
 * klWeight({ kind: 'vae', beta: 1, betaSchedule: { kind: 'linear', epochs: 4 }, ... }, 3); // { kind: 'beta', beta: 0.5 }
 */
export function klWeight(model: ModelConfig | WeightedTerm, epoch: number | 'unscheduled'): KlWeight {
  if (!isWeighted(model)) return { kind: 'beta', beta: 0 };
  const s = model.betaSchedule;
  if (epoch === 'unscheduled') return { kind: 'beta', beta: model.beta };
  switch (s.kind) {
    case 'constant':
      return { kind: 'beta', beta: model.beta };
    case 'linear':
      return { kind: 'beta', beta: model.beta * ramp(epoch, s.epochs) };
    case 'cyclical': {
      const tau = ((epoch - 1) % s.period) / s.period;
      return { kind: 'beta', beta: model.beta * Math.min(1, tau / s.ratio) };
    }
    case 'capacity':
      return { kind: 'capacity', gamma: s.gamma, capacity: s.cMax * ramp(epoch, s.epochs) };
  }
}

/**
 * The weight as an epoch's metrics record it (`beta`, and `capacity` under the capacity schedule, where the recorded
 * `beta` is gamma: the run history's format); nothing for a model without a weighted term.
 */
export function klWeightRecord(model: ModelConfig, weight: KlWeight): { beta?: number; capacity?: number } {
  if (!isWeighted(model)) return {};
  return weight.kind === 'beta' ? { beta: weight.beta } : { beta: weight.gamma, capacity: weight.capacity };
}
