/**
 * `vaekit serve SWEEP`: each trained run's model under its own path, listed at sweep.json, and the lab's run picker
 * opening them one after another (headless chromium through playwright-core, as test/lab.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'vaekit.js');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const { dir, remove } = tempDir('lab-sweep');
let server: ChildProcess | undefined;
let browser: Browser | undefined;
let url = '';
let serverErr = '';

beforeAll(async () => {
  const r = await runCli(dir, 'sweep', '--preset', 'swiss-roll-vae', '--limit', '300', '--epochs', '1', '--backend', 'cpu', '--over', 'model.latent=1,2,3', '--no-compare', '--out', 'sw');
  expect(r.code, r.stderr).toBe(0);
  server = spawn(process.execPath, [bin, 'serve', 'sw', '--port', '0', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr!.on('data', (d: Buffer) => (serverErr += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
    });
    server!.on('exit', (code) => reject(new Error(`vaekit serve exited ${code}`)));
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.kill();
  remove();
});

describe('vaekit serve SWEEP', () => {
  it("prints none of tfjs's console banners (its backend is set up as every command's)", () => {
    expect(serverErr).not.toMatch(/tfjs-node|Hi, looks like/);
  });

  it('serves every run under its own path and lists them at sweep.json', async () => {
    const sweep = (await (await fetch(url + 'sweep.json')).json()) as { name: string; runs: { name: string; path: string; values: Record<string, number> }[] };
    expect(sweep.name).toBe('sw');
    expect(sweep.runs.map((r) => [r.name, r.path, r.values['model.latent']])).toEqual([['1-latent-1', 'runs/1/', 1], ['2-latent-2', 'runs/2/', 2], ['3-latent-3', 'runs/3/', 3]]);
    for (const [i, run] of sweep.runs.entries()) {
      const model = (await (await fetch(url + run.path + 'model.json')).json()) as { latentDim: number };
      expect(model.latentDim).toBe(i + 1);
      expect((await fetch(url + run.path + 'weights.bin')).status).toBe(200);
    }
    expect((await fetch(url + 'runs/4/model.json')).status).toBe(404);
  });

  it("the lab's picker opens each run in turn", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]', { timeout: 90_000 });
    const source = () => page.textContent('[data-testid=source]');
    expect(await source()).toContain('run 1-latent-1');
    expect(await page.$$eval('[data-testid=run-select] option', (o) => o.length)).toBe(3);
    await page.selectOption('[data-testid=run-select]', '2');
    await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent?.includes('3-latent-3'));
    await page.click('[data-testid=run-picker] button[title="previous run"]');
    await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent?.includes('2-latent-2'));
    await page.click('nav button[data-tab=card]');
    mkdirSync(path.join(root, 'scratch'), { recursive: true });
    await page.screenshot({ path: path.join(root, 'scratch', 'lab-sweep-picker.png') });
    expect(errors).toEqual([]);
    expect(await page.isHidden('[data-testid=error]')).toBe(true);
    await page.close();
  });
});
