/**
 * The native tfjs backend: the CPU backend with its hot kernels (matmul, fused matmul, element-wise ops, reductions)
 * replaced by the N-API addon in `addon/`, plus fused kernels for Adam and the ELBO terms (see fused.ts). Node
 * only; the engine falls back to wasm when registerNativeBackend throws.
 */
import { tf } from '../engine/tf.js';
import { loadAddon, type NativeAddon } from './addon.js';
import { nativeKernels } from './kernels.js';
import { registerFusedGradients } from '../engine/fused.js';
import { setBulkDraws } from '../engine/rng.js';
import type { BackendName } from '../config/schema.js';
export { FUSED, FUSED_ADAM, fusedAdamStep, fusedBernoulliLogLikelihood, fusedKlStandardNormal, type FusedAdamAttrs } from '../engine/fused.js';

/** The name the backend is registered under: one of the schema's BACKENDS. */
export const NATIVE_BACKEND = 'native' satisfies BackendName;
// Above cpu (1) and wasm (2): when the native backend is registered it is tfjs's default.
const PRIORITY = 3;

let registered: NativeAddon | undefined;

/**
 * Registers the `native` tfjs backend; throws a one-line Error when the addon is disabled (`VAEKIT_NATIVE=off`),
 * not built, or fails to load. Idempotent.
 *
 * @example
 * await registerNativeBackend();
 * await tf.setBackend('native');
 */
export async function registerNativeBackend(): Promise<void> {
  const addon = loadAddon();
  if (registered) return;
  // Importing the backend class loads the CPU backend's package (its CommonJS entry: the `/base` entry is ESM-only
  // and Node cannot load it here), which registers the cpu kernels that the native backend inherits.
  const { NativeBackend } = await import('./backend.js');
  const overrides = nativeKernels(addon);
  for (const config of tf.getKernelsForBackend('cpu')) {
    const kernelFunc = overrides[config.kernelName] ?? config.kernelFunc;
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc });
  }
  for (const name of Object.keys(overrides)) {
    if (!tf.getKernel(name, NATIVE_BACKEND)) {
      tf.registerKernel({ kernelName: name, backendName: NATIVE_BACKEND, kernelFunc: overrides[name] });
    }
  }
  registerFusedGradients();
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), PRIORITY);
  // The seeded RNG's long draws (noise, dynamic binarization, dropout masks) run natively from now on: the same numbers.
  setBulkDraws({ normal: addon.randomNormal, uniform: addon.randomUniform, bernoulli: addon.randomBernoulli });
  registered = addon;
}

/** The addon's build: instruction set in use and thread count; undefined before registerNativeBackend. */
export function nativeInfo(): { isa: string; threads: number } | undefined {
  if (!registered) return undefined;
  const { isa, threads } = registered.info();
  return { isa, threads };
}

export { loadAddon } from './addon.js';
export type { NativeAddon } from './addon.js';
