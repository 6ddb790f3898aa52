import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { currentBackend, initBackend } from './backend.js';
import { rejection } from '../../test/helpers.js';

function hasTfjsNode(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('initBackend', () => {
  it('activates an explicitly requested backend', async () => {
    expect(await initBackend('cpu')).toEqual({ name: 'cpu', notices: [] });
    expect(currentBackend()).toBe('cpu');
  });

  it('rejects an unknown name and an unavailable backend as usage errors naming the flag', async () => {
    const unknown = await rejection(() => initBackend('gpu' as 'cpu'));
    expect(unknown).toBeInstanceOf(UsageError);
    expect(unknown.message).toBe("--backend: unknown backend 'gpu'; expected one of auto, native, tensorflow, wasm, cpu");
    // @tensorflow/tfjs-node is never a dependency; where a user has installed it, this half does not apply.
    if (hasTfjsNode()) return;
    const missing = await rejection(() => initBackend('tensorflow'));
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.message).toMatch(/^--backend tensorflow: the backend is not available here \(/);
    expect(currentBackend()).toBe('cpu');
  });
});
