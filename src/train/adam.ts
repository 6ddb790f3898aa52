/**
 * Adam (Kingma & Ba) in PyTorch's form. Written here rather than taken from tfjs because a resumed run must continue
 * bit for bit: tfjs's AdamOptimizer rebuilds its beta powers with pow() on restore, which differs in the last bits
 * from the running products of an uninterrupted run. Here the bias corrections come from the step count alone.
 */
import { tf, fusedAdamStep, makeVariable, type FusedAdamAttrs, type NamedTensorMap, type Tensor, type Variable } from '../engine/index.js';
import type { NamedVariable } from '../nn/index.js';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam's moments for one parameter. */
interface Slot {
  param: NamedVariable;
  m: Variable;
  v: Variable;
}

/**
 * @example
 * const adam = new Adam(model.variables().filter((v) => v.trainable), { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
 * adam.apply(grads); // grads keyed by tf variable name, as tf.variableGrads returns them
 */
export class Adam {
  step = 0;
  private readonly slots: Slot[];

  constructor(
    params: NamedVariable[],
    readonly options: AdamOptions,
  ) {
    this.slots = params.map((param) => ({
      param,
      m: makeVariable(new Float32Array(param.variable.size), param.variable.shape, false),
      v: makeVariable(new Float32Array(param.variable.size), param.variable.shape, false),
    }));
  }

  /** One update: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). */
  apply(grads: NamedTensorMap): void {
    this.step += 1;
    const { lr, beta1, beta2, epsilon } = this.options;
    const bc1 = 1 - Math.pow(beta1, this.step);
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, this.step));
    tf.tidy(() => {
      for (const { param, m, v } of this.slots) {
        const g = grads[param.variable.name];
        if (!g) continue;
        // One fused kernel where the backend has it (native), the same formula in tf ops elsewhere.
        const fused = fusedAdamStep({ param: param.variable, m, v, grad: g, lr, beta1, beta2, epsilon, step: this.step });
        if (fused) {
          param.variable.assign(fused[0]);
          m.assign(fused[1]);
          v.assign(fused[2]);
          tf.dispose(fused);
          continue;
        }
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), epsilon);
        param.variable.assign(tf.sub(param.variable, tf.mul(tf.div(m, denom), lr / bc1)));
      }
    });
  }

  /**
   * Counts a step and returns its hyper-parameters, for a kernel that applies the update itself (the whole-step
   * kernel); it then reassigns the parameters and the {@link moments}.
   */
  beginStep(): FusedAdamAttrs {
    this.step += 1;
    return { ...this.options, step: this.step };
  }

  /** Adam's m and v for a parameter variable, or undefined if the optimizer does not update it. */
  moments(param: Variable): { m: Variable; v: Variable } | undefined {
    const slot = this.slots.find((s) => s.param.variable === param);
    return slot && { m: slot.m, v: slot.v };
  }

  /** The moments by parameter name (`<name>.m`, `<name>.v`), for checkpoints. */
  stateVariables(): { name: string; variable: Variable }[] {
    return this.slots.flatMap(({ param, m, v }) => [
      { name: `${param.name}.m`, variable: m },
      { name: `${param.name}.v`, variable: v },
    ]);
  }

  dispose(): void {
    for (const { m, v } of this.slots) {
      m.dispose();
      v.dispose();
    }
  }
}

/** Reads a tensor's values as a fresh Float32Array. */
export function values(t: Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}
