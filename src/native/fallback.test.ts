/** Without the addon (forced off with VAEKIT_NATIVE=off), vaekit falls back to wasm with a notice; runs whether or not the addon is built. */
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.js';
import { registerNativeBackend } from './index.js';

describe('native backend unavailable', () => {
  const saved = process.env.VAEKIT_NATIVE;
  process.env.VAEKIT_NATIVE = 'off';
  afterAll(() => {
    if (saved === undefined) delete process.env.VAEKIT_NATIVE;
    else process.env.VAEKIT_NATIVE = saved;
  });

  it('registerNativeBackend throws a one-line error naming the switch', async () => {
    const err = await registerNativeBackend().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('VAEKIT_NATIVE=off');
    expect((err as Error).message).not.toContain('\n');
  });

  it('initBackend("auto") falls back to wasm and says why', async () => {
    const choice = await initBackend('auto');
    expect(choice.name).toBe('wasm');
    expect(choice.notices).toHaveLength(1);
    expect(choice.notices[0]).toMatch(/^backend native unavailable: the native addon is disabled by VAEKIT_NATIVE=off; trying the next$/);
  });

  it('an explicit --backend native is an error, not a silent fallback', async () => {
    await expect(initBackend('native')).rejects.toThrow(/--backend native: the backend is not available here/);
  });
});
