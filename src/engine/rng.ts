/** The one seeded random number generator: weight initialization, shuffling, dropout masks and noise all draw from it. */
import seedrandom from 'seedrandom';

/** The serializable state of an {@link Rng}, stored in checkpoints so a resumed run draws the same numbers. */
export interface RngState {
  /** seedrandom's xor4096 state. */
  xor4096: unknown;
}

/**
 * A seeded RNG (seedrandom's xor4096) whose state can be saved and restored exactly.
 *
 * @example
 * const rng = new Rng(42);
 * const eps = rng.normalArray(128 * 20); // Float32Array of N(0, 1) draws
 * const saved = rng.state(); // ... later: Rng.fromState(saved)
 */
export class Rng {
  private gen: seedrandom.StatefulPRNG<seedrandom.State.Xor4096>;

  constructor(seed: number | string, state?: RngState) {
    this.gen = seedrandom.xor4096(state ? '' : String(seed), {
      state: state ? (state.xor4096 as seedrandom.State.Xor4096) : true,
    });
  }

  /** Restores a generator from a saved state. */
  static fromState(state: RngState): Rng {
    return new Rng(0, state);
  }

  /** The current state; a copy, safe to serialize as JSON. */
  state(): RngState {
    return { xor4096: structuredClone(this.gen.state()) };
  }

  /** A uniform draw in [0, 1). */
  uniform(): number {
    return this.gen.double();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.gen.double() * n);
  }

  /** One N(0, 1) draw (Box-Muller; the second value of the pair is discarded so the state stays simple). */
  normal(): number {
    let u = this.gen.double();
    while (u === 0) u = this.gen.double();
    const v = this.gen.double();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** n draws from N(0, 1), both values of each Box-Muller pair used. */
  normalArray(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      let u = this.gen.double();
      while (u === 0) u = this.gen.double();
      const v = this.gen.double();
      const r = Math.sqrt(-2 * Math.log(u));
      out[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
    return out;
  }

  /** n draws from U(low, high). */
  uniformArray(n: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(n);
    const w = high - low;
    for (let i = 0; i < n; i++) out[i] = low + w * this.gen.double();
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.gen.double() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
