/**
 * Builds the lab page (web/ -> web/dist) with Vite when the build is missing or older than its sources, so
 * `vaekit serve` works right after `npm install`. The build goes to a temporary folder that replaces web/dist only
 * when it succeeds, so an interrupted build never leaves a half-written page.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's web/ folder. */
export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
/** The built page. */
export const DIST_DIR = path.join(WEB_DIR, 'dist');
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
