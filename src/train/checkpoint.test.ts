/**
 * Checkpoint validation on resume: each kind of corruption of the latest checkpoint is named in one notice and the
 * previous checkpoint is loaded instead (its exact bytes); when none is valid, one error lists each; weights that are
 * not finite are never written as a checkpoint.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng, tf } from '../engine/index.js';
import { loadDataset } from '../data/index.js';
import { resolveConfig } from '../config/index.js';
import { buildModel, type Model } from '../models/index.js';
import { ModelError, VaekitError } from '../errors.js';
import { readEntry, type TensorEntry } from '../io/tensor-pack.js';
import { checkTensorCountPerTest, tempDir } from '../../test/helpers.js';
import { latestCheckpointEpoch, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { train } from './loop.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('checkpoint');
afterAll(tmp.remove);

const config = resolveConfig({ preset: 'swiss-roll-vae', overrides: { train: { epochs: 2, batchSize: 64 } } });
const dataset = loadDataset({ name: 'swiss-roll', n: 200, seed: 1, testFraction: 0.2 });
/** A 2-epoch run with both checkpoints, trained once; each case corrupts a copy. */
const source = path.join(tmp.dir, 'source');

beforeAll(async () => {
  const { model } = await train({ config, dataset, runDir: source, backend: 'cpu' });
  model.dispose();
}, 60_000);

/** A fresh model and Adam of the run's architecture, to load a checkpoint into. */
function fresh(): { model: Model; trainer: Trainer; dispose: () => void } {
  const model = buildModel(config.model, 2, new Rng(99), { inputShape: dataset.shape });
  const trainer = new Trainer({ config, model, dataset, rng: new Rng(99) });
  return { model, trainer, dispose: () => (trainer.dispose(), model.dispose()) };
}

/** The values a checkpoint's file holds for the model tensor `name` (read independently of the loader). */
function fileValues(run: string, epoch: number, name: string): Float32Array {
  const dir = path.join(run, 'checkpoints', `epoch-000${epoch}`);
  const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { tensors: TensorEntry[] };
  return readEntry(readFileSync(path.join(dir, 'tensors.bin')), state.tensors.find((e) => e.name === name)!);
}

/** Edits a checkpoint's state.json (parsed) or tensors.bin (bytes) in place. */
function editState(run: string, epoch: number, edit: (s: Record<string, any>) => void): void {
  const file = path.join(run, 'checkpoints', `epoch-000${epoch}`, 'state.json');
  const s = JSON.parse(readFileSync(file, 'utf8'));
  edit(s);
  writeFileSync(file, JSON.stringify(s));
}
function editBytes(run: string, epoch: number, edit: (b: Buffer, tensors: TensorEntry[]) => Buffer): void {
  const dir = path.join(run, 'checkpoints', `epoch-000${epoch}`);
  const { tensors } = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { tensors: TensorEntry[] };
  writeFileSync(path.join(dir, 'tensors.bin'), edit(readFileSync(path.join(dir, 'tensors.bin')), tensors));
}
/** Writes float32 `value` at element `j` of the tensor `name`. */
const setValue = (name: string, j: number, value: number) => (b: Buffer, tensors: TensorEntry[]) => {
  b.writeFloatLE(value, tensors.find((e) => e.name.endsWith(name))!.offset + 4 * j);
  return b;
};

let copies = 0;
function copy(): string {
  const run = path.join(tmp.dir, `copy-${copies++}`);
  cpSync(source, run, { recursive: true });
  return run;
}

