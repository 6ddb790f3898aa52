/** The one seeded random number generator: weight initialization, shuffling, dropout masks and noise all draw from it. */
import seedrandom from 'seedrandom';

/** The serializable state of an {@link Rng}, stored in checkpoints so a resumed run draws the same numbers. */
export interface RngState {
  /** seedrandom's xor4096 state. */
  xor4096: unknown;
}

// Ziggurat tables for N(0, 1) (Marsaglia and Tsang 2000), 128 layers of equal area ZIG_V under f(x) = exp(-x^2 / 2)
// (unnormalized): X[1] = R, X[i + 1] = f^-1(V / X[i] + f(X[i])) down to X[128] = 0; the base layer is the rectangle
// of width X[0] = V / f(R) holding the core [0, R) and the tail. F[i] = f(X[i]).
const ZIG_LAYERS = 128;
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const ZIG_X = new Float64Array(ZIG_LAYERS + 1);
const ZIG_F = new Float64Array(ZIG_LAYERS + 1);
ZIG_X[0] = ZIG_V / Math.exp(-0.5 * ZIG_R * ZIG_R);
ZIG_X[1] = ZIG_R;
for (let i = 1; i < ZIG_LAYERS - 1; i++) ZIG_X[i + 1] = Math.sqrt(-2 * Math.log(ZIG_V / ZIG_X[i] + Math.exp(-0.5 * ZIG_X[i] * ZIG_X[i])));
ZIG_X[ZIG_LAYERS] = 0; // the recurrence gives 9e-6 here: the top layer is the one that reaches the mode
for (let i = 0; i <= ZIG_LAYERS; i++) ZIG_F[i] = Math.exp(-0.5 * ZIG_X[i] * ZIG_X[i]);
/** 2^-24: the top 24 bits of a draw as a magnitude in [0, 1). */
const MAGNITUDE_SCALE = 1 / 16777216;

/** xor4096 keeps 128 32-bit words, then (here) the index into them and the Weyl counter: seedrandom's X, i and w. */
const WORDS = 128;

/**
 * Bulk draws made outside JS on an Rng's state (the native addon registers them, src/native/addon/random.inc), giving
 * exactly the numbers of the JS loops below and advancing the state as they would. `state` is [X (128 words), i, w].
 */
export interface BulkDraws {
  /** out[k] = the k-th N(0, 1) draw of {@link Rng.fillNormal}; zigX and zigF are the ziggurat's tables. */
  normal(state: Int32Array, out: Float32Array, zigX: Float64Array, zigF: Float64Array): void;
  /** out[k] = low + width * (the k-th uniform draw). */
  uniform(state: Int32Array, out: Float32Array, low: number, width: number): void;
  /** out[k] = 1 when the k-th uniform draw is below p[k], else 0. */
  bernoulli(state: Int32Array, p: Float32Array, out: Float32Array): void;
}

let bulk: BulkDraws | undefined;
/** Below this many draws a native call costs more than the JS loop. */
const BULK_MIN = 256;

/**
 * Routes every Rng's array draws of {@link BULK_MIN} or more through `draws` (undefined: back to JS). The numbers do
 * not change, only how fast they come: xor4096 runs about 6 ns a draw in V8, the noise of an IWAE-50 step (50,000
 * normals) 0.5 ms and the dynamic binarization of a batch of 20 MNIST images 0.3 ms, with the other core idle.
 */
export function setBulkDraws(draws: BulkDraws | undefined): void {
  bulk = draws;
}

/**
 * A seeded RNG, seedrandom's xor4096 (Brent's xorgens with a Weyl counter), whose state can be saved and restored
 * exactly. seedrandom seeds it; the generator itself runs here on a typed array, so that the native addon can take
 * over long draws on the same state (see {@link setBulkDraws}); the streams are seedrandom's, draw for draw.
 *
 * @example
 * const rng = new Rng(42);
 * const eps = rng.normalArray(128 * 20); // Float32Array of N(0, 1) draws
 * const saved = rng.state(); // ... later: Rng.fromState(saved)
 */
export class Rng {
  /** [X (128 words), i, w]. */
  private readonly s = new Int32Array(WORDS + 2);

  constructor(seed: number | string, state?: RngState) {
    const init = (state?.xor4096 ?? seedrandom.xor4096(String(seed), { state: true }).state()) as { X: number[]; i: number; w: number };
    this.s.set(init.X);
    this.s[WORDS] = init.i;
    this.s[WORDS + 1] = init.w;
  }

  /** Restores a generator from a saved state. */
  static fromState(state: RngState): Rng {
    return new Rng(0, state);
  }

  /** The current state; a copy, safe to serialize as JSON (seedrandom's form: { i, w, X }). */
  state(): RngState {
    return { xor4096: { i: this.s[WORDS], w: this.s[WORDS + 1], X: Array.from(this.s.subarray(0, WORDS)) } };
  }

