/** Finds and loads the compiled N-API addon (`build/Release/vaekit_native.node`) and describes its functions. */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Unary op codes; the numbering matches `enum Unary` in addon/kernels.h. */
export const UNARY = {
  Neg: 0, Exp: 1, Log: 2, Log1p: 3, Sqrt: 4, Rsqrt: 5, Square: 6, Abs: 7, Relu: 8, Sigmoid: 9, Softplus: 10, Step: 11,
  Reciprocal: 12, Relu6: 13, Expm1: 14, Tanh: 15, LeakyRelu: 16,
} as const;
/** Binary op codes (`enum Binary`). */
export const BINARY = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 } as const;
/** Comparison op codes (`enum Compare`), with a bool result. */
export const COMPARE = { Greater: 0, GreaterEqual: 1, Less: 2, LessEqual: 3, Equal: 4, NotEqual: 5 } as const;
/** How the operands of a binary op line up (`enum Bcast`). */
export const BCAST = { same: 0, aScalar: 1, bScalar: 2, aRow: 3, bRow: 4, aCol: 5, bCol: 6 } as const;
/** Fused activations (`enum Act`). */
export const ACT = { linear: 0, relu: 1, sigmoid: 2, relu6: 3, leakyrelu: 4, elu: 5 } as const;

/** N, H, W, C, fh, fw, strideH, strideW, padTop, padLeft, OH, OW, Cout. */
export type ConvDims = [number, number, number, number, number, number, number, number, number, number, number, number, number];

