/**
 * The package as users get it (issue 16): `npm pack`, then the tarball installed into one fresh temporary project
 * whose three consumers share its node_modules: a plain Node ESM script trains a VAE and saves it (the README's
 * library example, verbatim), a TypeScript project type-checks typed examples with strict `tsc --noEmit` (the Node
 * entry and the browser condition), and a Vite app bundles the browser entry, which Chromium runs to load the saved
 * model with fetch and decode a sample. Also: what the tarball holds, `vaekit --help` from the installed bin without
 * tsx, and `vaekit serve` from the prebuilt lab. The fixtures are in test/fixtures/consumers/; the consumers use the
 * repository's TypeScript, Vite and playwright-core so that the install fetches only vaekit's own dependencies.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const fixtures = path.join(root, 'test', 'fixtures', 'consumers');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** The environment of a user's shell: none of the npm_* variables that `npm test` sets for its own scripts. */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

let dir: string;
let tarball: { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };
const timings: Record<string, number> = {};

function run(cmd: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...userEnv, NO_COLOR: '1' }, timeout, maxBuffer: 64 << 20 });
  timings[[cmd, ...args.slice(0, 3)].map((a) => path.basename(a)).join(' ')] = (Date.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-consumers-'));
  // prepack builds dist/ (tsc) and the lab (dist/lab) first.
  const packed = run('npm', ['pack', '--json', '--pack-destination', dir], root);
  [tarball] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as (typeof tarball)[];
  cpSync(fixtures, dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'vaekit-consumers', private: true, type: 'module' }, null, 2));
  // One install for the three consumers; npm's cache serves whatever it already holds.
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball.filename}`, '@types/node@^20'], dir, 600_000);
}, 900_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`package consumers: tarball ${(tarball?.size / 1e6).toFixed(2)} MB, ${tarball?.entryCount} files; seconds: ${JSON.stringify(timings)}`);
});

describe('the packed tarball', () => {
  it('ships the compiled library, the CLI, the prebuilt lab and the addon sources, and no tests, bench or runs', () => {
    const files = tarball.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'bin/vaekit.js', 'dist/index.js', 'dist/index.d.ts', 'dist/browser.js', 'dist/browser.d.ts', 'dist/cli/main.js', 'dist/lab/index.html', 'binding.gyp', 'scripts/build-native.mjs', 'src/native/addon/addon.cc', 'src/native/addon/kernels.h']) {
      expect(files).toContain(f);
    }
    const unwanted = files.filter((f) => /\.test\.|^test\/|^bench\/|^runs\/|^web\/|^scratch\/|^build\/|^node_modules\/|\.tgz$/.test(f) || (f.startsWith('src/') && !f.startsWith('src/native/addon/')) || f.endsWith('.ts') && !f.endsWith('.d.ts'));
    expect(unwanted).toEqual([]);
    expect(tarball.size).toBeLessThan(6e6);
  });

  it('installs with the native addon built (or, without a toolchain, says so and runs on wasm), and its CLI runs without tsx', () => {
    const pkg = path.join(dir, 'node_modules', 'vaekit');
    const built = existsSync(path.join(pkg, 'build', 'Release', 'vaekit_native.node'));
    // Where this clone's own install built the addon, the toolchain is here, so the tarball's install must build it too.
    if (existsSync(path.join(root, 'build', 'Release', 'vaekit_native.node'))) expect(built, readFileSync(path.join(pkg, 'build', 'native-build.log'), 'utf8')).toBe(true);
    timings['native addon built at install'] = built ? 1 : 0;
    expect(existsSync(path.join(dir, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(path.join(dir, 'node_modules', 'vite'))).toBe(false);
    const started = Date.now();
    const help = run(path.join(dir, 'node_modules', '.bin', 'vaekit'), ['--help'], dir);
    timings['vaekit --help'] = (Date.now() - started) / 1000;
    expect(help.stdout).toMatch(/^Usage: vaekit /);
    expect(help.stdout).toMatch(/\n  serve \[run\] +serve the browser lab/);
  });
});

describe('consumers of the installed package', () => {
  let nodeResult: { backend: string; testLoss: number[]; shapes: number[][]; decoded: number[] };

  it("Node ESM: the README's library example trains a VAE, saves it and uses it", () => {
    const script = readFileSync(path.join(fixtures, 'node-esm', 'train.mjs'), 'utf8');
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('```js\n' + script + '```');
    const out = run(process.execPath, ['train.mjs'], path.join(dir, 'node-esm'));
    nodeResult = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as typeof nodeResult;
    const addon = existsSync(path.join(dir, 'node_modules', 'vaekit', 'build', 'Release', 'vaekit_native.node'));
    expect(nodeResult.backend).toBe(addon ? 'native' : 'wasm');
    expect(nodeResult.testLoss).toHaveLength(3);
    expect(nodeResult.testLoss[2]).toBeLessThan(nodeResult.testLoss[0]);
    expect(nodeResult.shapes).toEqual([[1000, 2], [10, 2], [10, 2]]);
    expect(nodeResult.decoded.every(Number.isFinite)).toBe(true);
    const saved = JSON.parse(readFileSync(path.join(dir, 'node-esm', 'runs', 'roll', 'model', 'model.json'), 'utf8')) as { format: string; latentDim: number };
    expect(saved).toMatchObject({ format: 'vaekit-model', latentDim: 2 });
  });

  it('TypeScript: strict tsc --noEmit type-checks the Node entry and the browser condition', () => {
    // Each example has a @ts-expect-error that only holds if the types are real (not any) and the condition applies.
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], path.join(dir, 'ts-strict'));
    run(process.execPath, [tsc, '-p', 'tsconfig.browser.json'], path.join(dir, 'ts-strict'));
  });

  it('Vite + Chromium: the browser entry bundles without node builtins or the addon, loads the saved model and decodes a sample', async () => {
    expect(nodeResult, 'the Node ESM consumer must have saved its model').toBeDefined();
    const app = path.join(dir, 'vite-app');
    cpSync(path.join(dir, 'node-esm', 'runs', 'roll', 'model'), path.join(app, 'public', 'model'), { recursive: true });
    const build = run(process.execPath, [vite, 'build', '.', '--outDir', 'dist', '--emptyOutDir', '--logLevel', 'warn'], app);
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/externalized for browser compatibility|Could not resolve/);
    const bundle = readdirSync(path.join(app, 'dist', 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(path.join(app, 'dist', 'assets', f), 'utf8')).join('\n');
    expect(bundle).toContain('vaekit-model'); // the model format is in, and
    expect(bundle.match(/node:[a-z_]+|vaekit_native|createRequire|readFileSync/g) ?? []).toEqual([]); // Node is not

    const distDir = path.join(app, 'dist');
    const server = http.createServer((req, res) => {
      const file = path.join(distDir, path.normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, ''));
      const target = file.endsWith(path.sep) ? path.join(file, 'index.html') : file;
      if (!target.startsWith(distDir) || !existsSync(target)) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', target.endsWith('.html') ? 'text/html' : target.endsWith('.js') ? 'text/javascript' : target.endsWith('.json') ? 'application/json' : 'application/octet-stream');
      res.end(readFileSync(target));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector('body[data-result], body[data-error]', { state: 'attached', timeout: 60_000 });
      expect(await page.evaluate(() => document.body.dataset.error ?? null)).toBeNull();
      const result = JSON.parse((await page.evaluate(() => document.body.dataset.result))!) as { version: string; backend: string; kind: string; decoded: number[] };
      const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
      expect(result).toMatchObject({ version, backend: 'cpu', kind: 'vae' });
      // The same decoder on the same z in Node (native or wasm) and in the page (tfjs cpu): float32 rounding apart.
      expect(result.decoded).toHaveLength(nodeResult.decoded.length);
      result.decoded.forEach((v, i) => expect(Math.abs(v - nodeResult.decoded[i])).toBeLessThan(1e-4));
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('vaekit serve from the installed package serves the prebuilt lab, and --rebuild says why it cannot', async () => {
    const bin = path.join(dir, 'node_modules', '.bin', 'vaekit');
    const child = spawn(bin, ['serve', '--port', '0', '--json'], { cwd: dir, env: userEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes('\n')) resolve((JSON.parse(stdout.split('\n')[0]) as { url: string }).url);
        });
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => reject(new Error(`vaekit serve exited ${code}: ${stderr}`)));
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/<script type="module"[^>]*src="\.\/assets\/index-[\w-]+\.js"/);
      expect((await fetch(new URL('default/model.json', url))).status).toBe(200);
    } finally {
      child.kill();
    }
    const rebuild = spawnSync(bin, ['serve', '--rebuild', '--port', '0'], { cwd: dir, encoding: 'utf8', env: userEnv, timeout: 60_000 });
    expect(rebuild.status).toBe(2);
    expect(rebuild.stderr).toMatch(/^vaekit: --rebuild: this installation has no lab sources \(.*web\); it serves the page prebuilt in .*dist[/\\]lab; rebuild from a clone of vaekit\n$/);
  });
});