  /** One 32-bit draw as a signed integer (seedrandom's int32()). */
  private int32(): number {
    const s = this.s;
    const w = (s[WORDS + 1] = (s[WORDS + 1] + 0x61c88647) | 0);
    const i = (s[WORDS] = (s[WORDS] + 1) & 127);
    let v = s[(i + 33) & 127]; // X[(i_before + 34) & 127]
    let t = s[i];
    v ^= v << 13;
    t ^= t << 17;
    v ^= v >>> 15;
    t ^= t >>> 12;
    v = s[i] = v ^ t;
    return (v + (w ^ (w >>> 16))) | 0;
  }

  /** A uniform draw in (0, 1) with 53 random bits (seedrandom's double()). */
  private double(): number {
    for (;;) {
      const top = this.int32() >>> 11;
      const bottom = (this.int32() >>> 0) / 0x100000000;
      const result = (top + bottom) / (1 << 21);
      if (result !== 0) return result;
    }
  }

  /** A uniform draw in [0, 1). */
  uniform(): number {
    return this.double();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.double() * n);
  }

  /** One N(0, 1) draw (the ziggurat, as {@link normalArray}). */
  normal(): number {
    return this.zigguratDraw();
  }

  /**
   * n draws from N(0, 1), by Marsaglia and Tsang's ziggurat (2000) with 128 layers: one 32-bit draw gives the layer
   * (its low 7 bits), the sign (bit 7) and the magnitude (the top 24 bits, so no bit serves twice, the flaw Doornik
   * found in the original); about 99% of draws take that one step, the rest fall to the wedge or tail test. About 5x
   * faster than Box-Muller's log, sqrt, cos and sin here, which matters where the noise is drawn for every batch
   * (0.5 ms of a 9 ms forward pass at batch 1000).
   */
  normalArray(n: number): Float32Array {
    return this.fillNormal(new Float32Array(n));
  }

  /** Overwrites `out` with N(0, 1) draws (the same draws normalArray(out.length) would return) and returns it. */
  fillNormal(out: Float32Array): Float32Array {
    if (bulk && out.length >= BULK_MIN) {
      bulk.normal(this.s, out, ZIG_X, ZIG_F);
      return out;
    }
    for (let k = 0; k < out.length; k++) out[k] = this.zigguratDraw();
    return out;
  }

  /** One ziggurat draw. */
  private zigguratDraw(): number {
    const u = this.int32();
    const layer = u & 127;
    const x = (u >>> 8) * MAGNITUDE_SCALE * ZIG_X[layer];
    // The sign from bit 7 as arithmetic: a 50/50 branch here would be mispredicted half the time.
    return x < ZIG_X[layer + 1] ? x * (1 - ((u >>> 6) & 2)) : this.zigguratEdge(u, layer, x);
  }

  /**
   * The rare rest of a ziggurat draw whose point x fell outside its layer's core [0, X[layer + 1]): the tail beyond R
   * for the base layer (Marsaglia's exponential method), else the wedge test against the density, retrying with a
   * fresh 32-bit draw on rejection.
   */
  private zigguratEdge(u: number, layer: number, x: number): number {
    for (;;) {
      const sign = 1 - ((u >>> 6) & 2);
      if (layer === 0) {
        let a: number;
        let b: number;
        do {
          a = -Math.log(1 - this.double()) / ZIG_R; // 1 - U is in (0, 1]
          b = -Math.log(1 - this.double());
        } while (b + b < a * a);
        return sign * (ZIG_R + a);
      }
      // y uniform between the layer's lower and upper density values; accept under the curve.
      if (ZIG_F[layer] + this.double() * (ZIG_F[layer + 1] - ZIG_F[layer]) < Math.exp(-0.5 * x * x)) return sign * x;
      u = this.int32();
      layer = u & 127;
      x = (u >>> 8) * MAGNITUDE_SCALE * ZIG_X[layer];
      if (x < ZIG_X[layer + 1]) return (1 - ((u >>> 6) & 2)) * x;
    }
  }

  /** n draws from U(low, high). */
  uniformArray(n: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(n);
    const w = high - low;
    if (bulk && n >= BULK_MIN) bulk.uniform(this.s, out, low, w);
    else for (let i = 0; i < n; i++) out[i] = low + w * this.double();
    return out;
  }

  /**
   * A 0/1 draw per probability: out[i] = 1 with probability p[i] (uniform() < p[i]), the stream of p.length calls of
   * uniform(). Dynamic binarization draws each batch's pixels this way.
   */
  bernoulli(p: Float32Array, out = new Float32Array(p.length)): Float32Array {
    if (bulk && p.length >= BULK_MIN) bulk.bernoulli(this.s, p, out);
    else for (let i = 0; i < p.length; i++) out[i] = this.double() < p[i] ? 1 : 0;
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.double() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
