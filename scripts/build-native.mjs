// Builds the native addon (build/Release/vaekit_native.node) with node-gyp; run by `npm install` / `npm ci`.
// It never fails the install: without a C++ toolchain or headers vaekit falls back to wasm at run time, so a failed
// build prints one line (the full log stays in build/native-build.log) and exits 0.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function skip(reason) {
  console.log(`vaekit: native addon not built (${reason}); vaekit will use the wasm backend`);
  process.exit(0);
}

if (process.env.VAEKIT_NATIVE === 'off') skip('VAEKIT_NATIVE=off');

/** node-gyp: the one npm runs scripts with, else npm's bundled copy next to this node, else a local install. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(createRequire(path.join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  return candidates.find((c) => c && fs.existsSync(c));
}

/** The Node headers: npm's nodedir if set, else the installed node's own include dir, so node-gyp downloads nothing. */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

try {
  const gyp = findNodeGyp();
  if (!gyp) skip('node-gyp not found');
  const dir = nodeDir();
  if (!dir) skip('no Node headers found (set npm config nodedir)');

  const logFile = path.join(root, 'build', 'native-build.log');
  const args = [gyp, 'rebuild', `--nodedir=${dir}`, `--jobs=max`];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: dir } });
  fs.mkdirSync(path.dirname(logFile), { recursive: true }); // node-gyp rebuild removes build/ first
  fs.writeFileSync(logFile, `${process.execPath} ${args.join(' ')}\n${result.stdout ?? ''}\n${result.stderr ?? ''}\n${result.error ?? ''}`);
  if (result.status !== 0) {
    const firstError = `${result.stderr ?? ''}${result.stdout ?? ''}`.split('\n').find((l) => /error/i.test(l))?.trim();
    skip(`${firstError ?? result.error?.message ?? `node-gyp exited with ${result.status}`}; see build/native-build.log`);
  }
  console.log('vaekit: native addon built (build/Release/vaekit_native.node)');
} catch (err) {
  skip(String(err?.message ?? err).split('\n')[0]);
}
