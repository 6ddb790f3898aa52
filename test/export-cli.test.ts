import { fileURLToPath } from 'node:url';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('export-cli');
afterAll(tmp.remove);
const at = (...p: string[]) => path.join(tmp.dir, ...p);
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

beforeAll(async () => {
  const r = await runCli(tmp.dir, 'train', '--preset', 'swiss-roll-vae', '--epochs', '1', '--limit', '300', '--backend', 'cpu', '--out', 'roll', '--json');
  expect(r.code, r.stderr).toBe(0);
  const r2 = await runCli(tmp.dir, 'train', '--preset', 'swiss-roll-vae', '--epochs', '1', '--limit', '300', '--latent', '3', '--backend', 'cpu', '--out', 'roll3', '--json');
  expect(r2.code, r2.stderr).toBe(0);
}, 120_000);

describe('vaekit export and import', () => {
  it('exports ONNX: encoder.onnx, decoder.onnx and the signature', async () => {
    const r = await runCli(tmp.dir, 'export', 'roll', '--format', 'onnx', '--out', 'roll-onnx', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.opset).toBe(13);
    expect(readdirSync(at('roll-onnx')).sort()).toEqual(['decoder.onnx', 'encoder.onnx', 'vaekit-onnx.json']);
    expect(JSON.parse(readFileSync(at('roll-onnx', 'vaekit-onnx.json'), 'utf8')).encoder.outputs).toEqual(['mean', 'logVar']);
  });

  it('exports PyTorch, imports the file back into a run that eval accepts, with the same test loss', async () => {
    expect((await runCli(tmp.dir, 'export', 'roll', '--format', 'pytorch', '--out', 'roll-pt')).code).toBe(0);
    expect(readdirSync(at('roll-pt')).sort()).toEqual(['model.safetensors', 'vaekit_model.py']);
    const r = await runCli(tmp.dir, 'import', 'roll-pt/model.safetensors', '--out', 'roll-back', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(at('roll-back', 'config.json'))).toBe(true);
    const evalOf = async (run: string) => {
      const e = await runCli(tmp.dir, 'eval', run, '--backend', 'cpu', '--json');
      expect(e.code, e.stderr).toBe(0);
      const { run: _run, ...rest } = JSON.parse(e.stdout);
      return rest;
    };
    const [a, b] = [await evalOf('roll'), await evalOf('roll-back')];
    expect(b).toEqual(a); // the same numbers, to the last digit
    expect(a.test?.loss ?? a.loss).toBeDefined();
  }, 60_000);

  it.skipIf(!hasTorch)('imports a file saved by the generated module in place of a run\'s model (--run)', async () => {
    const script = 'import sys; sys.path.insert(0, "roll-pt"); from vaekit_model import *; m = VaekitModel.from_safetensors("roll-pt/model.safetensors"); save_safetensors(m, "resaved.safetensors")';
    const py = spawnSync(PYTHON, ['-c', script], { cwd: tmp.dir, encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const r = await runCli(tmp.dir, 'import', 'resaved.safetensors', '--run', 'roll-back');
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(at('roll-back')).filter((f) => f.includes('.old-') || f.includes('.import-'))).toEqual([]);
  });

  it.skipIf(!hasTorch)('fine-tunes the export under DDP on two CPU ranks (docs/train_ddp.py) and imports the result', async () => {
    const py = spawnSync(PYTHON, ['-c', 'import numpy as np; np.save("roll-x.npy", np.random.default_rng(0).normal(size=(256, 2)).astype("float32"))'], { cwd: tmp.dir, encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    // Two ranks started as torchrun would (Debian's torchrun 1.13 fails under Python 3.11; docs/scale-out.md).
    const script = fileURLToPath(new URL('../docs/train_ddp.py', import.meta.url));
    const args = [script, 'roll-pt', 'roll-x.npy', '--epochs', '1', '--batch-size', '32', '--out', 'ddp.safetensors'];
    const env = (rank: number) => ({ ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(29_000 + (process.pid % 1000)), WORLD_SIZE: '2', RANK: String(rank), LOCAL_RANK: String(rank), OMP_NUM_THREADS: '1' });
    const { spawn } = await import('node:child_process');
    const ranks = [0, 1].map((rank) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = spawn(PYTHON, args, { cwd: tmp.dir, env: env(rank) });
        let err = '';
        p.stderr.on('data', (d) => (err += String(d)));
        p.on('close', (code) => resolve({ code, err }));
      }),
    );
    for (const r of await Promise.all(ranks)) expect(r.code, r.err).toBe(0);
    const r = await runCli(tmp.dir, 'import', 'ddp.safetensors', '--out', 'roll-ddp', '--json');
    expect(r.code, r.stderr).toBe(0);
    const e = await runCli(tmp.dir, 'eval', 'roll-ddp', '--backend', 'cpu', '--json');
    expect(e.code, e.stderr).toBe(0);
  }, 120_000);

  it('bad input: one line naming the file or tensor, exit 2, nothing written', async () => {
    writeFileSync(at('corrupt.safetensors'), readFileSync(at('roll-pt', 'model.safetensors')).subarray(0, 100));
    const cases: [string[], RegExp, string?][] = [
      [['import', 'corrupt.safetensors', '--out', 'never1'], /^vaekit: corrupt\.safetensors: not a valid safetensors file: /, 'never1'],
      [['import', 'roll-pt/model.safetensors', '--run', 'roll3', '--out', 'never2'], /^vaekit: roll-pt\/model\.safetensors: tensor '[a-z.0-9A-Z]+' has shape \[\d+(, \d+)*\], the model expects/, 'never2'],
      [['export', 'roll', '--format', 'onnx', '--out', 'roll-onnx'], /^vaekit: --out roll-onnx: the folder exists and is not empty/],
      [['export', 'roll', '--format', 'tflite', '--out', 'never3'], /--format: unknown value 'tflite'/, 'never3'],
      [['import', 'roll-pt/model.safetensors'], /give --out DIR/],
    ];
    for (const [args, message, never] of cases) {
      const r = await runCli(tmp.dir, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      if (never) expect(existsSync(at(never))).toBe(false);
    }
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.tmp-') || f.includes('.import-'))).toEqual([]);
  });
});
