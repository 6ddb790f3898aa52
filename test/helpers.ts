/** Helpers shared by the tensor tests: leak checks, float64 reference maths, temporary run folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { tf } from '../src/engine/index.js';

/**
 * Runs `fn` and asserts it left no tensor behind: `tf.memory().numTensors` is the same before and after.
 * `fn` must dispose whatever it creates, its result included.
 *
 * @example
 * const values = await expectNoLeak(() => { const t = model.sample(4, rng); const v = t.arraySync(); t.dispose(); return v; });
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  expect(tf.memory().numTensors, 'live tensors after the call').toBe(before);
  return out;
}

/**
 * Registers hooks that assert every test in the file ends with as many live tensors as it started with
 * (the finer-grained {@link expectNoLeak} checks inside tests say which call leaked).
 */
export function checkTensorCountPerTest(): void {
  let before = 0;
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, 'live tensors at the end of the test').toBe(before);
  });
}

/** A tensor's values as a flat Float32Array copy; the tensor is disposed. */
export function values(t: tf.Tensor): Float32Array {
  const v = Float32Array.from(t.dataSync() as Float32Array);
  t.dispose();
  return v;
}

/** A fresh folder under the OS temp dir and its remover. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `vaekit-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The error a promise or function rejects with (fails the test when it does not throw). */
export async function rejection(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, but the call succeeded');
}

/** Row-major [n, k] x [k, m] product in float64. */
export function matMul64(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      for (let j = 0; j < m; j++) out[i * m + j] += aip * b[p * m + j];
    }
  }
  return out;
}

/** The largest |a - b| / max(1, |b|) over two arrays of equal length. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

/**
 * Runs the CLI in-process (`main` from src/cli/main.ts) with `cwd` as the working folder, capturing what it prints;
 * a spawned process costs seconds of start-up each, this costs milliseconds.
 *
 * @example
 * const { code, stdout, stderr } = await runCli(dir, 'eval', 'runs/a', '--json');
 */
export async function runCli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../src/cli/main.js');
  const out: string[] = [];
  const err: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const before = process.cwd();
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  process.chdir(cwd);
  try {
    const code = await main(['node', 'vaekit', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.chdir(before);
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}
