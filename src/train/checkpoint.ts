/**
 * Checkpoints: everything needed to continue a run exactly (weights, BatchNorm statistics, Adam moments and step,
 * RNG state, epoch, metrics so far). Each is written to a temporary folder, flushed, renamed into place, and only
 * then named in `latest.json`, so a crash at any point leaves the previous checkpoint valid. Loading checks every
 * part (finite tensors of the model's shapes, Adam's state, the RNG state, the history) and falls back to the
 * previous checkpoint, saying so, when the latest is corrupt.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RngState } from '../engine/index.js';
import type { Model } from '../models/index.js';
import { ModelError, VaekitError, oneLineReason } from '../errors.js';
import { fsyncDir, writeFaultAs, writeFileAtomic } from '../io/atomic.js';
import { assignTensors, nonFinite, packTensors, readEntry, type TensorEntry } from '../io/tensor-pack.js';
import type { Adam } from './adam.js';
import type { EpochMetrics } from './metrics.js';

export interface CheckpointState {
  epoch: number;
  adamStep: number;
  /** The step count of the auxiliary network's Adam (FactorVAE's discriminator), when the model has one. */
  auxiliaryAdamStep?: number;
  rng: RngState;
  history: EpochMetrics[];
}

interface StateFile extends CheckpointState {
  tensors: TensorEntry[];
  tensorsByteLength: number;
}

const KEEP = 2;
const CHECKPOINT_DIR = /^epoch-(\d+)$/;
/** seedrandom's xor4096 keeps 128 32-bit words, an index into them and a Weyl counter. */
const XOR4096_WORDS = 128;

/**
 * Fault injection for the crash tests: when VAEKIT_FAULT names this point, say so on stderr and stall, so a test can
 * kill the process exactly here (in the middle of writing a checkpoint). Inert otherwise.
 */
