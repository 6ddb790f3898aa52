/** `vaekit train --help` as a person reads it: every kind of data --data takes, and each default with where it comes from. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESET, findPreset, trainSchema } from '../src/config/index.js';

const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');

/** `vaekit train --help` with commander's line wrapping undone, so an option's help reads as one line. */
function trainHelp(): string {
  const r = spawnSync(process.execPath, [bin, 'train', '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status).toBe(0);
  return r.stdout.replace(/\s+/g, ' ');
}

/** The help of one option: from its flag to the next option. */
function optionHelp(help: string, flag: string): string {
  const start = help.indexOf(` ${flag} `);
  expect(start, `${flag} in the help`).toBeGreaterThanOrEqual(0);
  const next = help.indexOf(' --', start + flag.length + 2);
  return help.slice(start, next < 0 ? undefined : next);
}

describe('vaekit train --help', () => {
  const help = trainHelp();

  it('--data lists every kind of data the loader takes, PNG folders and dsprites included', () => {
    const data = optionHelp(help, '--data');
    expect(data).toMatch(/PNG/);
    for (const name of ['mnist', 'fashion-mnist', 'swiss-roll', 'swiss-roll-3d', 'dsprites', '.csv', '.npy', '.idx']) expect(data).toContain(name);
  });

  it("shows the batch size's default from the default preset and the schema, read from them", () => {
    const schemaBatch = trainSchema.shape.batchSize.parse(undefined);
    const presetBatch = findPreset(DEFAULT_PRESET)?.config.train?.batchSize;
    expect(optionHelp(help, '--batch-size')).toContain(`default: the preset's, ${DEFAULT_PRESET}: ${presetBatch}; else ${schemaBatch} from the schema`);
  });

  it('shows a default for --epochs and one from the schema alone for --seed', () => {
    expect(optionHelp(help, '--epochs')).toContain(`${DEFAULT_PRESET}: ${findPreset(DEFAULT_PRESET)?.config.train?.epochs}`);
    expect(optionHelp(help, '--seed')).toContain(`default: ${trainSchema.shape.seed.parse(undefined)} from the schema`);
  });
});
