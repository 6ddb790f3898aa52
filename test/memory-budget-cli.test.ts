/**
 * --memory-budget from the CLI: data over it is refused with a message naming the data, the estimate and the budget,
 * exit code 2 and no run folder; --limit brings an uncompressed file under it by reading only the kept examples.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../src/data/index.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('budget-cli');
afterAll(() => tmp.remove());

describe('--memory-budget', () => {
  // 20,000 rows of 64 float32 values: 5 MB on disk and as float32.
  const file = path.join(tmp.dir, 'rows.npy');
  writeFileSync(file, writeNpy({ shape: [20_000, 64], data: Float32Array.from({ length: 20_000 * 64 }, (_, i) => Math.sin(i)) }));
  const train = ['train', '--data', 'rows.npy', '--model', 'vae', '--likelihood', 'gaussian', '--latent', '2', '--hidden', '8', '--epochs', '1', '--backend', 'cpu'];

  it('refuses data over the budget before loading it: exit 2, the estimate and the budget named, no run folder', async () => {
    const r = await runCli(tmp.dir, ...train, '--memory-budget', '1MB', '--out', 'over');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rows\.npy: loading it needs about 4\.88 MiB \(20000 of 20000 examples x 64 float32 values\), over the memory budget of 976\.6 KiB; train with --stream/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(tmp.dir, 'over'))).toBe(false);
  });

  it('trains with --limit under the same budget, reading only the kept rows', async () => {
    const r = await runCli(tmp.dir, ...train, '--memory-budget', '1MB', '--limit', '2000', '--out', 'limited', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ run: 'limited', epochs: 1 });
  });

  it('trains the whole file with --stream under the same budget, and resumes it; --stream on data it cannot stream is refused', async () => {
    // 250-row chunks: a window of 1,000 rows, a raw chunk and 2,000 rows kept for figures, about 0.9 MB.
    const r = await runCli(tmp.dir, ...train, '--memory-budget', '1MB', '--stream', '--chunk-examples', '250', '--out', 'streamed', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/16000 train, 4000 test, streamed in chunks of 250/);
    expect(JSON.parse(r.stdout)).toMatchObject({ run: 'streamed', epochs: 1 });
    const resumed = await runCli(tmp.dir, 'train', '--resume', 'streamed', '--epochs', '2', '--memory-budget', '1MB', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ epochs: 2 });
    const roll = await runCli(tmp.dir, 'train', '--data', 'swiss-roll', '--stream', '--epochs', '1', '--backend', 'cpu', '--out', 'roll');
    expect(roll.code).toBe(2);
    expect(roll.stderr).toMatch(/--stream: streams uncompressed \.npy and IDX files only; 'swiss-roll' is loaded whole/);
  });

  it('reaches the loads of a command on a trained run: anomaly reads the run data for its threshold within the budget', async () => {
    // The run 'limited' keeps 2,000 training rows and 334 test rows: 597 KB as float32, under 1 MB and over 100 KB.
    const args = ['anomaly', 'limited', '--data', 'rows.npy', '--limit', '10', '--backend', 'cpu', '--json'];
    const under = await runCli(tmp.dir, ...args, '--memory-budget', '1MB');
    expect(under.code, under.stderr).toBe(0);
    const over = await runCli(tmp.dir, ...args, '--memory-budget', '100KB');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/rows\.npy: loading it needs about 583\.5 KiB \(2334 of 20000 examples x 64 float32 values\), over the memory budget of 97\.7 KiB/);
  });

  it('rejects a budget that is not a size, naming the flag', async () => {
    const r = await runCli(tmp.dir, ...train, '--memory-budget', '-3GB', '--out', 'never');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--memory-budget: '-3GB' is not a memory size/);
  });
});
