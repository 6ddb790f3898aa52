/**
 * Builds the lab page (web/ -> web/dist) with Vite when the build is missing or older than its sources, so
 * `vaekit serve` works right after `npm install` in a clone. The build goes to a temporary folder that replaces
 * web/dist only when it succeeds, so an interrupted build never leaves a half-written page. An installed package has
 * no web/ sources and no Vite: it serves the page prebuilt at pack time into dist/lab (scripts/build.mjs).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // src/server in a clone, dist/server in a package
/** The repository's web/ folder. */
export const WEB_DIR = path.resolve(HERE, '..', '..', 'web');
/** The page prebuilt by `npm run build` (dist/lab), which an installed package serves. */
export const PREBUILT_DIR = path.resolve(HERE, '..', 'lab');
/** Whether the lab's sources are here (a clone) rather than only its prebuilt page (an installed package). */
const HAS_SOURCES = existsSync(path.join(WEB_DIR, 'index.html'));
/** The built page: web/dist built on demand in a clone, dist/lab in a package. */
export const DIST_DIR = HAS_SOURCES ? path.join(WEB_DIR, 'dist') : PREBUILT_DIR;
const STAMP = '.vaekit-build.json';

/** The newest modification time (ms) of the files the page is built from: web/ (but dist) and the library in src/. */
function newestSource(): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'dist' && !entry.name.startsWith('.') && entry.name !== 'native') visit(full);
      } else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  visit(WEB_DIR);
  visit(path.join(WEB_DIR, '..', 'src'));
  return newest;
}

/** Why the page needs building, or undefined when web/dist is current. */
export function buildReason(): string | undefined {
  if (!HAS_SOURCES) return existsSync(path.join(PREBUILT_DIR, 'index.html')) ? undefined : 'the prebuilt lab is missing';
  const stamp = path.join(DIST_DIR, STAMP);
  if (!existsSync(stamp)) return 'the lab has not been built yet';
  let sources: number;
  try {
    sources = (JSON.parse(readFileSync(stamp, 'utf8')) as { sources: number }).sources;
  } catch {
    return 'its build record is unreadable';
  }
  return !(newestSource() <= sources) ? 'its sources changed since the last build' : undefined;
}

/**
 * Runs `vite build` for web/ into web/dist; rejects with Vite's output when it fails.
 *
 * @example
 * if (buildReason()) await buildWeb();
 */
export async function buildWeb(): Promise<void> {
  if (!HAS_SOURCES) {
    throw new UsageError(
      existsSync(path.join(PREBUILT_DIR, 'index.html'))
        ? `--rebuild: this installation has no lab sources (${WEB_DIR}); it serves the page prebuilt in ${PREBUILT_DIR}; rebuild from a clone of vaekit`
        : `${PREBUILT_DIR}: the prebuilt lab is missing from this installation (expected index.html); reinstall vaekit`,
    );
  }
  const sources = newestSource();
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const tmp = path.join(WEB_DIR, `.dist-${process.pid}`);
  const args = [vite, 'build', WEB_DIR, '--outDir', tmp, '--emptyOutDir', '--logLevel', 'error'];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: WEB_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`building the lab failed (vite exited ${code}):\n${output.join('').trim()}`);
  }
  writeFileSync(path.join(tmp, STAMP), JSON.stringify({ sources }) + '\n');
  rmSync(DIST_DIR, { recursive: true, force: true });
  renameSync(tmp, DIST_DIR);
}
