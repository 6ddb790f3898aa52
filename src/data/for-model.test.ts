/** New data for a trained model: the model's preprocessing applied (and undone), shape checks naming the file, and the NPY writer read back. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPreprocessing, invertPreprocessing, loadForModel } from './for-model.js';
import { parseNpy, writeNpy } from './npy.js';
import { DATA_ACCEPTED } from './load.js';
import { tempDir } from '../../test/helpers.js';

const tmp = tempDir('for-model');
afterAll(() => tmp.remove());

describe('loadForModel', () => {
  const csv = path.join(tmp.dir, 'new.csv');
  writeFileSync(csv, 'a,b,kind\n1,10,0\n3,30,1\n5,50,0\n');
  const standardize = { kind: 'standardize' as const, mean: [2, 20], std: [2, 10] };

  it("applies the model's standardization (not the new data's own stats) and keeps labels", () => {
    const ex = loadForModel({ name: csv, inputShape: [2], preprocessing: standardize, labelColumn: 'kind' });
    expect(ex.n).toBe(3);
    expect(Array.from(ex.x)).toEqual([-0.5, -1, 0.5, 1, 1.5, 3]);
    expect(ex.labelNames).toEqual(['0', '1']);
    expect(Array.from(ex.labels!)).toEqual([0, 1, 0]);
    expect(loadForModel({ name: csv, inputShape: [2], preprocessing: standardize, labelColumn: 'kind', limit: 2 }).n).toBe(2);
  });

  it('a shape mismatch is a usage error naming the file, the shape and the expected shape', () => {
    expect(() => loadForModel({ name: csv, inputShape: [28, 28, 1], preprocessing: { kind: 'none' } })).toThrow(
      `--data ${csv}: examples have shape [3] (3 values) but the model expects [28, 28, 1] (784 values)`,
    );
    const nope = path.join(tmp.dir, 'nope.txt');
    // The accepted kinds of data come from loadDataset's one list, dsprites and PNG folders included.
    expect(() => loadForModel({ name: nope, inputShape: [2], preprocessing: { kind: 'none' } })).toThrow(`--data ${nope}: no such dataset or file; expected ${DATA_ACCEPTED}`);
    expect(DATA_ACCEPTED).toMatch(/^mnist, fashion-mnist, swiss-roll, swiss-roll-3d, dsprites, xy-squares, or a path .* or to a folder of PNG images$/);
  });

  it("reads CSV rows of H x W x C columns as an image model's images, with its scale, after --skip-rows and a sniffed delimiter", () => {
    const digits = path.join(tmp.dir, 'digits.csv');
    writeFileSync(digits, '3,4,0,1\n0;16;8;4;1\n2;0;16;12;0\n4;4;NA;0;1\n');
    const opts = { name: digits, inputShape: [2, 2, 1], preprocessing: { kind: 'scale' as const, scale: 1 / 16 }, skipRows: 1, labelColumn: -1 };
    expect(() => loadForModel(opts)).toThrow(/line 4, column 3: missing value 'NA'; use --missing drop/);
    const ex = loadForModel({ ...opts, missing: 'drop' });
    expect(ex.shape).toEqual([2, 2, 1]);
    expect(Array.from(ex.x)).toEqual([0, 1, 0.5, 0.25, 0.125, 0, 1, 0.75]);
    expect(ex.labelNames).toEqual(['0', '1']);
    expect(Array.from(ex.labels!)).toEqual([1, 0]);
  });

  it('reads NPY arrays raw and scales uint8-trained models', () => {
    const file = path.join(tmp.dir, 'x.npy');
    writeFileSync(file, writeNpy({ shape: [2, 2, 2], data: Float32Array.from([0, 51, 102, 255, 0, 0, 0, 0]) }));
    const ex = loadForModel({ name: file, inputShape: [2, 2, 1], preprocessing: { kind: 'scale', scale: 1 / 255 } });
    expect(ex.shape).toEqual([2, 2, 1]);
    [0, 0.2, 0.4, 1].forEach((v, i) => expect(ex.x[i]).toBeCloseTo(v, 6));
  });

  it('invertPreprocessing undoes applyPreprocessing', () => {
    const x = Float32Array.from([1, 10, 3, 30]);
    const back = invertPreprocessing(applyPreprocessing(Float32Array.from(x), 2, standardize), 2, standardize);
    back.forEach((v, i) => expect(v).toBeCloseTo(x[i], 5));
  });
});

describe('writeNpy', () => {
  it('round-trips through parseNpy with a 64-byte aligned header', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1);
    for (const shape of [[12], [3, 4], [2, 3, 2]]) {
      const bytes = writeNpy({ shape, data });
      const headerLen = new DataView(bytes.buffer).getUint16(8, true);
      expect((10 + headerLen) % 64).toBe(0);
      const back = parseNpy(bytes, 'mem.npy');
      expect(back.shape).toEqual(shape);
      expect(back.dtype).toBe('<f4');
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
    expect(() => writeNpy({ shape: [5], data })).toThrow(/holds 5 values, data has 12/);
  });

  it('numpy reads it (when python3 with numpy is installed)', () => {
    const file = path.join(tmp.dir, 'codes.npy');
    writeFileSync(file, writeNpy({ shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) }));
    const r = spawnSync('python3', ['-c', `import numpy as np; a = np.load(${JSON.stringify(file)}); print(a.dtype, a.shape, a.sum())`], { encoding: 'utf8' });
    if (r.status !== 0 && /No module named|ENOENT/.test(`${r.stderr}${r.error ?? ''}`)) return; // no numpy here: the parser round trip above still holds
    expect(r.stdout.trim()).toBe('float32 (2, 3) 21.5');
  });
});
