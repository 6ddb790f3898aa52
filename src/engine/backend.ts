/** Chooses and initializes the tensor backend: native, then tensorflow (if installed), then wasm, then cpu. */
import { tf } from './tf.js';
import { setWasmTransposeFix } from './wasm-transpose-fix.js';
import { UsageError } from '../errors.js';

/** The backends vaekit knows; `auto` picks the fastest that loads. */
export const BACKENDS = ['native', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendChoice {
  name: BackendName;
  /** One-line notices about backends that were skipped, for the user. */
  notices: string[];
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/**
 * Imports a module that exists only in Node (node:* builtins, the native addon's loader). The specifier is a variable
 * so that bundlers leave it out: the package's browser entry reaches this file and must not pull fs or the addon.
 */
function importNodeOnly<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ specifier) as Promise<T>;
}

/** Loads the modules of one backend and registers it with tfjs; throws when it is unavailable here. */
async function register(name: BackendName): Promise<void> {
  if (tf.findBackend(name)) return;
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (isNode) {
        // In Node the wasm binaries are read from the package folder, never fetched.
        const { createRequire } = await importNodeOnly<typeof import('node:module')>('node:module');
        const path = await importNodeOnly<typeof import('node:path')>('node:path');
        const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
        wasm.setWasmPaths(path.join(dir, 'dist') + path.sep);
      }
      return;
    }
    case 'tensorflow': {
      // Optional: only when the user has installed it; never a dependency (its install downloads libtensorflow).
      const moduleName = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ moduleName);
      return;
    }
    case 'native': {
      const native = await importNodeOnly<{ registerNativeBackend: () => Promise<void> }>('../native/index.js');
      await native.registerNativeBackend();
      return;
    }
  }
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
const PROCESS_EVENTS: ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];

/**
 * Runs `fn`, then removes the process-wide error handlers it added. The wasm module's Emscripten glue installs handlers
 * that rethrow and print its whole minified source; vaekit reports errors itself.
 */
async function withoutNewProcessHandlers(fn: () => Promise<void>): Promise<void> {
  if (!isNode) return fn();
  const emitter = process as unknown as NodeJS.EventEmitter; // plain EventEmitter view: one signature for both events
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  try {
    await fn();
  } finally {
    for (const e of PROCESS_EVENTS) {
      for (const l of emitter.listeners(e)) if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
    }
  }
}

/** Makes `name` the active backend, with the wasm transpose fix where it applies. */
async function activate(name: BackendName): Promise<void> {
  await withoutNewProcessHandlers(async () => {
    await register(name);
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs could not initialize the ${name} backend`);
    await tf.ready();
  });
  if (name === 'wasm') setWasmTransposeFix(true);
}

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}

/**
 * Initializes a backend: the requested one, or with `auto` the first of native, tensorflow, wasm, cpu that loads.
 * An explicitly requested backend that fails is an error; in `auto` mode a failed candidate adds a notice.
 *
 * @example
 * const { name, notices } = await initBackend('auto');
 */
export async function initBackend(requested: BackendName | 'auto' = 'auto'): Promise<BackendChoice> {
  // Production mode: no debug checks, and no console banners from tfjs (vaekit prints its own backend line).
  tf.enableProdMode();
  if (requested !== 'auto') {
    if (!(BACKENDS as readonly string[]).includes(requested)) {
      throw new UsageError(`--backend: unknown backend '${requested}'; expected one of auto, ${BACKENDS.join(', ')}`);
    }
    try {
      await activate(requested);
    } catch (err) {
      throw new UsageError(`--backend ${requested}: the backend is not available here (${reason(err)})`);
    }
    return { name: requested, notices: [] };
  }
  const notices: string[] = [];
  const order: BackendName[] = isNode ? ['native', 'tensorflow', 'wasm', 'cpu'] : ['wasm', 'cpu'];
  for (const name of order) {
    try {
      await activate(name);
      return { name, notices };
    } catch (err) {
      // tfjs-node is optional and usually absent: skipping it is not news.
      if (name !== 'tensorflow') notices.push(`backend ${name} unavailable: ${reason(err)}; trying the next`);
    }
  }
  throw new Error('no tensor backend could be initialized');
}

/** The name of the active backend. */
export function currentBackend(): string {
  return tf.getBackend();
}

/**
 * Whether the active backend trains convolutions with its own gradient kernels (Conv2DBackpropFilter and
 * Conv2DBackpropInput) at speed: wasm has no filter-gradient kernel, and the cpu backend's runs at a few MFLOP/s,
 * so those two take the im2col filter gradient of nn/conv-ops.ts instead.
 */
export function nativeConvGradients(): boolean {
  const name = tf.getBackend();
  return name !== 'cpu' && name !== 'wasm' && tf.getKernel('Conv2DBackpropFilter', name) !== undefined;
}