function faultPoint(point: string): void {
  if (process.env.VAEKIT_FAULT !== point) return;
  process.stderr.write(`fault point reached: ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}

/** Every tensor of a checkpoint: the model's, Adam's moments, and the auxiliary network's weights and Adam moments when there is one. */
function stateVariables(model: Model, adam: Adam, auxiliaryAdam?: Adam) {
  return [
    ...model.variables().map((v) => ({ name: `model/${v.name}`, variable: v.variable })),
    ...adam.stateVariables().map((v) => ({ name: `adam/${v.name}`, variable: v.variable })),
    ...(model.auxiliary?.variables() ?? []).map((v) => ({ name: `auxiliary/${v.name}`, variable: v.variable })),
    ...(auxiliaryAdam?.stateVariables() ?? []).map((v) => ({ name: `auxiliaryAdam/${v.name}`, variable: v.variable })),
  ];
}

/**
 * What is wrong with a checkpoint tensor's values, if anything: every value finite, and Adam's second moments, running
 * means of squared gradients, never negative.
 */
function valuesProblem(name: string, values: Float32Array): string | undefined {
  const bad = nonFinite(name, values);
  if (bad) return bad;
  if (name.endsWith('.v') && values.some((v) => v < 0)) return `'${name}' holds a negative second moment`;
  return undefined;
}

/** A checkpoint folder's name: `epoch-0003`. */
const dirName = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;

/**
 * Writes `runDir/checkpoints/epoch-NNNN/` and points `latest.json` at it; keeps the newest two. Weights that are not
 * all finite are never written: that throws a `numeric` VaekitError and the previous checkpoint stays the latest. On
 * a full disk (or another file-system fault) the temporary folder is removed and a WriteFaultError names the file.
 *
 * @example
 * saveCheckpoint(runDir, { model, adam, state: { epoch, adamStep: adam.step, rng: rng.state(), history } });
 */
export function saveCheckpoint(runDir: string, { model, adam, auxiliaryAdam, state }: { model: Model; adam: Adam; auxiliaryAdam?: Adam; state: CheckpointState }): string {
  const root = path.join(runDir, 'checkpoints');
  const name = dirName(state.epoch);
  const { entries, bytes } = packTensors(stateVariables(model, adam, auxiliaryAdam));
  for (const e of entries) {
    const bad = valuesProblem(e.name, readEntry(bytes, e));
    if (bad) throw new VaekitError('numeric', `epoch ${state.epoch}: after training, ${bad}`);
  }
  const tmp = path.join(root, `.${name}.tmp-${process.pid}`);
  const final = path.join(root, name);
  try {
    mkdirSync(root, { recursive: true });
    // Temporary folders left by a process killed mid-write are never pointed at; clear them away.
    for (const d of readdirSync(root)) if (/^\.epoch-\d+\.tmp-\d+$/.test(d)) rmSync(path.join(root, d), { recursive: true, force: true });
    const file: StateFile = { ...state, tensors: entries, tensorsByteLength: bytes.byteLength };
    writeFileAtomic(path.join(tmp, 'tensors.bin'), bytes);
    faultPoint(`checkpoint-write:${state.epoch}`);
    writeFileAtomic(path.join(tmp, 'state.json'), JSON.stringify(file));
    fsyncDir(tmp);
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // Named by the checkpoint it was to become: the temporary folder is gone.
    throw writeFaultAs(err, final);
  }
  fsyncDir(root);
  writeFileAtomic(path.join(root, 'latest.json'), JSON.stringify({ epoch: state.epoch, dir: name }) + '\n');
  const others = readdirSync(root)
    .filter((d) => CHECKPOINT_DIR.test(d) && d !== name)
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
 * The checkpoint folders of a run, most trusted first: the one `latest.json` names, then the others newest first.
 * `latest` says why latest.json could not be read, when it exists and cannot.
 */
export function checkpointDirs(runDir: string): { dirs: string[]; latestProblem?: string } {
  const root = path.join(runDir, 'checkpoints');
  if (!existsSync(root)) return { dirs: [] };
  const found = readdirSync(root)
    .filter((d) => CHECKPOINT_DIR.test(d))
    .sort()
    .reverse();
  const latestPath = path.join(root, 'latest.json');
  if (!existsSync(latestPath)) return { dirs: found };
  let named: unknown;
  try {
    named = (JSON.parse(readFileSync(latestPath, 'utf8')) as { dir?: unknown } | null)?.dir;
  } catch (err) {
    return { dirs: found, latestProblem: `${latestPath} is not valid JSON (${oneLineReason(err)})` };
  }
  if (typeof named !== 'string' || !found.includes(named)) return { dirs: found, latestProblem: `${latestPath} names ${JSON.stringify(named ?? null)}, not a checkpoint folder of ${root}` };
  return { dirs: [named, ...found.filter((d) => d !== named)] };
}

const show = (v: unknown): string => (v === undefined ? 'missing' : (JSON.stringify(v) ?? String(v)).slice(0, 60));

/** Why an RNG state read from a file cannot be seedrandom's xor4096 state, or undefined when it can. */
function rngProblem(rng: unknown): string | undefined {
  const s = (rng as { xor4096?: unknown } | null)?.xor4096 as { X?: unknown; i?: unknown; w?: unknown } | null | undefined;
  const expected = `expected { xor4096: { X: ${XOR4096_WORDS} 32-bit integers, not all 0; i: an integer in [0, ${XOR4096_WORDS - 1}]; w: a 32-bit integer } }`;
  const int32 = (v: unknown) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 32;
  if (typeof s !== 'object' || s === null) return `rng is ${show(rng)}, ${expected}`;
  if (!Array.isArray(s.X) || s.X.length !== XOR4096_WORDS || !s.X.every(int32) || s.X.every((x) => x === 0)) return `rng.xor4096.X is ${show(s.X)}, ${expected}`;
  if (!Number.isInteger(s.i) || (s.i as number) < 0 || (s.i as number) >= XOR4096_WORDS) return `rng.xor4096.i is ${show(s.i)}, ${expected}`;
  if (!int32(s.w)) return `rng.xor4096.w is ${show(s.w)}, ${expected}`;
  return undefined;
}

/** Why a checkpoint's history cannot be the metrics of epochs 1..epoch, or undefined when it can. */
function historyProblem(history: unknown, epoch: number): string | undefined {
  if (!Array.isArray(history) || history.length !== epoch) return `history has ${Array.isArray(history) ? history.length : show(history)} entries, expected ${epoch} (one per epoch)`;
  // Each entry goes back into metrics.jsonl and the report: the numbers must be numbers.
  const terms = (t: unknown) => ['loss', 'reconstruction', 'kl'].every((k) => Number.isFinite((t as Record<string, unknown> | undefined)?.[k]));
  const times = (m: Partial<EpochMetrics>) => ['samplesPerSecond', 'epochSeconds', 'elapsedSeconds'].every((k) => Number.isFinite(m[k as keyof EpochMetrics])) && typeof m.time === 'string';
  const optional = (m: Partial<EpochMetrics>) => ['lr', 'beta', 'capacity'].every((k) => m[k as keyof EpochMetrics] === undefined || Number.isFinite(m[k as keyof EpochMetrics]));
  const bad = history.findIndex((m: Partial<EpochMetrics> | null, i) => typeof m !== 'object' || m === null || m.epoch !== i + 1 || !terms(m.train) || !terms(m.test) || !times(m) || !optional(m));
  return bad < 0 ? undefined : `history[${bad}] is not epoch ${bad + 1}'s metrics (finite train and test terms, timings, a time)`;
}

/**
 * Reads one checkpoint folder and loads it into `model` and `adam` when every part checks out; otherwise throws a
 * ModelError saying what is wrong, with nothing assigned.
 */
function loadOne(dir: string, model: Model, adam: Adam, auxiliaryAdam?: Adam): CheckpointState {
  const statePath = path.join(dir, 'state.json');
  const epochOfDir = Number(CHECKPOINT_DIR.exec(path.basename(dir))?.[1]);
  let state: Partial<StateFile> | null;
  let bytes: Uint8Array;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as Partial<StateFile> | null;
    bytes = readFileSync(path.join(dir, 'tensors.bin'));
  } catch (err) {
    throw new ModelError(`${statePath}: cannot read the checkpoint (${oneLineReason(err)})`);
  }
  if (typeof state !== 'object' || state === null) throw new ModelError(`${statePath}: expected a JSON object`);
  const { epoch, adamStep } = state;
  if (epoch !== epochOfDir) throw new ModelError(`${statePath}: epoch is ${show(epoch)}, expected ${epochOfDir} (the folder's name)`);
  // Every epoch trains at least one batch, and each batch is one Adam step.
  if (!Number.isSafeInteger(adamStep) || (adamStep as number) < epoch) throw new ModelError(`${statePath}: adamStep is ${show(adamStep)}, expected an integer >= ${epoch} (at least one step per epoch)`);
  const { auxiliaryAdamStep } = state;
  if (auxiliaryAdam && (!Number.isSafeInteger(auxiliaryAdamStep) || (auxiliaryAdamStep as number) < 0)) throw new ModelError(`${statePath}: auxiliaryAdamStep is ${show(auxiliaryAdamStep)}, expected the step count of the ${model.config.kind}'s auxiliary network's Adam`);
  const problem = rngProblem(state.rng) ?? historyProblem(state.history, epoch);
  if (problem) throw new ModelError(`${statePath}: ${problem}`);
  if (bytes.byteLength !== state.tensorsByteLength) throw new ModelError(`${path.join(dir, 'tensors.bin')}: the file has ${bytes.byteLength} bytes, expected ${show(state.tensorsByteLength)} (tensorsByteLength in state.json)`);
  if (!Array.isArray(state.tensors)) throw new ModelError(`${statePath}: tensors is ${show(state.tensors)}, expected the manifest, a list of { name, shape, dtype, offset, byteLength }`);
  const dtype = state.tensors.findIndex((e) => e?.dtype !== 'float32');
  if (dtype >= 0) throw new ModelError(`${statePath}: tensors[${dtype}].dtype is ${show(state.tensors[dtype]?.dtype)}, expected 'float32'`);
  const problems = assignTensors(stateVariables(model, adam, auxiliaryAdam), state.tensors, bytes, valuesProblem);
  if (problems.length > 0) throw new ModelError(`${statePath}: ${problems.slice(0, 2).join('; ')}${problems.length > 2 ? ` (and ${problems.length - 2} more)` : ''}`);
  adam.step = adamStep as number;
  if (auxiliaryAdam) auxiliaryAdam.step = auxiliaryAdamStep as number;
  return { epoch, adamStep: adamStep as number, ...(auxiliaryAdam && { auxiliaryAdamStep: auxiliaryAdamStep as number }), rng: state.rng as RngState, history: state.history as EpochMetrics[] };
}

