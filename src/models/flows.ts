/** Normalizing flows on a posterior sample: planar and radial steps (Rezende & Mohamed 2015) and IAF steps built on MADE (Kingma et al. 2016; Germain et al. 2015). */
import { tf, makeVariable, type Rng, type Tensor1D, type Tensor2D, type Variable } from '../engine/index.js';
import type { LayerSummary, NamedVariable } from '../nn/index.js';
import type { FlowConfig } from '../config/schema.js';

/** One invertible step z -> f(z) with log |det df/dz| per row. */
export interface FlowStep {
  /** z [N, L] (and, for IAF, the encoder's context h [N, C]) -> f(z) [N, L] and log |det df/dz| [N]. */
  forward(z: Tensor2D, h?: Tensor2D): { z: Tensor2D; logDet: Tensor1D };
  variables(): NamedVariable[];
}

const variable = (name: string, v: Variable): NamedVariable => ({ name, variable: v, trainable: true });

/**
 * f(z) = z + u_hat tanh(w.z + b), log |det| = log |1 + (1 - tanh^2(w.z + b)) w.u_hat|. u_hat = u + (m(w.u) - w.u) w / |w|^2
 * with m(a) = -1 + softplus(a) keeps w.u_hat >= -1, the condition for f to be invertible.
 *
 * @example
 * const step = new PlanarStep({ name: 'flow.0', latent: 2, rng }); const { z, logDet } = step.forward(z0);
 */
export class PlanarStep implements FlowStep {
  readonly u: Variable; // [L]
  readonly w: Variable; // [L]
  readonly b: Variable; // [1]
  private readonly name: string;

  constructor({ name, latent, rng }: { name: string; latent: number; rng: Rng }) {
    this.name = name;
    const k = 1 / Math.sqrt(latent);
    this.u = makeVariable(rng.uniformArray(latent, -k, k), [latent], true);
    this.w = makeVariable(rng.uniformArray(latent, -k, k), [latent], true);
    this.b = makeVariable(new Float32Array(1), [1], true);
  }

  /** u_hat, the reparameterized u with w.u_hat >= -1. */
  uHat(): Tensor1D {
    return tf.tidy(() => {
      const wu = tf.sum(tf.mul(this.w, this.u));
      const shift = tf.div(tf.sub(tf.sub(tf.softplus(wu), 1), wu), tf.add(tf.sum(tf.square(this.w)), 1e-12));
      return tf.add(this.u, tf.mul(this.w, shift)) as Tensor1D;
    });
  }

  forward(z: Tensor2D): { z: Tensor2D; logDet: Tensor1D } {
    return tf.tidy(() => {
      const uHat = this.uHat(); // [L]
      const t = tf.tanh(tf.add(tf.sum(tf.mul(z, this.w), 1), this.b)); // [N]
      const out = tf.add(z, tf.mul(tf.expandDims(t, 1), uHat)) as Tensor2D; // [N, L]
      const slope = tf.mul(tf.sub(1, tf.square(t)), tf.sum(tf.mul(this.w, uHat))); // [N]
      return { z: out, logDet: tf.log(tf.abs(tf.add(slope, 1))) as Tensor1D };
    });
  }

  variables(): NamedVariable[] {
    return [variable(`${this.name}.u`, this.u), variable(`${this.name}.w`, this.w), variable(`${this.name}.b`, this.b)];
  }
}

/**
 * f(z) = z + beta h(r) (z - z0) with r = |z - z0| and h = 1 / (alpha + r); alpha = softplus(a) > 0 and
 * beta = -alpha + softplus(b) >= -alpha, the condition for f to be invertible.
 * log |det| = (L - 1) log(1 + beta h) + log(1 + beta h - beta h^2 r).
 *
 * @example
 * const step = new RadialStep({ name: 'flow.0', latent: 2, rng });
 */
export class RadialStep implements FlowStep {
  readonly z0: Variable; // [L]
  readonly a: Variable; // [1], alpha before softplus
  readonly b: Variable; // [1], beta + alpha before softplus
  private readonly name: string;

  constructor({ name, latent, rng }: { name: string; latent: number; rng: Rng }) {
    this.name = name;
    const k = 1 / Math.sqrt(latent);
    this.z0 = makeVariable(rng.uniformArray(latent, -k, k), [latent], true);
    this.a = makeVariable(rng.uniformArray(1, -k, k), [1], true);
    this.b = makeVariable(rng.uniformArray(1, -k, k), [1], true);
  }

