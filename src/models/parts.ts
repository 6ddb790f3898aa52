/** Pieces shared by the model files: the decoder stack, evaluation contexts and prior sampling. */
import { tf, Rng, type Tensor2D } from '../engine/index.js';
import { Dense, Mlp, type ForwardContext, type GraphOp, type LayerSummary, type NamedVariable } from '../nn/index.js';
import type { MlpConfig } from '../config/schema.js';
import { decoderOutputDim, type Likelihood } from '../objectives/index.js';

/** Evaluation mode: no dropout, running BatchNorm statistics; the RNG is never drawn from. */
export function evalContext(): ForwardContext {
  return { training: false, rng: new Rng(0) };
}

/** Decoder: an MLP from the latent code, then a linear layer to the likelihood's parameters. */
export class Decoder {
  readonly mlp: Mlp;
  readonly out: Dense;

  constructor(opts: { latent: number; spec: MlpConfig; dataDim: number; likelihood: Likelihood; rng: Rng }) {
    this.mlp = new Mlp({ name: 'decoder', inDim: opts.latent, spec: opts.spec, rng: opts.rng });
    this.out = new Dense({ name: 'decoder.out', inDim: this.mlp.outDim, outDim: decoderOutputDim(opts.likelihood, opts.dataDim), rng: opts.rng });
  }

  apply(z: Tensor2D, ctx: ForwardContext): Tensor2D {
    return tf.tidy(() => this.out.apply(this.mlp.apply(z, ctx), ctx));
  }

  variables(): NamedVariable[] {
    return [...this.mlp.variables(), ...this.out.variables()];
  }

  summary(): LayerSummary[] {
    return [...this.mlp.summary(), ...this.out.summary()];
  }

  graph(): GraphOp[] {
    return [...this.mlp.graph(), ...this.out.graph()];
  }
}

/** n x latent draws from N(0, I) as a tensor. */
export function priorSample(n: number, latent: number, rng: Rng): Tensor2D {
  return tf.tensor2d(rng.normalArray(n * latent), [n, latent]);
}

/** Disposes every variable of a model. */
export function disposeAll(vars: NamedVariable[]): void {
  for (const v of vars) v.variable.dispose();
}