/**
 * Restores the latest valid checkpoint into `model` and `adam` and returns its state. A corrupt latest checkpoint
 * (unreadable, non-finite or misshapen tensors, an RNG or Adam state that cannot be) is passed over for the one before
 * it, and `onNotice` gets one line naming it and why; when none is valid, one ModelError lists each and why.
 *
 * @example
 * const state = loadCheckpoint(runDir, { model, adam, onNotice: (line) => console.error(line) }); // continue from state.epoch + 1
 */
export function loadCheckpoint(runDir: string, { model, adam, auxiliaryAdam, onNotice }: { model: Model; adam: Adam; auxiliaryAdam?: Adam; onNotice?: (line: string) => void }): CheckpointState {
  const root = path.join(runDir, 'checkpoints');
  const { dirs, latestProblem } = checkpointDirs(runDir);
  if (dirs.length === 0) throw new ModelError(`${runDir}: no checkpoint to resume from (expected ${path.join(root, 'latest.json')})`);
  if (latestProblem) onNotice?.(`${latestProblem}; looking for the newest valid checkpoint`);
  const rejected: string[] = [];
  for (const d of dirs) {
    try {
      const state = loadOne(path.join(root, d), model, adam, auxiliaryAdam);
      for (const r of rejected) onNotice?.(`${r}; resuming from ${path.join(root, d)} (epoch ${state.epoch}) instead`);
      return state;
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      rejected.push(`checkpoint ${path.join(root, d)} is corrupt, passed over: ${err.message}`);
    }
  }
  throw new ModelError(`${runDir}: no valid checkpoint to resume from (${rejected.map((r) => r.replace(/^checkpoint .*? is corrupt, passed over: /, '')).join('; ')})`);
}
