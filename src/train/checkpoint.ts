/**
 * Checkpoints: everything needed to continue a run exactly (weights, BatchNorm statistics, Adam moments and step,
 * RNG state, epoch, metrics so far). Each is written to a temporary folder, flushed, renamed into place, and only
 * then named in `latest.json`, so a crash at any point leaves the previous checkpoint valid.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RngState } from '../engine/index.js';
import type { Model } from '../models/index.js';
import { ModelError } from '../errors.js';
import { fsyncDir, writeFileAtomic } from '../io/atomic.js';
import { assignTensors, packTensors, type TensorEntry } from '../io/tensor-pack.js';
import type { Adam } from './adam.js';
import type { EpochMetrics } from './metrics.js';

export interface CheckpointState {
  epoch: number;
  adamStep: number;
  rng: RngState;
  history: EpochMetrics[];
}

interface StateFile extends CheckpointState {
  tensors: TensorEntry[];
  tensorsByteLength: number;
}

const KEEP = 2;

/**
 * Fault injection for the crash tests: when VAEKIT_FAULT names this point, say so on stderr and stall, so a test can
 * kill the process exactly here (in the middle of writing a checkpoint). Inert otherwise.
 */
function faultPoint(point: string): void {
  if (process.env.VAEKIT_FAULT !== point) return;
  process.stderr.write(`fault point reached: ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}

function stateVariables(model: Model, adam: Adam) {
  return [...model.variables().map((v) => ({ name: `model/${v.name}`, variable: v.variable })), ...adam.stateVariables().map((v) => ({ name: `adam/${v.name}`, variable: v.variable }))];
}

/**
 * Writes `runDir/checkpoints/epoch-NNNN/` and points `latest.json` at it; keeps the newest two.
 *
 * @example
 * saveCheckpoint(runDir, { model, adam, state: { epoch, adamStep: adam.step, rng: rng.state(), history } });
 */
export function saveCheckpoint(runDir: string, { model, adam, state }: { model: Model; adam: Adam; state: CheckpointState }): string {
  const root = path.join(runDir, 'checkpoints');
  mkdirSync(root, { recursive: true });
  const name = `epoch-${String(state.epoch).padStart(4, '0')}`;
  // Temporary folders left by a process killed mid-write are never pointed at; clear them away.
  for (const d of readdirSync(root)) if (/^\.epoch-\d+\.tmp-\d+$/.test(d)) rmSync(path.join(root, d), { recursive: true, force: true });
  const tmp = path.join(root, `.${name}.tmp-${process.pid}`);
  const { entries, bytes } = packTensors(stateVariables(model, adam));
  const file: StateFile = { ...state, tensors: entries, tensorsByteLength: bytes.byteLength };
  writeFileAtomic(path.join(tmp, 'tensors.bin'), bytes);
  faultPoint(`checkpoint-write:${state.epoch}`);
  writeFileAtomic(path.join(tmp, 'state.json'), JSON.stringify(file));
  fsyncDir(tmp);
  const final = path.join(root, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  fsyncDir(root);
  writeFileAtomic(path.join(root, 'latest.json'), JSON.stringify({ epoch: state.epoch, dir: name }) + '\n');
  const others = readdirSync(root)
    .filter((d) => /^epoch-\d+$/.test(d) && d !== name)
    .sort();
  for (const d of others.slice(0, Math.max(0, others.length - (KEEP - 1)))) rmSync(path.join(root, d), { recursive: true, force: true });
  return final;
}

/** The epoch of the latest checkpoint, or undefined when there is none. */
export function latestCheckpointEpoch(runDir: string): number | undefined {
  const latest = path.join(runDir, 'checkpoints', 'latest.json');
  if (!existsSync(latest)) return undefined;
  try {
    return (JSON.parse(readFileSync(latest, 'utf8')) as { epoch: number }).epoch;
  } catch {
    return undefined;
  }
}

/**
 * Restores the latest checkpoint into `model` and `adam`; returns its state.
 *
 * @example
 * const state = loadCheckpoint(runDir, { model, adam }); // then continue from state.epoch + 1
 */
export function loadCheckpoint(runDir: string, { model, adam }: { model: Model; adam: Adam }): CheckpointState {
  const root = path.join(runDir, 'checkpoints');
  const latestPath = path.join(root, 'latest.json');
  if (!existsSync(latestPath)) throw new ModelError(`${runDir}: no checkpoint to resume from (expected ${latestPath})`);
  let dir: string;
  try {
    dir = (JSON.parse(readFileSync(latestPath, 'utf8')) as { dir: string }).dir;
  } catch (err) {
    throw new ModelError(`${latestPath}: not valid JSON (${(err as Error).message})`);
  }
  const statePath = path.join(root, path.basename(String(dir)), 'state.json');
  let state: StateFile;
  let bytes: Uint8Array;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as StateFile;
    bytes = readFileSync(path.join(path.dirname(statePath), 'tensors.bin'));
  } catch (err) {
    throw new ModelError(`${statePath}: cannot read the checkpoint (${(err as Error).message})`);
  }
  if (bytes.byteLength !== state.tensorsByteLength) {
    throw new ModelError(`${statePath}: tensors.bin has ${bytes.byteLength} bytes, expected ${state.tensorsByteLength}`);
  }
  const problems = assignTensors(stateVariables(model, adam), state.tensors, bytes);
  if (problems.length > 0) throw new ModelError(`${statePath}: ${problems.slice(0, 3).join('; ')}`);
  adam.step = state.adamStep;
  return { epoch: state.epoch, adamStep: state.adamStep, rng: state.rng, history: state.history };
}
