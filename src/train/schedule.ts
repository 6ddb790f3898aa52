/** Learning-rate schedules: the rate of each epoch as a pure function of the epoch, so a resumed run continues exactly. */
import type { TrainOptions } from '../config/schema.js';

/** Burda et al.'s stages: 3^i epochs at lr * 10^(-i/7), i = 0..7. */
const BURDA_STAGES = 8;

/** Total epochs of Burda et al.'s schedule: 1 + 3 + ... + 3^7 = 3,280. */
export const BURDA_EPOCHS = (3 ** BURDA_STAGES - 1) / 2;

/**
 * The learning rate of a 1-based `epoch`. `burda`: stage i (i = 0..7) covers 3^i epochs at lr * 10^(-i/7); epochs past
 * the 3,280 of the schedule stay at the last stage's rate.
 *
 * @example
 * learningRate({ lr: 1e-3, lrSchedule: { kind: 'burda' } }, 2); // 1e-3 * 10^(-1/7), the first epoch of stage 1
 */
export function learningRate(train: Pick<TrainOptions, 'lr' | 'lrSchedule'>, epoch: number): number {
  switch (train.lrSchedule.kind) {
    case 'constant':
      return train.lr;
    case 'burda': {
      let end = 0;
      for (let i = 0; i < BURDA_STAGES; i++) {
        end += 3 ** i;
        if (epoch <= end) return train.lr * 10 ** (-i / 7);
      }
      return train.lr * 10 ** (-(BURDA_STAGES - 1) / 7);
    }
  }
}
