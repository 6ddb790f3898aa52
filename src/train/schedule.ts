/** Learning-rate schedules: the rate of each epoch as a pure function of the epoch, so a resumed run continues exactly. */

/** Burda et al.'s stages: 3^i epochs at lr * 10^(-i/7), i = 0..7. */
const BURDA_STAGES = 8;

/** Total epochs of Burda et al.'s schedule: 1 + 3 + ... + 3^7 = 3,280. */
export const BURDA_EPOCHS = (3 ** BURDA_STAGES - 1) / 2;

/** Epochs of stage i of Burda's schedule compressed by `scale` (0 < scale <= 1): round(3^i scale), at least 1. */
const stageEpochs = (i: number, scale: number): number => Math.max(1, Math.round(3 ** i * scale));

/**
 * Total epochs of Burda's schedule compressed by `scale` (1: the paper's 3,280).
 *
 * @example
 * burdaEpochs(0.1); // 1 + 1 + 1 + 3 + 8 + 24 + 73 + 219 = 330
 */
export function burdaEpochs(scale = 1): number {
  let total = 0;
  for (let i = 0; i < BURDA_STAGES; i++) total += stageEpochs(i, scale);
  return total;
}

/**
 * The learning rate of a 1-based `epoch`. `burda`: stage i (i = 0..7) covers 3^i epochs (times the schedule's
 * `scale`, rounded, at least 1) at lr * 10^(-i/7); epochs past the schedule stay at the last stage's rate.
 *
 * @example
 * learningRate({ lr: 1e-3, lrSchedule: { kind: 'burda', scale: 1 } }, 2); // 1e-3 * 10^(-1/7), the first epoch of stage 1
 */
export function learningRate(train: { lr: number; lrSchedule: { kind: 'constant' } | { kind: 'burda'; scale?: number } }, epoch: number): number {
  switch (train.lrSchedule.kind) {
    case 'constant':
      return train.lr;
    case 'burda': {
      const scale = train.lrSchedule.scale ?? 1;
      let end = 0;
      for (let i = 0; i < BURDA_STAGES; i++) {
        end += stageEpochs(i, scale);
        if (epoch <= end) return train.lr * 10 ** (-i / 7);
      }
      return train.lr * 10 ** (-(BURDA_STAGES - 1) / 7);
    }
  }
}