/** The functions the addon exports; every array is used in place, shapes are passed as numbers. */
export interface NativeAddon {
  /** c[i] = act(op(a[i]) op(b[i]) + bias) for i < batch, a/b advanced by strideA/strideB floats (0 broadcasts). */
  gemm(
    a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, strideA: number, strideB: number, bias: Float32Array | null,
    act: number, alpha: number,
  ): void;
  /**
   * NHWC convolution, dilation 1: y = act(conv(x, filter) + bias). `dims` = N, H, W, C, fh, fw, strideH, strideW,
   * padTop, padLeft, OH, OW, Cout.
   */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, ...rest: [...ConvDims, Float32Array | null, number, number]): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, ...dims: ConvDims): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, ...dims: ConvDims): void;
  /** Per-column mean and biased variance of x viewed as [rows, cols]. */
  batchNormStats(x: Float32Array, mean: Float32Array, variance: Float32Array, rows: number, cols: number): void;
  /**
   * y = act((x - mean) / sqrt(variance + epsilon) * gamma + beta) per column of [rows, cols]; gamma, beta null: 1, 0;
   * act numbered as STEP_ACTIVATIONS (0: none), slope the leaky ReLU's.
   */
  batchNormApply(
    x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null,
    y: Float32Array, rows: number, cols: number, epsilon: number, act: number, slope: number,
  ): void;
  /**
   * The gradients of a training-mode batch norm (statistics of x itself) followed by act, whose output y (null for
   * no activation) gives its derivative, given dy; null outputs are skipped.
   */
  batchNormGrad(
    x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null,
    y: Float32Array | null, dx: Float32Array, dgamma: Float32Array | null, dbeta: Float32Array | null, rows: number,
    cols: number, epsilon: number, act: number, slope: number,
  ): void;
  /** y = act(x + bias) per row of [rows, cols]; bias null: 0. */
  biasAct(x: Float32Array, bias: Float32Array | null, y: Float32Array, rows: number, cols: number, act: number, slope: number): void;
  /** dx = dy act'(y) from the output y, and db = its column sums (null: skipped), in one pass. */
  biasActGrad(
    dy: Float32Array, y: Float32Array, dx: Float32Array, db: Float32Array | null, rows: number, cols: number, act: number,
    slope: number,
  ): void;
  /**
   * beta-TCVAE's estimators over a batch's codes z, mean, logVar [B, L] (src/objectives/tc.ts): logJoint_i =
   * logsumexp_j (sum_d log N(z_id; mean_jd, exp(logVar_jd)) + w_ij) and logMarg_i = sum_d logsumexp_j (log N(...) + w_ij),
   * w the log-weights [B, B], or [1]: one weight for every pair.
   */
  tcLogQ(z: Float32Array, mean: Float32Array, logVar: Float32Array, logWeights: Float32Array, b: number, l: number, logJoint: Float32Array, logMarg: Float32Array): void;
  /** The gradients at z, mean and logVar of sum_i gJoint_i logJoint_i + gMarg_i logMarg_i. */
  tcLogQGrad(
    z: Float32Array, mean: Float32Array, logVar: Float32Array, logWeights: Float32Array, b: number, l: number, gJoint: Float32Array,
    gMarg: Float32Array, dz: Float32Array, dMean: Float32Array, dLogVar: Float32Array,
  ): void;
  /** dx = x > 0 ? dy : alpha dy (the gradient of relu at alpha 0, of leaky ReLU otherwise). */
  leakyReluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, alpha: number): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number): void;
  binary(op: number, bcast: number, a: Float32Array, b: Float32Array, y: Float32Array, inner: number): void;
  compare(op: number, bcast: number, a: Float32Array, b: Float32Array, y: Uint8Array, inner: number): void;
  select(cond: Uint8Array, a: Float32Array, b: Float32Array, y: Float32Array): void;
  /** y[r] = sum of row r of x viewed as [rows, inner]. */
  sumRows(x: Float32Array, y: Float32Array, rows: number, inner: number): void;
  /** y[c] = sum of column c of x viewed as [rows, inner]. */
  sumCols(x: Float32Array, y: Float32Array, rows: number, inner: number): void;
  /** Per-row objective term of [rows, d] inputs: 0 = Bernoulli log-likelihood (x, logits), 1 = KL (mean, logVar). */
  objective(term: number, a: Float32Array, b: Float32Array, y: Float32Array, rows: number, d: number): void;
  /** Its gradients: term 0 writes (d logits, d x), term 1 writes (d mean, d logVar), scaled row-wise by dy; null skips one. */
  objectiveGrad(
    term: number, a: Float32Array, b: Float32Array, dy: Float32Array, out1: Float32Array | null,
    out2: Float32Array | null, rows: number, d: number,
  ): void;
  /** One fused Adam step (PyTorch's form) from w, m, v, g into w2, m2, v2 (which may be the same arrays). */
  adam(
    w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, w2: Float32Array, m2: Float32Array,
    v2: Float32Array, beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number, epsilon: number,
    sqrtBiasCorrection2: number, stepSize: number,
  ): void;
  /**
   * One whole training step of an MLP VAE (src/native/addon/elbo_step.inc): forward, the negative ELBO with a
   * Bernoulli likelihood, backward and Adam. Parameter lists are in the model's variable order (W, b per layer:
   * encoder layers, mean head, variance head, decoder layers, output layer); outputs may be the input arrays.
   * `ints` = B, D, L, encoder layers E, decoder layers Dn, variance (0 logVar, 1 softplus), widths, activations;
   * `hyper` = beta, leaky slope, beta1, beta2, 1 - beta1, 1 - beta2, epsilon, sqrt(1 - beta2^t), lr / (1 - beta1^t),
   * and k: 0 for the ELBO, k >= 1 for the IWAE bound with k samples per example (eps then [k * B, L]);
   * `means` receives the batch means of loss, reconstruction and KL before the update. `dz`, `dMean`, `dLogVar`
   * (ELBO only, [B, L] each, null or absent for none): a penalty's gradients at the codes, added to the latent
   * gradients before the encoder's backward pass (dz through z = mean + exp(logVar / 2) eps); beta may be 0.
   */
  elboStep(
    params: Float32Array[], m: Float32Array[], v: Float32Array[], outParams: Float32Array[], outM: Float32Array[],
    outV: Float32Array[], ints: Int32Array, hyper: Float64Array, x: Float32Array, input: Float32Array, eps: Float32Array,
    means: Float64Array, dz?: Float32Array | null, dMean?: Float32Array | null, dLogVar?: Float32Array | null,
  ): void;
  /**
   * The forward pass alone of the model elboStep trains (same params and ints; hyper = [beta, leaky slope]). `eps`
   * null: z is the posterior mean. Each output is written when non-null: recon [B, D] Bernoulli means, mean and
   * logVar [B, L], and per example loss, rec and kl [B] (the negative ELBO and its terms; they need `x`).
   */
  vaeForward(
    params: Float32Array[], ints: Int32Array, hyper: Float64Array, input: Float32Array, x: Float32Array | null,
    eps: Float32Array | null, recon: Float32Array | null, mean: Float32Array | null, logVar: Float32Array | null,
    loss: Float32Array | null, rec: Float32Array | null, kl: Float32Array | null,
  ): void;
  /**
   * The log importance weights of the model elboStep trains, summed per example: the encoder once on input [B, D],
   * k = hyper[1] samples of z per example from eps [k * B, L] (sample s of example i in row s * B + i), and
   * out[i] = log sum_s p(x_i|z_si) p(z_si) / q(z_si|x_i) in float64. hyper = [leaky slope, k].
   */
  /** out [B] the log-sum of the k weights per example; or, with out null, the per-sample log-weights and log p(x|z) [k * B] and the KL [B] (each optional). */
  vaeLogWeights(params: Float32Array[], ints: Int32Array, hyper: Float64Array, input: Float32Array, x: Float32Array, eps: Float32Array, out: Float64Array | null, logW?: Float32Array | null, logPx?: Float32Array | null, kl?: Float32Array | null): void;
  /**
   * The seeded RNG's bulk draws (random.inc) on an Rng's state [X (128 words), i, w], advancing it: N(0, 1) by the
   * ziggurat with its tables zigX, zigF [129]; low + width U(0, 1); and 1 where U(0, 1) < p. The numbers of
   * src/engine/rng.ts's JS loops.
   */
  randomNormal(state: Int32Array, out: Float32Array, zigX: Float64Array, zigF: Float64Array): void;
  randomUniform(state: Int32Array, out: Float32Array, low: number, width: number): void;
  randomBernoulli(state: Int32Array, p: Float32Array, out: Float32Array): void;
  /** Build and pool state; `sleeps` and `soloSpells` count worker naps and contention-guard spells (diagnostics). */
  info(): { isa: string; threads: number; poolSize: number; sleeps: number; soloSpells: number };
  /** How many pool threads take part in a kernel (1 = the calling thread only). */
  setThreads(n: number): void;
  /** Switches the kernel table ('avx512' | 'avx2' | 'generic' | 'auto'); returns the one in use (tests, benchmarks). */
  setIsa(isa: string): string;
}

