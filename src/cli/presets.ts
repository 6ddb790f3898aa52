/** `vaekit presets`: the presets, one line each. */
import type { Command } from 'commander';
import { PRESETS, DEFAULT_PRESET } from '../config/index.js';
import { makeOutput } from './output.js';

/** Registers `vaekit presets`. */
export function registerPresets(program: Command): void {
  program
    .command('presets')
    .description('list the presets (one per seed system)')
    .option('--json', 'print the presets with their full configs as JSON')
    .action((flags: { json?: boolean }) => {
      const out = makeOutput(flags.json === true);
      out.result(PRESETS, () => {
        const width = Math.max(...PRESETS.map((p) => p.name.length));
        for (const p of PRESETS) out.info(`${p.name.padEnd(width)}  ${p.description}${p.name === DEFAULT_PRESET ? ' [default]' : ''}`);
      });
    });
}
