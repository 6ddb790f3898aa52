/**
 * Chooses and initializes the tensor backend, in Node (the CLI, the library) and in the lab page: the candidates of
 * each environment in order, the validation of `--backend` / `?backend=`, the notices about skipped backends and the
 * wasm transpose fix. The lists themselves are the schema's (BACKENDS, PAGE_BACKENDS).
 */
import { tf } from './tf.js';
import { setWasmTransposeFix } from './wasm-transpose-fix.js';
import { UsageError } from '../errors.js';
import { BACKENDS, PAGE_BACKENDS, type BackendName, type PageBackendName } from '../config/schema.js';

export { BACKENDS, PAGE_BACKENDS, type BackendName, type PageBackendName };

/** Where the engine runs: Node, or a web page (the lab, or any page that imports the engine). */
export type BackendEnvironment = 'node' | 'page';

/** Each environment's backends, fastest first: `auto` keeps the first that initializes. */
export const BACKEND_CANDIDATES = { node: BACKENDS, page: PAGE_BACKENDS } as const satisfies Record<BackendEnvironment, readonly string[]>;

/** How a request is named in messages: the CLI's flag or the page's query parameter. */
const REQUEST_NAME: Record<BackendEnvironment, string> = { node: '--backend', page: '?backend=' };

/**
 * What a page's bundler supplies and the engine cannot import itself: the package build ships no WebGPU backend (a
 * dev dependency) and leaves the wasm binaries where tfjs looks for them. src/engine/page-backend.ts fills it for the lab.
 */
export interface PageAssets {
  /** Imports @tensorflow/tfjs-backend-webgpu, which registers the webgpu backend. */
  importWebGpu: () => Promise<unknown>;
  /** The URLs of the wasm binaries by file name, as tfjs-backend-wasm's setWasmPaths takes them. */
  wasmPaths: Record<string, string>;
}

export interface BackendOptions {
  /** The page's bundled assets; given, the page's candidates apply (in a browser they apply regardless). */
  page?: PageAssets;
}

export interface BackendChoice {
  name: BackendName | PageBackendName;
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

type GpuNavigator = Navigator & { gpu?: { requestAdapter(): Promise<unknown> } };

/**
 * Throws with a one-line reason when the browser cannot run `name` well. Runs before tfjs sees the backend: tfjs would
 * log failures of its own, and would happily start webgl on a software rasterizer.
 */
async function checkBrowser(name: string): Promise<void> {
  if (name === 'webgpu') {
    const gpu = (navigator as GpuNavigator).gpu;
    if (!gpu) throw new Error('this browser has no WebGPU');
    if (!(await gpu.requestAdapter())) throw new Error('no WebGPU adapter');
  }
  if (name === 'webgl') {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) throw new Error('no WebGL context');
    // A software rasterizer (a machine without a GPU) runs tfjs's shaders several times slower than wasm.
    const renderer = String(gl.getParameter(gl.getExtension('WEBGL_debug_renderer_info')?.UNMASKED_RENDERER_WEBGL ?? gl.RENDERER));
    if (/swiftshader|llvmpipe|softpipe|software/i.test(renderer)) throw new Error(`software WebGL (${renderer}), slower than wasm`);
  }
}

/** Loads the modules of one backend and registers it with tfjs; throws when it is unavailable here. */
async function register(name: BackendName | PageBackendName, page: PageAssets | undefined): Promise<void> {
  if (!isNode) await checkBrowser(name);
  if (tf.findBackend(name)) return;
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'webgl':
      return; // registered by the umbrella package (tf.ts)
    case 'webgpu':
      if (!page) throw new Error("WebGPU needs the page's build to bundle it (PageAssets)");
      await page.importWebGpu();
      return;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (page) {
        // The page's bundled binaries: nothing is fetched from a CDN.
        wasm.setWasmPaths(page.wasmPaths);
      } else if (isNode) {
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
async function activate(name: BackendName | PageBackendName, page: PageAssets | undefined): Promise<void> {
  await withoutNewProcessHandlers(async () => {
    await register(name, page);
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
 * Initializes a backend: the requested one, or with `auto` (or none) the first of the environment's candidates that
 * loads (Node: native, tensorflow, wasm, cpu; a page: webgpu, webgl, wasm, cpu). An unknown name, or an explicitly
 * requested backend that fails, is a UsageError naming `--backend` (`?backend=` in a page); in `auto` mode a failed
 * candidate adds a notice.
 *
 * @example
 * const { name, notices } = await initBackend('auto');
 * // In the lab page, with the assets its Vite build bundles (src/engine/page-backend.ts):
 * const pick = await initBackend(new URLSearchParams(location.search).get('backend'), { page: assets });
 */
export async function initBackend(requested: string | null = 'auto', options: BackendOptions = {}): Promise<BackendChoice> {
  const environment: BackendEnvironment = options.page || !isNode ? 'page' : 'node';
  const candidates: readonly (BackendName | PageBackendName)[] = BACKEND_CANDIDATES[environment];
  const flag = REQUEST_NAME[environment];
  // Production mode: no debug checks, and no console banners from tfjs (vaekit prints its own backend line).
  tf.enableProdMode();
  if (requested && requested !== 'auto') {
    const name = candidates.find((c) => c === requested);
    if (!name) throw new UsageError(`${flag}: unknown backend '${requested}'; expected one of auto, ${candidates.join(', ')}`);
    try {
      await activate(name, options.page);
    } catch (err) {
      throw new UsageError(`${flag} ${name}: the backend is not available here (${reason(err)})`);
    }
    return { name, notices: [] };
  }
  const notices: string[] = [];
  for (const name of candidates) {
    try {
      await activate(name, options.page);
      return { name, notices };
    } catch (err) {
      // tfjs-node is optional and usually absent: skipping it is not news.
      if (name !== 'tensorflow') notices.push(`backend ${name} unavailable: ${reason(err)}; trying the next`);
    }
  }
  throw new Error(`no tensor backend could be initialized (${notices.join('; ')})`);
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
