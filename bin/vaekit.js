#!/usr/bin/env node
// The vaekit command. An installed package runs the compiled CLI in dist/ (plain Node, no TypeScript at run time); a
// git clone, which has the TypeScript sources, runs them through tsx so that development needs no build step
// (VAEKIT_DIST=1 runs dist/ there too, after npm run build).
import { existsSync } from 'node:fs';

/**
 * Loading vaekit's modules takes one to three seconds (tfjs, vega, the commands; longer on a clone's first run, whose
 * sources tsx compiles): on a terminal, a line says so and counts the seconds, and is erased before the command
 * prints anything. Never under --json or off a terminal, where stderr holds only the command's own lines.
 */
function startupLine() {
  const args = process.argv.slice(2);
  if (process.stderr.isTTY !== true || args.includes('--json')) return () => {};
  const started = performance.now();
  const draw = () => process.stderr.write(`\r\x1b[Kloading vaekit… ${((performance.now() - started) / 1000).toFixed(0)} s`);
  draw();
  const timer = setInterval(draw, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

const loaded = startupLine();
const source = new URL('../src/cli/main.ts', import.meta.url);
let cli;
if (existsSync(source) && process.env.VAEKIT_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import('../dist/cli/main.js');
}
loaded();
process.exitCode = await cli.main(process.argv);