const ADDON_FILE = path.join('build', 'Release', 'vaekit_native.node');

/** The addon path: the first `build/Release/vaekit_native.node` found walking up from this file (src/native or dist). */
export function addonPath(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, ADDON_FILE);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

let loaded: NativeAddon | undefined;

/**
 * Loads the addon once; throws a one-line Error when it is disabled (`VAEKIT_NATIVE=off`), not built, or fails to load.
 *
 * @example
 * const addon = loadAddon(); // addon.info().isa === 'avx512'
 */
export function loadAddon(): NativeAddon {
  if (process.env.VAEKIT_NATIVE === 'off' || process.env.VAEKIT_NATIVE === '0') {
    throw new Error('the native addon is disabled by VAEKIT_NATIVE=off');
  }
  if (loaded) return loaded;
  const file = addonPath();
  if (!file) throw new Error(`the native addon is not built (no ${ADDON_FILE}; run npm install or node scripts/build-native.mjs)`);
  try {
    loaded = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(`the native addon at ${file} failed to load: ${msg}`);
  }
  return loaded;
}

/** Whether {@link loadAddon} succeeds here (the native tests skip themselves when it does not). */
export function addonLoads(): boolean {
  try {
    loadAddon();
    return true;
  } catch {
    return false;
  }
}
