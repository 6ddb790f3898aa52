/** Modularity (Ridgeway & Zemel 2018) as disentanglement_lib's modularity_explicitness.py, on the 20-bin mutual information. */
import { mutualInfoMatrix, MI_BINS } from './mutual-info.js';
import { mean } from './mig.js';
import type { Table } from './types.js';

export interface ModularityResult {
  /** The mean over codes of 1 - delta_l, delta_l = sum_{k != k*} I_lk^2 / (I_lk*^2 (K - 1)); 0 for a code with no information. */
  modularity: number;
  perCode: number[];
  bins: number;
}

/**
 * Modularity of codes [N, L] against discrete factor values [N, K]: each code should carry information about one
 * factor only. A code whose mutual information with every factor is 0 scores 0, as in disentanglement_lib.
 *
 * @example
 * modularity(codes, factors).modularity; // 1 for a code that copies the factors
 */
export function modularity(codes: Table, factors: Table, { bins = MI_BINS }: { bins?: number } = {}): ModularityResult {
  const perCode = modularityPerCode(mutualInfoMatrix(codes, factors, bins), codes.dim, factors.dim);
  return { modularity: mean(perCode), perCode, bins };
}

/** Each code's 1 - delta from a mutual information matrix [L, K]. */
export function modularityPerCode(mi: ArrayLike<number>, L: number, K: number): number[] {
  return Array.from({ length: L }, (_, l) => {
    let sum = 0;
    let max = 0;
    for (let k = 0; k < K; k++) {
      const sq = mi[l * K + k] ** 2;
      sum += sq;
      if (sq > max) max = sq;
    }
    if (max === 0 || K < 2) return 0;
    return 1 - (sum - max) / (max * (K - 1));
  });
}
