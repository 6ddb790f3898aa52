/**
 * Commands load lazily: `vaekit --help` lists every command without importing any command's module (so not the
 * tensor library), and the listing main.ts keeps says what each module registers.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_NAMES, commandIn } from '../src/cli/main.js';

const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');

/**
 * Runs the real `vaekit` with `args` and says whether the tensor library was loaded by exit: tfjs-core makes its
 * engine, `globalThis._tfengine`, when it is imported.
 */
function loadsTfjs(...args: string[]): boolean {
  const probe = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\ntfjs loaded: '+(globalThis._tfengine!==undefined)+'\\n'))`;
  const r = spawnSync(process.execPath, ['--import', probe, bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status, r.stderr).toBe(0);
  const seen = /tfjs loaded: (true|false)/.exec(r.stderr);
  expect(seen, r.stderr).not.toBeNull();
  return seen![1] === 'true';
}

describe('lazy command loading', () => {
  it('vaekit --help lists every command without loading the tensor library; train --help loads it', () => {
    expect(loadsTfjs('--help')).toBe(false);
    expect(loadsTfjs('presets', '--help')).toBe(false);
    // The control: the probe does see tfjs when a command's module brings it.
    expect(loadsTfjs('train', '--help')).toBe(true);
  }, 120_000);

  it("the listing's usage and description are each module's own", async () => {
    const listing = (await buildProgram([])).commands;
    const full = (await buildProgram()).commands;
    expect(listing.map((c) => c.name())).toEqual(full.map((c) => c.name()));
    expect(listing.map((c) => c.name())).toEqual(COMMAND_NAMES);
    for (const [i, cmd] of full.entries()) {
      const stub = listing[i];
      expect(stub.description(), cmd.name()).toBe(cmd.description());
      expect(stub.usage(), cmd.name()).toBe(cmd.usage());
      expect(stub.options, cmd.name()).toHaveLength(0);
      expect(cmd.options.length, cmd.name()).toBeGreaterThan(0);
    }
  });

  it('commandIn finds the command to load in vaekit NAME and vaekit help NAME, none otherwise', () => {
    const argv = (...words: string[]) => ['node', 'vaekit', ...words];
    expect(commandIn(argv('train', '--epochs', '1'))).toBe('train');
    expect(commandIn(argv('help', 'eval'))).toBe('eval');
    expect(commandIn(argv('--help'))).toBeUndefined();
    expect(commandIn(argv('trian'))).toBeUndefined();
    expect(commandIn(argv())).toBeUndefined();
  });
});
