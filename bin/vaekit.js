#!/usr/bin/env node
// The vaekit command. An installed package runs the compiled CLI in dist/ (plain Node, no TypeScript at run time); a
// git clone, which has the TypeScript sources, runs them through tsx so that development needs no build step
// (VAEKIT_DIST=1 runs dist/ there too, after npm run build).
import { existsSync } from 'node:fs';

// The first line, before the seconds of loading TypeScript and the command's modules, on a terminal only and never
// for help or --json; main.ts's own loading line overwrites it (and clears it for a word that is not a command).
const [command, ...rest] = process.argv.slice(2);
if (process.stderr.isTTY && /^[a-z]+$/.test(command ?? '') && command !== 'help' && !rest.some((w) => w === '--json' || w === '--help' || w === '-h')) {
  process.stderr.write(`vaekit ${command}: loading…`);
}

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source) && process.env.VAEKIT_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
