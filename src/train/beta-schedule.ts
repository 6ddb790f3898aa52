/** KL-weight schedules (beta warm-up, cyclical annealing, Burgess et al.'s capacity): the weight of each epoch as a pure function of the epoch, so a resumed run continues exactly. */
import type { ModelConfig } from '../config/schema.js';
import type { KlWeight } from '../nn/index.js';

/** The model configs that weight a KL (or anchor) term. */
type Weighted = Extract<ModelConfig, { kind: 'vae' | 'cvae' | 'poor-man-vae' }>;

/** Fraction of a linear ramp of `epochs` epochs done at the start of a 1-based `epoch`: 0 at epoch 1, 1 from epoch epochs + 1. */
function ramp(epoch: number, epochs: number): number {
  return Math.min(1, (epoch - 1) / epochs);
}

/**
 * The KL weight of a 1-based `epoch`. `constant`: `beta`. `linear`: beta * (epoch - 1) / epochs, so epoch 1 trains at 0
 * and beta is reached at epoch `epochs + 1`. `cyclical` (Fu et al. 2019): in each cycle of `period` epochs, the position
 * tau = ((epoch - 1) mod period) / period; beta * min(1, tau / ratio), a ramp over the first `ratio` of the cycle and
 * then beta. `capacity` (Burgess et al. 2018): the penalty gamma * |KL - C| with C = cMax * (epoch - 1) / epochs,
 * held at cMax afterwards.
 *
 * @example
 * klWeight({ kind: 'vae', beta: 1, betaSchedule: { kind: 'linear', epochs: 4 }, ... }, 3); // { beta: 0.5 }
 */
export function klWeight(model: Pick<Weighted, 'beta' | 'betaSchedule'>, epoch: number): KlWeight {
  const s = model.betaSchedule;
  switch (s.kind) {
    case 'constant':
      return { beta: model.beta };
    case 'linear':
      return { beta: model.beta * ramp(epoch, s.epochs) };
    case 'cyclical': {
      const tau = ((epoch - 1) % s.period) / s.period;
      return { beta: model.beta * Math.min(1, tau / s.ratio) };
    }
    case 'capacity':
      return { beta: s.gamma, capacity: s.cMax * ramp(epoch, s.epochs) };
  }
}

/** The epoch's KL weight for a model config, or undefined for a model without a weighted term (the autoencoder). */
export function klWeightFor(model: ModelConfig, epoch: number): KlWeight | undefined {
  return model.kind === 'autoencoder' ? undefined : klWeight(model, epoch);
}