  forward(z: Tensor2D): { z: Tensor2D; logDet: Tensor1D } {
    return tf.tidy(() => {
      const l = z.shape[1];
      const alpha = tf.softplus(this.a); // [1]
      const beta = tf.sub(tf.softplus(this.b), alpha); // [1]
      const diff = tf.sub(z, this.z0); // [N, L]
      const r = tf.sqrt(tf.add(tf.sum(tf.square(diff), 1), 1e-12)); // [N]; the 1e-12 keeps the gradient finite at z = z0
      const h = tf.reciprocal(tf.add(alpha, r)); // [N]
      const bh = tf.mul(beta, h); // [N]
      const out = tf.add(z, tf.mul(tf.expandDims(bh, 1), diff)) as Tensor2D; // [N, L]
      const logDet = tf.add(tf.mul(tf.log1p(bh), l - 1), tf.log1p(tf.sub(bh, tf.mul(bh, tf.mul(h, r))))); // [N]
      return { z: out, logDet: logDet as Tensor1D };
    });
  }

  variables(): NamedVariable[] {
    return [variable(`${this.name}.z0`, this.z0), variable(`${this.name}.a`, this.a), variable(`${this.name}.b`, this.b)];
  }
}

/**
 * The MADE masks for `latent` inputs and outputs through `hidden` units: input j and output i have degree j + 1 and
 * i + 1, hidden unit k degree 1 + (k mod max(1, L - 1)); a hidden unit sees the inputs of degree at most its own, an
 * output the hidden units of degree below its own, so output i depends on inputs 0..i-1 alone.
 *
 * @example
 * const { inputMask, outputMask } = madeMasks(3, 4); // [3, 4] and [4, 3], 0/1 values row-major
 */
export function madeMasks(latent: number, hidden: number): { inputMask: Float32Array; outputMask: Float32Array } {
  const degree = (k: number) => 1 + (k % Math.max(1, latent - 1));
  const inputMask = new Float32Array(latent * hidden);
  const outputMask = new Float32Array(hidden * latent);
  for (let j = 0; j < latent; j++) for (let k = 0; k < hidden; k++) inputMask[j * hidden + k] = degree(k) >= j + 1 ? 1 : 0;
  for (let k = 0; k < hidden; k++) for (let i = 0; i < latent; i++) outputMask[k * latent + i] = i + 1 > degree(k) ? 1 : 0;
  return { inputMask, outputMask };
}

/**
 * A MADE with one ELU hidden layer and the context h added to it: z [N, L] -> (m, s) [N, L] each, output i a
 * function of z_0..z_{i-1} and h alone. The gate's bias starts at 1, so sigmoid(s) starts near 0.73 and the step near
 * the identity-leaning update Kingma et al. recommend.
 *
 * @example
 * const made = new Made({ name: 'flow.0', latent: 4, hidden: 16, context: 8, rng }); const { m, s } = made.apply(z, h);
 */
export class Made {
  readonly w1: Variable; // [L, H]
  readonly wc: Variable; // [C, H]
  readonly b1: Variable; // [H]
  readonly wm: Variable; // [H, L]
  readonly bm: Variable; // [L]
  readonly ws: Variable; // [H, L]
  readonly bs: Variable; // [L]
  readonly inputMask: tf.Tensor2D; // [L, H]
  readonly outputMask: tf.Tensor2D; // [H, L]
  private readonly name: string;

  constructor({ name, latent, hidden, context, rng }: { name: string; latent: number; hidden: number; context: number; rng: Rng }) {
    this.name = name;
    const ki = 1 / Math.sqrt(latent + context);
    const kh = 1 / Math.sqrt(hidden);
    this.w1 = makeVariable(rng.uniformArray(latent * hidden, -ki, ki), [latent, hidden], true);
    this.wc = makeVariable(rng.uniformArray(context * hidden, -ki, ki), [context, hidden], true);
    this.b1 = makeVariable(new Float32Array(hidden), [hidden], true);
    this.wm = makeVariable(rng.uniformArray(hidden * latent, -kh, kh), [hidden, latent], true);
    this.bm = makeVariable(new Float32Array(latent), [latent], true);
    this.ws = makeVariable(rng.uniformArray(hidden * latent, -kh, kh), [hidden, latent], true);
    this.bs = makeVariable(new Float32Array(latent).fill(1), [latent], true);
    const masks = madeMasks(latent, hidden);
    this.inputMask = tf.tensor2d(masks.inputMask, [latent, hidden]);
    this.outputMask = tf.tensor2d(masks.outputMask, [hidden, latent]);
  }

  apply(z: Tensor2D, h: Tensor2D): { m: Tensor2D; s: Tensor2D } {
    return tf.tidy(() => {
      const hidden = tf.elu(tf.add(tf.add(tf.matMul(z, tf.mul(this.w1, this.inputMask)), tf.matMul(h, this.wc)), this.b1)) as Tensor2D; // [N, H]
      const m = tf.add(tf.matMul(hidden, tf.mul(this.wm, this.outputMask)), this.bm) as Tensor2D; // [N, L]
      const s = tf.add(tf.matMul(hidden, tf.mul(this.ws, this.outputMask)), this.bs) as Tensor2D; // [N, L]
      return { m, s };
    });
  }

