// The package build (npm run build; npm pack runs it through prepack): src/ -> dist/ with tsc (JavaScript + .d.ts),
// then the browser lab prebuilt into dist/lab so that `vaekit serve` from an installed package needs neither web/
// sources nor Vite. A clone runs the sources through tsx and never needs dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const dist = path.join(root, 'dist');

function run(label, args) {
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`vaekit build: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`vaekit build: ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

rmSync(dist, { recursive: true, force: true });
run('tsc -p tsconfig.build.json -> dist/', [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
if (process.argv.includes('--no-lab')) process.exit(0);
const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
const lab = path.join(dist, 'lab');
run('vite build web -> dist/lab/', [vite, 'build', path.join(root, 'web'), '--outDir', lab, '--emptyOutDir', '--logLevel', 'error']);
if (!existsSync(path.join(lab, 'index.html'))) {
  console.error('vaekit build: the lab build wrote no dist/lab/index.html');
  process.exit(1);
}
// Marks the page as prebuilt for src/server/build-web.ts; sources -1: never rebuilt from here.
writeFileSync(path.join(lab, '.vaekit-build.json'), JSON.stringify({ sources: -1, prebuilt: true }) + '\n');
