/** The mutual information gap (Chen et al. 2018) as disentanglement_lib's mig.py: 20-bin codes, discrete factors. */
import { entropy, mutualInfoMatrix, MI_BINS } from './mutual-info.js';
import { column, type Table } from './types.js';

export interface MigResult {
  /** The mean over factors of (I(z_a; v_k) - I(z_b; v_k)) / H(v_k), a and b the codes of the two largest I. */
  mig: number;
  /** Each factor's gap, normalized by its entropy (0 for a constant factor, whose entropy is 0). */
  perFactor: number[];
  /** I(z_l; v_k) in nats, row-major [L, K]. */
  mutualInfo: number[];
  /** H(v_k) in nats, per factor. */
  factorEntropy: number[];
  bins: number;
}

/**
 * MIG of codes [N, L] against discrete factor values [N, K]: each code discretized into `bins` (20) equal-width bins
 * between its minimum and maximum; a single code has no second code, so its gap is against 0.
 *
 * @example
 * mig(codes, factors).mig; // about 1 when each factor is copied into its own code
 */
export function mig(codes: Table, factors: Table, { bins = MI_BINS }: { bins?: number } = {}): MigResult {
  const mi = mutualInfoMatrix(codes, factors, bins);
  const K = factors.dim;
  const factorEntropy = Array.from({ length: K }, (_, k) => entropy(column(factors, k)));
  const perFactor = factorEntropy.map((h, k) => {
    if (h === 0) return 0;
    const sorted = Array.from({ length: codes.dim }, (_, l) => mi[l * K + k]).sort((a, b) => b - a);
    return (sorted[0] - (sorted[1] ?? 0)) / h;
  });
  return { mig: mean(perFactor), perFactor, mutualInfo: Array.from(mi), factorEntropy, bins };
}

/** The mean of a list of numbers; 0 for an empty one. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length === 0 ? 0 : s / xs.length;
}
