/** Codes of examples drawn from a ground truth: the sample MIG, SAP, DCI and modularity read. */
import type { Rng } from '../engine/rng.js';
import type { GroundTruth, Represent, Table } from './types.js';

/** Examples rendered and encoded at a time, so memory holds codes, not images: 2,048 dSprites images are 32 MB. */
const CHUNK = 2048;

/**
 * Samples `n` factor rows and encodes their examples, `CHUNK` at a time: the codes [n, L] and the factor indices as
 * values [n, K].
 *
 * @example
 * const { codes, factors } = sampleCodes(dspritesTruth, represent, 10000, new Rng(0));
 */
export function sampleCodes(truth: GroundTruth, represent: Represent, n: number, rng: Rng): { codes: Table; factors: Table } {
  const K = truth.factorSizes.length;
  const f = truth.sampleFactors(n, rng); // [n, K]
  let z: Float32Array | undefined;
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    const codes = represent(truth.observe(f.subarray(start * K, (start + m) * K), m), m); // [m, L]
    z ??= new Float32Array(n * (codes.length / m)); // [n, L]
    z.set(codes, start * (codes.length / m));
  }
  return { codes: { data: z!, n, dim: z!.length / n }, factors: { data: Float32Array.from(f), n, dim: K } };
}
