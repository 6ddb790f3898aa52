/** A command's first line on a terminal: "vaekit NAME: loading…" while its modules load, erased before the command's own output; never under --json or off a terminal. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');
// util-linux `script` gives the command a pseudo-terminal, as a person's shell would.
const hasScript = spawnSync('script', ['--version']).status === 0;

/** What a command writes on a pseudo-terminal (stdout and stderr together, as a terminal shows them). */
function onTerminal(args: string): string {
  const run = spawnSync('script', ['-qfec', `${process.execPath} ${bin} ${args}`, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe.skipIf(!hasScript)('the loading line', () => {
  it('shows "vaekit presets: loading…" on a terminal and erases it before the command prints', () => {
    const out = onTerminal('presets');
    const shown = out.indexOf('vaekit presets: loading…');
    const erased = out.lastIndexOf('\r\x1b[K', out.indexOf('mnist-vae'));
    const listing = out.indexOf('mnist-vae');
    expect(shown).toBeGreaterThanOrEqual(0);
    expect(erased).toBeGreaterThan(shown);
    expect(listing).toBeGreaterThan(erased);
  }, 60_000);

  it('is not shown under --json, nor when stderr is not a terminal', () => {
    expect(onTerminal('presets --json')).not.toContain('loading');
    const piped = spawnSync(process.execPath, [bin, 'presets'], { encoding: 'utf8' });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toContain('mnist-vae');
  }, 60_000);
});
