/**
 * Takes the lab screenshots in docs/ (issue 21): the training view after 150 batches of the MLP VAE on the bundled
 * MNIST digits, and the latent map of the bundled default model, each cropped to its part of the page; and the
 * README's picture of the page (docs/lab.png: the header and the map, a point decoded). Uses Debian's chromium
 * through playwright-core (no browser download) and `vaekit serve` on a free port.
 *
 *   npx tsx scripts/lab-screenshots.ts           # writes docs/lab-train.png, docs/lab-map.png and docs/lab.png
 *   npx tsx scripts/lab-screenshots.ts -after    # writes docs/lab-train-after.png, docs/lab-map-after.png, docs/lab.png
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { buildReason, buildWeb } from '../src/server/build-web.js';

const root = path.resolve(import.meta.dirname, '..');
const suffix = process.argv[2] ?? '';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const BATCHES = 150;

/** Starts `vaekit serve --port 0 --json` and resolves with its URL and the child process. */
function serve(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'vaekit.js'), 'serve', '--port', '0', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!stdout.includes('\n')) return;
      const line = JSON.parse(stdout.split('\n')[0]) as { url?: string; error?: { message: string } };
      if (line.error) reject(new Error(line.error.message));
      else resolve({ url: line.url!, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`vaekit serve exited ${code}`)));
  });
}

if (buildReason()) await buildWeb();
const server = await serve();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 90_000 });
  const out = (name: string) => path.join(root, 'docs', `${name}${suffix}.png`);

  await page.locator('[data-view=map]').screenshot({ path: out('lab-map') });
  // The README's picture: a click on the map decodes that point (a "0" of the default model, lower right of centre).
  const box = (await page.locator('[data-testid=map-canvas]').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.68, box.y + box.height * 0.66);
  await page.mouse.move(box.x + box.width * 0.68, box.y + box.height * 0.66);
  await page.screenshot({ path: path.join(root, 'docs', 'lab.png'), clip: { x: 0, y: 0, width: 900, height: 680 } });

  await page.click('nav button[data-tab=train]');
  await page.click('[data-testid=train-start]');
  // Pauses from inside the page once BATCHES have run, so every run of this script shows the same point of training.
  await page.waitForFunction(
    (k) => {
      if (!(Number((document.querySelector('[data-testid=train-loss]') as HTMLElement).dataset.steps) >= k)) return false;
      (document.querySelector('[data-testid=train-pause]') as HTMLButtonElement).click();
      return true;
    },
    BATCHES,
    { timeout: 300_000, polling: 20 },
  );
  await page.locator('[data-view=train]').screenshot({ path: out('lab-train') });
  console.log(`wrote ${out('lab-map')} and ${out('lab-train')}`);
} finally {
  await browser.close();
  server.stop();
}