/** Each corruption of the latest checkpoint, and the words its notice must hold. */
const CORRUPTIONS: [string, (run: string) => void, RegExp][] = [
  ['a NaN weight', (r) => editBytes(r, 2, setValue('model/encoder.dense0.kernel', 3, NaN)), /'model\/encoder\.dense0\.kernel' \[3\] is NaN/],
  ['an infinite Adam moment', (r) => editBytes(r, 2, setValue('.m', 0, -Infinity)), /\.m' \[0\] is -Infinity/],
  ['a negative Adam second moment', (r) => editBytes(r, 2, setValue('.v', 1, -0.5)), /negative second moment/],
  ['a truncated tensors.bin', (r) => editBytes(r, 2, (b) => b.subarray(0, b.length - 8)), /tensors\.bin: the file has \d+ bytes, expected \d+/],
  ['a missing tensors.bin', (r) => rmSync(path.join(r, 'checkpoints', 'epoch-0002', 'tensors.bin')), /cannot read the checkpoint \(ENOENT\)/],
  ['state.json that is not JSON', (r) => writeFileSync(path.join(r, 'checkpoints', 'epoch-0002', 'state.json'), '{"epoch": 2, "adam'), /cannot read the checkpoint/],
  ['state.json that is null', (r) => writeFileSync(path.join(r, 'checkpoints', 'epoch-0002', 'state.json'), 'null'), /expected a JSON object/],
  ['a tensor of the wrong shape', (r) => editState(r, 2, (s) => (s.tensors[0].shape = [s.tensors[0].shape[0] + 1, ...s.tensors[0].shape.slice(1)])), /has shape \[\d+, \d+\], expected \[\d+, \d+\]/],
  ['a tensor missing from the manifest', (r) => editState(r, 2, (s) => s.tensors.pop()), /missing weight 'adam\//],
  ['a tensor outside the file', (r) => editState(r, 2, (s) => (s.tensors[1].offset = 1e9)), /lies outside the/],
  ['a missing RNG state', (r) => editState(r, 2, (s) => delete s.rng), /rng is missing, expected \{ xor4096/],
  ['an RNG state of 3 words', (r) => editState(r, 2, (s) => (s.rng.xor4096.X = [1, 2, 3])), /rng\.xor4096\.X is \[1,2,3\]/],
  ['an all-zero RNG state', (r) => editState(r, 2, (s) => (s.rng.xor4096.X = new Array(128).fill(0))), /rng\.xor4096\.X is/],
  ['an RNG word that is not an integer', (r) => editState(r, 2, (s) => (s.rng.xor4096.X[5] = 0.5)), /rng\.xor4096\.X is/],
  ['an RNG index out of range', (r) => editState(r, 2, (s) => (s.rng.xor4096.i = 128)), /rng\.xor4096\.i is 128/],
  ['an RNG counter that is a string', (r) => editState(r, 2, (s) => (s.rng.xor4096.w = 'x')), /rng\.xor4096\.w is "x"/],
  ['an Adam step below the epoch', (r) => editState(r, 2, (s) => (s.adamStep = 1)), /adamStep is 1, expected an integer >= 2/],
  ['an Adam step that is not an integer', (r) => editState(r, 2, (s) => (s.adamStep = 4.5)), /adamStep is 4\.5/],
  ['an epoch other than the folder\'s', (r) => editState(r, 2, (s) => (s.epoch = 7)), /epoch is 7, expected 2 \(the folder's name\)/],
  ['a history of the wrong length', (r) => editState(r, 2, (s) => s.history.pop()), /history has 1 entries, expected 2/],
  ['a tensor of dtype float64', (r) => editState(r, 2, (s) => (s.tensors[0].dtype = 'float64')), /tensors\[0\]\.dtype is "float64", expected 'float32'/],
  ['a history whose time is a number', (r) => editState(r, 2, (s) => (s.history[0].time = 5)), /history\[0\] is not epoch 1's metrics/],
  ['a history with a NaN loss', (r) => editState(r, 2, (s) => (s.history[1].test.loss = null)), /history\[1\] is not epoch 2's metrics/],
];

describe('loadCheckpoint', () => {
  it('loads the latest checkpoint exactly when it is sound, with no notice', async () => {
    const { model, trainer, dispose } = fresh();
    const notices: string[] = [];
    const state = loadCheckpoint(source, { model, adam: trainer.adam, onNotice: (l) => notices.push(l) });
    expect(state.epoch).toBe(2);
    expect(notices).toEqual([]);
    const kernel = model.variables().find((v) => v.name === 'encoder.dense0.kernel')!.variable;
    expect(Array.from(kernel.dataSync())).toEqual(Array.from(fileValues(source, 2, 'model/encoder.dense0.kernel')));
    dispose();
  });

  for (const [what, corrupt, reason] of CORRUPTIONS) {
    it(`falls back to epoch 1, loudly, past a latest checkpoint with ${what}`, () => {
      const run = copy();
      corrupt(run);
      const { model, trainer, dispose } = fresh();
      const notices: string[] = [];
      const state = loadCheckpoint(run, { model, adam: trainer.adam, onNotice: (l) => notices.push(l) });
      expect(state.epoch).toBe(1);
      expect(state.history).toHaveLength(1);
      expect(trainer.adam.step).toBe(state.adamStep);
      // One line naming the bad checkpoint, why, and which one was loaded instead.
      expect(notices).toHaveLength(1);
      expect(notices[0]).not.toContain('\n');
      expect(notices[0]).toMatch(new RegExp(`^checkpoint ${path.join(run, 'checkpoints', 'epoch-0002')} is corrupt, passed over: `));
      expect(notices[0]).toMatch(reason);
      expect(notices[0]).toMatch(/resuming from .*epoch-0001 \(epoch 1\) instead$/);
      // The model holds epoch 1's values, byte for byte as the file has them.
      const kernel = model.variables().find((v) => v.name === 'encoder.dense0.kernel')!.variable;
      expect(Array.from(kernel.dataSync())).toEqual(Array.from(fileValues(run, 1, 'model/encoder.dense0.kernel')));
      dispose();
    });
  }

  it('reads past a latest.json that is not JSON, saying so', () => {
    const run = copy();
    writeFileSync(path.join(run, 'checkpoints', 'latest.json'), '{"ep');
    const { model, trainer, dispose } = fresh();
    const notices: string[] = [];
    expect(loadCheckpoint(run, { model, adam: trainer.adam, onNotice: (l) => notices.push(l) }).epoch).toBe(2);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/latest\.json is not valid JSON .*; looking for the newest valid checkpoint$/);
    dispose();
  });

  it('ends in one error naming every checkpoint and why when none is valid, with nothing assigned', () => {
    const run = copy();
    editBytes(run, 2, setValue('model/encoder.dense0.kernel', 0, Infinity));
    editState(run, 1, (s) => (s.rng = 'garbage'));
    const { model, trainer, dispose } = fresh();
    const kernel = model.variables().find((v) => v.name === 'encoder.dense0.kernel')!.variable;
    const before = Array.from(kernel.dataSync());
    let err: unknown;
    try {
      loadCheckpoint(run, { model, adam: trainer.adam });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(new RegExp(`^${run}: no valid checkpoint to resume from \\(.*epoch-0002/state.json: 'model/encoder.dense0.kernel' \\[0\\] is Infinity; .*epoch-0001/state.json: rng is "garbage"`));
    expect(Array.from(kernel.dataSync())).toEqual(before);
    dispose();
  });

  it('says there is no checkpoint when the run has none', () => {
    const { model, trainer, dispose } = fresh();
    expect(() => loadCheckpoint(path.join(tmp.dir, 'nothing'), { model, adam: trainer.adam })).toThrow(/no checkpoint to resume from/);
    dispose();
  });
});

describe('saveCheckpoint', () => {
  it('never writes weights that are not finite: the previous checkpoint stays the latest', () => {
    const run = copy();
    const { model, trainer, dispose } = fresh();
    const state = loadCheckpoint(run, { model, adam: trainer.adam });
    const kernel = model.variables().find((v) => v.name === 'encoder.dense0.kernel')!.variable;
    tf.tidy(() => kernel.assign(tf.fill(kernel.shape, NaN)));
    let err: unknown;
    try {
      saveCheckpoint(run, { model, adam: trainer.adam, state: { ...state, epoch: 3 } });
    } catch (e) {
      err = e;
    }
    expect((err as VaekitError).code).toBe('numeric');
    expect((err as Error).message).toBe("epoch 3: after training, 'model/encoder.dense0.kernel' [0] is NaN");
    expect(latestCheckpointEpoch(run)).toBe(2);
    dispose();
  });
});
