#!/usr/bin/env node
// The vaekit command. An installed package runs the compiled CLI in dist/ (plain Node, no TypeScript at run time); a
// git clone, which has the TypeScript sources, runs them through tsx so that development needs no build step
// (VAEKIT_DIST=1 runs dist/ there too, after npm run build).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source) && process.env.VAEKIT_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
