import { describe, expect, it } from 'vitest';
import { BURDA_EPOCHS, burdaEpochs, learningRate } from './schedule.js';

describe('learningRate', () => {
  it('constant: lr at every epoch', () => {
    expect([1, 7, 5000].map((e) => learningRate({ lr: 0.01, lrSchedule: { kind: 'constant' } }, e))).toEqual([0.01, 0.01, 0.01]);
  });

  it("burda: 3^i epochs at lr 10^(-i/7), i = 0..7, 3,280 epochs, then the last stage's rate", () => {
    const train = { lr: 1e-3, lrSchedule: { kind: 'burda' } } as const;
    expect(BURDA_EPOCHS).toBe(3280);
    // Stage boundaries, counted by hand: 1 | 2-4 | 5-13 | 14-40 | 41-121 | 122-364 | 365-1093 | 1094-3280.
    const firstEpochs = [1, 2, 5, 14, 41, 122, 365, 1094];
    firstEpochs.forEach((e, i) => {
      expect(learningRate(train, e)).toBeCloseTo(1e-3 * 10 ** (-i / 7), 15);
      if (i > 0) expect(learningRate(train, e - 1)).toBeCloseTo(1e-3 * 10 ** (-(i - 1) / 7), 15);
    });
    expect(learningRate(train, 3280)).toBeCloseTo(1e-4, 15);
    expect(learningRate(train, 4000)).toBeCloseTo(1e-4, 15);
    // Each stage i holds 3^i epochs.
    const counts = new Map<number, number>();
    for (let e = 1; e <= 3280; e++) counts.set(learningRate(train, e), (counts.get(learningRate(train, e)) ?? 0) + 1);
    expect([...counts.values()]).toEqual([1, 3, 9, 27, 81, 243, 729, 2187]);
  });

  it('burda compressed by scale 0.1: stages of round(3^i / 10), at least 1 epoch (1, 1, 1, 3, 8, 24, 73, 219)', () => {
    const train = { lr: 1e-3, lrSchedule: { kind: 'burda', scale: 0.1 } } as const;
    expect(burdaEpochs(0.1)).toBe(330);
    expect(burdaEpochs()).toBe(BURDA_EPOCHS);
    const counts = new Map<number, number>();
    for (let e = 1; e <= 330; e++) counts.set(learningRate(train, e), (counts.get(learningRate(train, e)) ?? 0) + 1);
    expect([...counts.values()]).toEqual([1, 1, 1, 3, 8, 24, 73, 219]);
    expect(learningRate(train, 330)).toBeCloseTo(1e-4, 15);
  });
});