  variables(): NamedVariable[] {
    const n = this.name;
    return [
      variable(`${n}.made.w1`, this.w1),
      variable(`${n}.made.wc`, this.wc),
      variable(`${n}.made.b1`, this.b1),
      variable(`${n}.made.wm`, this.wm),
      variable(`${n}.made.bm`, this.bm),
      variable(`${n}.made.ws`, this.ws),
      variable(`${n}.made.bs`, this.bs),
    ];
  }

  dispose(): void {
    tf.dispose([this.inputMask, this.outputMask]);
  }
}

/**
 * An IAF step, Kingma et al.'s numerically stable LSTM-type update: (m, s) = MADE(z, h), sigma = sigmoid(s),
 * f(z) = sigma z + (1 - sigma) m; the Jacobian is triangular, log |det| = sum log sigma. A step with `reverse` reads
 * z in reversed order (and writes it back so), so stacked steps alternate the autoregressive order; the permutation's
 * determinant is +-1.
 *
 * @example
 * const step = new IafStep({ name: 'flow.0', latent: 4, hidden: 16, context: 8, reverse: false, rng });
 */
export class IafStep implements FlowStep {
  readonly made: Made;
  private readonly reverse: boolean;

  constructor(opts: { name: string; latent: number; hidden: number; context: number; reverse: boolean; rng: Rng }) {
    this.made = new Made(opts);
    this.reverse = opts.reverse;
  }

  forward(z: Tensor2D, h?: Tensor2D): { z: Tensor2D; logDet: Tensor1D } {
    if (!h) throw new Error('an IAF step needs the encoder context h');
    return tf.tidy(() => {
      const zIn = this.reverse ? (tf.reverse(z, 1) as Tensor2D) : z; // [N, L]
      const { m, s } = this.made.apply(zIn, h);
      const sigma = tf.sigmoid(s);
      const zOut = tf.add(tf.mul(sigma, zIn), tf.mul(tf.sub(1, sigma), m)) as Tensor2D; // [N, L]
      const logDet = tf.sum(tf.neg(tf.softplus(tf.neg(s))), 1) as Tensor1D; // sum log sigmoid(s), stable
      return { z: this.reverse ? (tf.reverse(zOut, 1) as Tensor2D) : zOut, logDet };
    });
  }

  variables(): NamedVariable[] {
    return this.made.variables();
  }
}

/**
 * The flow a config asks for: `steps` steps applied in turn, their log-determinants summed.
 *
 * @example
 * const flow = new Flow({ config: { kind: 'planar', steps: 10 }, latent: 2, rng });
 * const { z, logDet } = flow.forward(z0); // log q(z_K|x) = log q(z_0|x) - logDet
 */
export class Flow {
  readonly steps: FlowStep[];
  readonly config: FlowConfig;
  private readonly latent: number;

  constructor({ config, latent, rng }: { config: FlowConfig; latent: number; rng: Rng }) {
    this.config = config;
    this.latent = latent;
    this.steps = Array.from({ length: config.steps }, (_, i) => {
      const name = `flow.${i}`;
      if (config.kind === 'planar') return new PlanarStep({ name, latent, rng });
      if (config.kind === 'radial') return new RadialStep({ name, latent, rng });
      return new IafStep({ name, latent, hidden: config.hidden, context: config.context, reverse: i % 2 === 1, rng });
    });
  }

  /** z_0 [N, L] (and the context h [N, C] for IAF) -> z_K [N, L] and sum_k log |det df_k/dz| [N]. */
  forward(z: Tensor2D, h?: Tensor2D): { z: Tensor2D; logDet: Tensor1D } {
    return tf.tidy(() => {
      let out = z;
      let logDet = tf.zeros([z.shape[0]]) as Tensor1D;
      for (const step of this.steps) {
        const next = step.forward(out, h);
        out = next.z;
        logDet = tf.add(logDet, next.logDet) as Tensor1D;
      }
      return { z: out, logDet };
    });
  }

  variables(): NamedVariable[] {
    return this.steps.flatMap((s) => s.variables());
  }

  summary(): LayerSummary[] {
    return this.steps.map((s, i) => ({
      name: `flow.${i}`,
      type: { planar: 'PlanarFlow', radial: 'RadialFlow', iaf: 'IAF (MADE)' }[this.config.kind],
      outputShape: [-1, this.latent],
      params: s.variables().reduce((n, v) => n + v.variable.size, 0),
    }));
  }

  dispose(): void {
    for (const s of this.steps) if (s instanceof IafStep) s.made.dispose();
  }
}
