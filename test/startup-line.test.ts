/** bin/vaekit.js on a terminal: a line says vaekit is loading while its modules load, and is erased before the command's own output; never under --json or off a terminal. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';

const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');
// util-linux `script` gives the command a pseudo-terminal, as a person's shell would.
const hasScript = spawnSync('script', ['--version']).status === 0;

/** What a command writes on a pseudo-terminal (stdout and stderr together, as a terminal shows them). */
function onTerminal(args: string): string {
  const run = spawnSync('script', ['-qfec', `${process.execPath} ${bin} ${args}`, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe.skipIf(!hasScript)('the startup line', () => {
  it('shows "loading vaekit…" on a terminal and erases it before the command prints', () => {
    const out = onTerminal('--version');
    const shown = out.indexOf('loading vaekit… 0 s');
    const erased = out.indexOf('\r\x1b[K', shown + 1);
    const version = out.indexOf(VERSION);
    expect(shown).toBeGreaterThanOrEqual(0);
    expect(erased).toBeGreaterThan(shown);
    expect(version).toBeGreaterThan(erased);
  }, 60_000);

  it('is not shown under --json, nor when stderr is not a terminal', () => {
    expect(onTerminal('presets --json')).not.toContain('loading vaekit');
    const piped = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(piped.stderr).toBe('');
    expect(piped.stdout.trim()).toBe(VERSION);
  }, 60_000);
});
