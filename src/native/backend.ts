/**
 * The native backend class: tfjs's CPU backend plus a pool of output arrays. Every kernel output used to be a fresh
 * Float32Array; at VAE sizes (100k-300k floats) allocating and zeroing one costs more than the kernel itself (page
 * faults on fresh mmap'd memory), so the arrays of disposed tensors are reused for the next outputs of that size.
 */
import os from 'node:os';
import { MathBackendCPU } from '../engine/cpu-backend.js';
import type { tf } from '../engine/tf.js';

type DataId = object;
type BackendValues = Parameters<MathBackendCPU['write']>[0];
type DataType = Parameters<MathBackendCPU['write']>[2];

// Smaller arrays are cheap to allocate (and may live on V8's heap); pooling them would only cost bookkeeping.
const MIN_POOLED = 1024;
// Bounds on what the pool keeps idle, so a burst of large temporaries does not stay resident. A conv VAE's training
// step holds dozens of feature-map tensors of 10-35 MB each (keras.io VAE at batch 128: [128, 28, 28, 32] is 12.8 MB):
// with 128 MB the pool overflowed every step and the fresh arrays' page faults cost 40% of the step (76 -> 46 ms).
const MAX_FREE_PER_SIZE = 32;
const MAX_FREE_BYTES = Math.min(1024 * 1024 * 1024, Math.floor(os.totalmem() / 8));

/**
 * The CPU backend with recycled output arrays. An array is recycled only while provably private: it was allocated by
 * `alloc`, exactly one dataId ever stored it (no view or alias, e.g. a CPU slice's subarray), and nobody read it out
 * (`readSync` hands the backend's own array to the caller, as dataSync() does).
 */
export class NativeBackend extends MathBackendCPU {
  /** Pool-allocated buffers not yet escaped: buffer -> the dataId that owns it (null between alloc and write). */
  private owner = new WeakMap<ArrayBufferLike, DataId | null>();
  private free = new Map<number, Float32Array[]>();
  private freeBytes = 0;

  constructor() {
    super();
    // The CPU backend's "install tfjs-node to speed things up" banner is not advice for this backend.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** A Float32Array of n elements for a kernel output (contents undefined: the kernel writes every element). */
  alloc(n: number): Float32Array {
    if (n < MIN_POOLED) {
      // Not pooled, but owned all the same, so that privateArray can vouch for small parameters (biases) too.
      const small = new Float32Array(n);
      this.owner.set(small.buffer, null);
      return small;
    }
    const reused = this.free.get(n)?.pop();
    if (reused) {
      this.freeBytes -= reused.byteLength;
      this.owner.set(reused.buffer, null);
      return reused;
    }
    const fresh = new Float32Array(n);
    this.owner.set(fresh.buffer, null);
    return fresh;
  }

  /**
   * The array of `dataId` for a kernel to overwrite in place, when nothing else can observe it: one reference
   * (no clone or reshape shares the dataId), pool-allocated, never read out and never aliased. It then belongs to
   * the kernel's next output, and the caller's old tensor must be dropped at once (VaekitAdam's inputs, which the
   * optimizer reassigns). Undefined when the array must not be touched.
   */
  takeForReuse(dataId: DataId): Float32Array | undefined {
    const values = this.privateArray(dataId);
    if (values) this.owner.set(values.buffer, null);
    return values;
  }

  /**
   * The array of `dataId` when nothing else can observe it (the conditions of {@link takeForReuse}), for a kernel that
   * updates its input in place and keeps the dataId (the whole-step kernel's parameters); undefined otherwise.
   */
  privateArray(dataId: DataId): Float32Array | undefined {
    const entry = this.data.get(dataId);
    const values = entry?.values;
    if (!(values instanceof Float32Array) || entry?.refCount !== 1 || this.owner.get(values.buffer) !== dataId) return undefined;
    return values;
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = super.write(values, shape, dtype);
    this.claim(values, dataId);
    return dataId;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    super.move(dataId, values, shape, dtype, refCount);
    this.claim(values, dataId);
  }

  override readSync(dataId: DataId): BackendValues {
    const entry = this.data.get(dataId);
    if (entry?.values && ArrayBuffer.isView(entry.values)) this.owner.delete(entry.values.buffer);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (released && values instanceof Float32Array && this.owner.get(values.buffer) === dataId) {
      this.owner.delete(values.buffer);
      this.recycle(values);
    }
    return released;
  }

  override dispose(): void {
    this.free.clear();
    this.freeBytes = 0;
    super.dispose();
  }

  /** Records which dataId a pooled buffer belongs to; a second holder (alias or view) takes it out of the pool for good. */
  private claim(values: BackendValues, dataId: DataId): void {
    if (!ArrayBuffer.isView(values) || !this.owner.has(values.buffer)) return;
    const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
    if (this.owner.get(values.buffer) === null && whole) this.owner.set(values.buffer, dataId);
    else this.owner.delete(values.buffer);
  }

  private recycle(values: Float32Array): void {
    if (values.length < MIN_POOLED) return;
    const list = this.free.get(values.length) ?? [];
    if (list.length >= MAX_FREE_PER_SIZE || this.freeBytes + values.byteLength > MAX_FREE_BYTES) return;
    list.push(values);
    this.free.set(values.length, list);
    this.freeBytes += values.byteLength;
  }
}

/** The backend as kernels see it. */
export type NativeKernelBackend = NativeBackend & tf.KernelBackend;
