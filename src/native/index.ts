/** The native (N-API) backend: not built yet, so registering it reports that and vaekit falls back to wasm. */

/** Registers the `native` tfjs backend; throws when the addon is not available. */
export async function registerNativeBackend(): Promise<void> {
  throw new Error('the native addon is not part of this build');
}
