/// <reference types="vite/client" />
/**
 * The lab page's backend start: initBackend with what only the page's Vite build can resolve, the WebGPU backend and
 * the wasm binaries as bundled assets (`?url`), so nothing is fetched from a CDN. Imported by web/ alone; the package
 * build leaves it out (tsconfig.build.json).
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend, type BackendChoice, type PageAssets } from './backend.js';

/** The page's bundled backend modules and binaries. */
export const PAGE_ASSETS: PageAssets = {
  importWebGpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  wasmPaths: {
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  },
};

/**
 * Initializes the page's fastest working backend (webgpu, webgl, wasm, cpu), or `requested` alone when given.
 *
 * @example
 * const { name, notices } = await initPageBackend(new URLSearchParams(location.search).get('backend'));
 */
export function initPageBackend(requested: string | null): Promise<BackendChoice> {
  return initBackend(requested, { page: PAGE_ASSETS });
}
