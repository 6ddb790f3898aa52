/**
 * Picks the page's tensor backend: webgpu, then webgl, then wasm, then cpu, keeping the first that initializes
 * (`?backend=NAME` asks for one). The wasm binaries are bundled assets, so nothing is fetched from a CDN.
 */
import { tf } from '../../src/engine/tf.js';
import { setWasmTransposeFix } from '../../src/engine/wasm-transpose-fix.js';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const PAGE_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];

/** The backend chosen and why the faster ones were skipped. */
export interface BackendPick {
  name: PageBackend;
  notes: string[];
}

type GpuNavigator = Navigator & { gpu?: { requestAdapter(): Promise<unknown> } };

/** Registers one backend with tfjs; throws with a one-line reason when it cannot run here. */
async function register(name: PageBackend): Promise<void> {
  switch (name) {
    case 'webgpu': {
      const gpu = (navigator as GpuNavigator).gpu;
      if (!gpu) throw new Error('this browser has no WebGPU');
      if (!(await gpu.requestAdapter())) throw new Error('no WebGPU adapter');
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    }
    case 'webgl': {
      // tfjs registers webgl with the umbrella package; check for a context first so tfjs logs no failure of its own.
      const canvas = document.createElement('canvas');
      const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
      if (!gl) throw new Error('no WebGL context');
      // A software rasterizer (a machine without a GPU) runs tfjs's shaders several times slower than wasm.
      const renderer = String(gl.getParameter(gl.getExtension('WEBGL_debug_renderer_info')?.UNMASKED_RENDERER_WEBGL ?? gl.RENDERER));
      if (/swiftshader|llvmpipe|softpipe|software/i.test(renderer)) throw new Error(`software WebGL (${renderer}), slower than wasm`);
      return;
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
      });
      return;
    }
    case 'cpu':
      return; // registered by the umbrella package
  }
}

async function activate(name: PageBackend): Promise<void> {
  await register(name);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialize ${name}`);
  await tf.ready();
  if (name === 'wasm') setWasmTransposeFix(true);
}

/**
 * Initializes the fastest backend that works here, or `requested` alone when given.
 *
 * @example
 * const { name, notes } = await pickBackend(new URLSearchParams(location.search).get('backend'));
 */
export async function pickBackend(requested?: string | null): Promise<BackendPick> {
  tf.enableProdMode();
  if (requested) {
    if (!(PAGE_BACKENDS as readonly string[]).includes(requested)) {
      throw new Error(`?backend=${requested}: unknown backend; expected one of ${PAGE_BACKENDS.join(', ')}`);
    }
    await activate(requested as PageBackend);
    return { name: requested as PageBackend, notes: [] };
  }
  const notes: string[] = [];
  for (const name of PAGE_BACKENDS) {
    try {
      await activate(name);
      return { name, notes };
    } catch (err) {
      notes.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new Error(`no tensor backend could start (${notes.join('; ')})`);
}
