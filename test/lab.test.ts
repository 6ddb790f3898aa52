/**
 * The browser lab end to end (issue 5): `vaekit serve` in a child process, Debian's chromium driven by
 * playwright-core. Checks that the page loads without console errors, that each view reacts (slider, map click,
 * drawing, interpolation, training), that a model downloaded from the page loads in the CLI, and that a corrupt model
 * or data file gives a clear message. Screenshots of every view go to scratch/lab-screenshots/ (git-ignored).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildReason, buildWeb } from '../src/server/build-web.js';
import { PAGE_BACKENDS } from '../src/config/schema.js';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'vaekit.js');
const shots = path.join(root, 'scratch', 'lab-screenshots');
const defaults = path.join(root, 'web', 'public', 'default');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

let dir: string;
let browser: Browser;
const servers: ChildProcess[] = [];
const pages: { page: Page; errors: string[] }[] = [];
const measured: Record<string, unknown> = {};

function vaekit(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

/** Starts `vaekit serve [run] --port 0 --json` and resolves with its URL once it listens. */
function serve(...args: string[]): Promise<string> {
  const child = spawn(process.execPath, [bin, 'serve', ...args, '--port', '0', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!stdout.includes('\n')) return;
      // Under --json a refusal is one {"error": {...}} line on stdout.
      const line = JSON.parse(stdout.split('\n')[0]) as { url?: string; error?: { message: string } };
      if (line.error) reject(new Error(line.error.message));
      else resolve(line.url!);
    });
    child.on('exit', (code) => reject(new Error(`vaekit serve exited ${code}: ${stderr}`)));
  });
}

/** A fresh page that records console errors and uncaught exceptions; each test asserts on them. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 90_000 });
  const entry = { page, errors };
  pages.push(entry);
  return entry;
}

const tab = (page: Page, id: string) => page.click(`nav button[data-tab=${id}]`);
const pixels = (page: Page, testid: string) => page.$eval(`[data-testid=${testid}]`, (c) => (c as HTMLCanvasElement).toDataURL());
/** The mean brightness (0..255) of a canvas. */
const brightness = (page: Page, testid: string) =>
  page.$eval(`[data-testid=${testid}]`, (c) => {
    const canvas = c as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i];
    return sum / (data.length / 4);
  });
/** The page's live tensor count (see web/src/main.ts). */
const liveTensors = (page: Page) => page.evaluate(() => (window as unknown as { vaekitLab: { liveTensors(): number } }).vaekitLab.liveTensors());
/** Which of the training view's controls are enabled. */
const controls = (page: Page) =>
  page.evaluate(() => {
    const on = (testid: string) => !(document.querySelector(`[data-testid=${testid}]`) as HTMLButtonElement).disabled;
    const fields = Array.from((document.querySelector('[data-view=train] form') as HTMLFormElement).elements) as HTMLInputElement[];
    return { start: on('train-start'), pause: on('train-pause'), explore: on('train-explore'), form: fields.every((f) => !f.disabled) };
  });
/** A plot's axes as the page records them on its canvas (web/src/canvas.ts paintAxes), with the tick labels parsed. */
const axes = (page: Page, testid: string) =>
  page.$eval(`[data-testid=${testid}]`, (c) => {
    const { xLabel, yLabel, xTicks, yTicks, points } = (c as HTMLElement).dataset;
    return { xLabel, yLabel, points, xTicks: xTicks?.split(',').map(Number), yTicks: yTicks?.split(',').map(Number) };
  });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-lab-'));
  mkdirSync(shots, { recursive: true });
  if (buildReason()) await buildWeb(); // built before the run by test/global-setup.ts; again only if the sources changed since (watch mode)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 300_000);

afterEach(async () => {
  for (const { page } of pages.splice(0)) await page.close();
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.kill('SIGTERM');
  writeFileSync(path.join(shots, 'measured.json'), JSON.stringify(measured, null, 2) + '\n');
  rmSync(dir, { recursive: true, force: true });
});

describe('the lab with the bundled default model', () => {
  let url: string;
  beforeAll(async () => {
    url = await serve();
  }, 120_000);

  it('loads with no console error and says which model and backend it uses', async () => {
    const { page, errors } = await open(url);
    expect(await page.textContent('[data-testid=source]')).toContain('bundled default model');
    const backend = await page.textContent('[data-testid=backend]');
    expect(PAGE_BACKENDS).toContain(backend);
    measured.backend = backend;
    expect(await page.isHidden('[data-testid=error]')).toBe(true);
    // The latent map has a scale: z0 and z1 ticked, the ticks spanning the codes (the pinned origin among them).
    const map = await axes(page, 'map-canvas');
    expect(map).toMatchObject({ xLabel: 'z0', yLabel: 'z1', points: '1000' });
    for (const t of [map.xTicks!, map.yTicks!]) {
      expect(t.length).toBeGreaterThanOrEqual(3);
      expect(t.every((v, i) => i === 0 || v > t[i - 1])).toBe(true);
      expect(Math.min(...t)).toBeLessThan(0);
      expect(Math.max(...t)).toBeGreaterThan(0);
    }
    expect(await page.getAttribute('[data-testid=map-legend]', 'data-colour-by')).toBe('label');
    await shot(page, 'map');
    expect(errors).toEqual([]);
  });

  it('clicking the latent map decodes that point', async () => {
    const { page, errors } = await open(url);
    const before = await pixels(page, 'map-output');
    const tensors = await liveTensors(page);
    const box = (await page.locator('[data-testid=map-canvas]').boundingBox())!;
    for (let i = 0; i < 10; i++) await page.mouse.move(box.x + box.width * (0.1 + 0.08 * i), box.y + box.height * 0.5);
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.75);
    expect(await liveTensors(page)).toBe(tensors);
    expect(await page.getAttribute('[data-testid=map-canvas]', 'data-pinned')).toMatch(/^-?\d+\.\d+,-?\d+\.\d+$/);
    expect(await page.textContent('[data-testid=map-caption]')).toMatch(/^z = \(-?\d+\.\d\d, -?\d+\.\d\d\)$/);
    expect(await pixels(page, 'map-output')).not.toBe(before);
    expect(await brightness(page, 'map-output')).toBeGreaterThan(5); // a digit, not a black square
    await shot(page, 'map-clicked');
    expect(errors).toEqual([]);
  });

  it('dragging a slider changes the decoded image and shows the decode latency', async () => {
    const { page, errors } = await open(url);
    await tab(page, 'sliders');
    await page.waitForSelector('[data-testid=slider-stats][data-latency-ms]');
    const before = await pixels(page, 'slider-output');
    const tensors = await liveTensors(page);
    const box = (await page.locator('[data-testid=slider-0]').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width / 2, y);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(box.x + box.width / 2 + (i / 60) * (box.width / 2 - 2), y);
    await page.mouse.up();
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=slider-stats]') as HTMLElement).dataset.frames) > 20);
    expect(Number(await page.inputValue('[data-testid=slider-0]'))).toBeGreaterThan(2);
    expect(await liveTensors(page)).toBe(tensors);
    expect(await pixels(page, 'slider-output')).not.toBe(before);
    const stats = await page.$eval('[data-testid=slider-stats]', (e) => ({ ...(e as HTMLElement).dataset, text: e.textContent }));
    expect(stats.text).toMatch(/decode \+ draw \d+\.\d\d ms/);
    measured.slider = stats;
    await shot(page, 'sliders');
    expect(errors).toEqual([]);
  });

  it('drawing a digit shows its reconstruction and its ELBO against the test set', async () => {
    const { page, errors } = await open(url);
    await tab(page, 'draw');
    const tensors = await liveTensors(page);
    const box = (await page.locator('[data-testid=draw-pad]').boundingBox())!;
    const at = (u: number, v: number) => [box.x + u * box.width, box.y + v * box.height] as const;
    // A "7": the top bar, then the slanted stem.
    await page.mouse.move(...at(0.3, 0.25));
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(...at(0.3 + 0.4 * (i / 10), 0.25));
    for (let i = 1; i <= 15; i++) await page.mouse.move(...at(0.7 - 0.25 * (i / 15), 0.25 + 0.55 * (i / 15)));
    await page.mouse.up();
    await page.waitForSelector('[data-testid=draw-score][data-loss]');
    expect(await liveTensors(page)).toBe(tensors);
    expect(await brightness(page, 'draw-input')).toBeGreaterThan(5);
    expect(await brightness(page, 'draw-recon')).toBeGreaterThan(5);
    const loss = Number(await page.getAttribute('[data-testid=draw-score]', 'data-loss'));
    expect(loss).toBeGreaterThan(0);
    const anomaly = Number(await page.getAttribute('[data-testid=draw-score]', 'data-anomaly'));
    expect(anomaly).toBeGreaterThanOrEqual(0);
    expect(anomaly).toBeLessThanOrEqual(1);
    expect(await page.textContent('[data-testid=draw-score]')).toMatch(/^negative ELBO: \d+\.\d · higher than \d+% of test examples · (typical|unusual|anomalous)/);
    measured.drawing = { loss, anomaly };
    await shot(page, 'draw');
    expect(errors).toEqual([]);
  });

  it('interpolation decodes the path between two picked test images', async () => {
    const { page, errors } = await open(url);
    await tab(page, 'interpolate');
    await page.click('[data-testid=interp-pick-3]');
    await page.click('[data-testid=interp-pick-7]');
    expect(await page.getAttribute('[data-testid=interp-strip]', 'data-from')).toBe('3');
    expect(await page.getAttribute('[data-testid=interp-strip]', 'data-to')).toBe('7');
    expect(await page.locator('[data-testid=interp-strip] canvas').count()).toBe(10);
    await page.selectOption('[data-view=interpolate] select', 'slerp');
    expect(await brightness(page, 'interp-animation')).toBeGreaterThan(5);
    await shot(page, 'interpolate');
    expect(errors).toEqual([]);
  });

  it('the model card shows the architecture and metrics', async () => {
    const { page, errors } = await open(url);
    await tab(page, 'card');
    const about = await page.textContent('[data-testid=card-about]');
    expect(about).toContain('latent size2');
    expect(about).toContain('lossnegative ELBO'); // the registry's name for the model's loss
    expect(about).toContain('469,268');
    expect(await page.textContent('[data-testid=card-metrics]')).toMatch(/test loss \(at training, epoch 20\)141\.\d+/);
    await shot(page, 'card');
    expect(errors).toEqual([]);
  });

  it('training in the page lowers the loss; the model downloaded from the page loads in the CLI', async () => {
    const { page, errors } = await open(url);
    await tab(page, 'train');
    await page.click('[data-testid=train-start]');
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=train-loss]') as HTMLElement).dataset.steps) >= 100, undefined, { timeout: 120_000 });
    // While it trains, start and the form are locked and pause is on (issue 21).
    expect(await controls(page)).toEqual({ start: false, pause: true, explore: false, form: false });
    const running = (await page.textContent('[data-testid=train-status]'))!;
    measured.trainingStatus = running;
    expect(running).toMatch(/^epoch \d+\/10 · batch \d+\/50 · /);
    await page.click('[data-testid=train-pause]');
    expect(await controls(page)).toEqual({ start: true, pause: true, explore: true, form: true });
    const curve = await page.$eval('[data-testid=train-loss]', (e) => ({ ...(e as HTMLElement).dataset }));
    // 5,000 digits in batches of 100: 50 a epoch; the status counts batches within the epoch, the chart all of them.
    const [, epoch, batch] = (await page.textContent('[data-testid=train-status]'))!.match(/^paused at epoch (\d+)\/10, batch (\d+)\/50$/)!.map(Number);
    expect(batch).toBeGreaterThanOrEqual(1);
    expect(batch).toBeLessThanOrEqual(50);
    expect((epoch - 1) * 50 + batch).toBe(Number(curve.steps));
    expect(Number(curve.lastLoss)).toBeLessThan(Number(curve.firstLoss) - 100);
    // The chart's axes: labelled, ticked, and the y axis reaching up to the first batch's loss (nothing clipped flat).
    expect(curve).toMatchObject({ xLabel: 'batches trained', yLabel: 'loss per example (negative ELBO)' });
    const xTicks = curve.xTicks!.split(',').map(Number);
    const yTicks = curve.yTicks!.split(',').map(Number);
    expect(xTicks.length).toBeGreaterThanOrEqual(3);
    expect(yTicks.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...xTicks)).toBeLessThanOrEqual(Number(curve.steps));
    expect(Math.max(...xTicks)).toBeGreaterThan(Number(curve.steps) / 2);
    expect(Number(curve.yMax)).toBeGreaterThanOrEqual(Number(curve.firstBatchLoss));
    expect(Math.max(...yTicks)).toBeGreaterThan(Number(curve.firstBatchLoss) - (yTicks[1] - yTicks[0]));
    expect(Number(curve.yMin)).toBeLessThanOrEqual(Number(curve.lastLoss));
    expect(Math.min(...yTicks)).toBeLessThan(Number(curve.lastLoss) + (yTicks[1] - yTicks[0]));
    expect(await axes(page, 'train-map')).toMatchObject({ xLabel: 'z0', yLabel: 'z1' });
    measured.training = curve;
    await shot(page, 'train');

    const folder = path.join(dir, 'downloaded');
    mkdirSync(folder);
    for (const [testid, name] of [['download-model', 'model.json'], ['download-weights', 'weights.bin']]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
      expect(download.suggestedFilename()).toBe(name);
      await download.saveAs(path.join(folder, name));
    }
    const r = vaekit('summary', folder, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { kind: string; latentDim: number; inputShape: number[]; totalParams: number };
    expect(summary).toMatchObject({ kind: 'vae', latentDim: 2, inputShape: [28, 28, 1], totalParams: 469_268 });

    // Another 50 batches (and a test evaluation) leave the live tensor count where it was.
    const tensors = await liveTensors(page);
    const paused = Number(curve.steps);
    await page.click('[data-testid=train-pause]');
    expect(await controls(page)).toEqual({ start: false, pause: true, explore: false, form: false });
    await page.waitForFunction((n) => Number((document.querySelector('[data-testid=train-loss]') as HTMLElement).dataset.steps) >= n + 50, paused, { timeout: 120_000 });
    await page.click('[data-testid=train-pause]');
    expect(await liveTensors(page)).toBe(tensors);
    // "explore this model" opens the Latent map tab with the model just trained.
    await page.click('[data-testid=train-explore]');
    expect(await page.textContent('[data-testid=source]')).toMatch(/trained in this page \(mnist, \d+ batches\)/);
    expect(await page.getAttribute('nav button[data-tab=map]', 'aria-selected')).toBe('true');
    expect(await page.isVisible('[data-testid=map-canvas]')).toBe(true);
    expect(await page.isHidden('[data-view=train]')).toBe(true);
    expect(await axes(page, 'map-canvas')).toMatchObject({ xLabel: 'z0', yLabel: 'z1', points: '1000' });
    expect(errors).toEqual([]);
  }, 300_000);

  it('the Swiss roll trains to the end; its latent map is coloured by position along the roll, as the CLI figure is', async () => {
    const { page, errors } = await open(url);
    await tab(page, 'train');
    await page.selectOption('[data-view=train] select[name=data]', 'swiss-roll');
    await page.fill('[data-view=train] input[name=epochs]', '1');
    await page.click('[data-testid=train-start]');
    await page.waitForFunction(() => document.querySelector('[data-testid=train-status]')!.textContent!.startsWith('done'), undefined, { timeout: 60_000 });
    // Finished: start and the form are free again, pause has nothing to pause, explore is on.
    expect(await controls(page)).toEqual({ start: true, pause: false, explore: true, form: true });
    expect(await axes(page, 'train-map')).toMatchObject({ xLabel: 'z0', yLabel: 'z1', points: '500' });
    // viridis' ends over white at the points' opacity 0.75: dark purple (68, 1, 84) and yellow (253, 231, 37).
    const viridisEnds = (testid: string) =>
      page.$eval(`[data-testid=${testid}]`, (c) => {
        const canvas = c as HTMLCanvasElement;
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        const near = (i: number, rgb: number[]) => rgb.every((v, k) => Math.abs(data[i + k] - (0.75 * v + 0.25 * 255)) < 12);
        let [purple, yellow] = [0, 0];
        for (let i = 0; i < data.length; i += 4) {
          if (near(i, [68, 1, 84])) purple++;
          if (near(i, [253, 231, 37])) yellow++;
        }
        return { purple, yellow };
      });
    const inTraining = await viridisEnds('train-map');
    expect(inTraining.purple).toBeGreaterThan(0);
    expect(inTraining.yellow).toBeGreaterThan(0);
    await page.click('[data-testid=train-explore]');
    expect(await page.getAttribute('nav button[data-tab=map]', 'aria-selected')).toBe('true');
    expect(await page.getAttribute('[data-testid=map-legend]', 'data-colour-by')).toBe('position t along the roll');
    expect(await axes(page, 'map-canvas')).toMatchObject({ xLabel: 'z0', yLabel: 'z1', points: '1000' });
    const explored = await viridisEnds('map-canvas');
    expect(explored.purple).toBeGreaterThan(0);
    expect(explored.yellow).toBeGreaterThan(0);
    await shot(page, 'roll-map');
    expect(errors).toEqual([]);
  }, 120_000);

  it('the keras.io conv VAE trains in the page: the loss falls, the map is painted, no tensor leaks', async () => {
    const { page, errors } = await open(url);
    await tab(page, 'train');
    await page.selectOption('[data-view=train] select[name=network]', 'conv');
    expect(await page.inputValue('[data-view=train] input[name=hidden]')).toBe('16');
    await page.fill('[data-view=train] input[name=batch]', '32');
    expect(await page.textContent('[data-testid=train-about]')).toMatch(/^encoder: conv 32, 64/);
    const blankMap = await pixels(page, 'train-map');
    await page.click('[data-testid=train-start]');
    // Pauses from inside the page between two batches once n have run: a click from here lands a few batches late.
    const pauseAt = (n: number) =>
      page.waitForFunction(
        (k) => {
          if (!(Number((document.querySelector('[data-testid=train-loss]') as HTMLElement).dataset.steps) >= k)) return false;
          (document.querySelector('[data-testid=train-pause]') as HTMLButtonElement).click();
          return true;
        },
        n,
        { timeout: 180_000, polling: 50 },
      );
    // 8 batches of 32: 256 digits (and 3 more below).
    await pauseAt(8);
    // The poll may miss one yield between batches, so the pause can land one batch late.
    const pausedAt = async () => Number((await page.textContent('[data-testid=train-status]'))!.match(/^paused at epoch 1\/10, batch (\d+)\/\d+$/)![1]);
    const first = await pausedAt();
    expect(first).toBeGreaterThanOrEqual(8);
    expect(first).toBeLessThanOrEqual(10);
    const curve = await page.$eval('[data-testid=train-loss]', (e) => ({ ...(e as HTMLElement).dataset }));
    const backend = await page.textContent('[data-testid=backend]');
    measured.convTraining = { backend, ...curve };
    console.log(`conv VAE in the page (${backend}, batch 32): ${curve.examplesPerSecond} examples/s; loss ${curve.firstLoss} -> ${curve.lastLoss} over ${curve.steps} batches`);
    expect(Number(curve.lastLoss)).toBeLessThan(Number(curve.firstLoss) - 20);
    expect(await pixels(page, 'train-map')).not.toBe(blankMap);
    await shot(page, 'train-conv');

    // Three more batches leave the live tensor count where it was.
    const tensors = await liveTensors(page);
    await page.click('[data-testid=train-pause]');
    await pauseAt(first + 3);
    expect(await pausedAt()).toBeGreaterThanOrEqual(first + 3);
    expect(await liveTensors(page)).toBe(tensors);
    expect(errors).toEqual([]);
  }, 300_000);

  it('the training form is checked by the config schema: a refused value names its field and nothing trains', async () => {
    const { page, errors } = await open(url);
    await tab(page, 'train');
    for (const [name, value] of [['batch', '0'], ['lr', 'fast'], ['hidden', '256,x'], ['seed', '1.5']]) {
      await page.fill(`[data-view=train] input[name=${name}]`, value);
      await page.click('[data-testid=train-start]');
      expect(await page.textContent('[data-testid=train-status]')).toMatch(new RegExp(`^cannot train: ${name}: '${value.replace('.', '\\.')}' is not valid: \\S`));
      await page.fill(`[data-view=train] input[name=${name}]`, name === 'batch' ? '100' : name === 'lr' ? '0.001' : name === 'hidden' ? '256,128' : '1');
    }
    expect(await page.$eval('[data-testid=train-loss]', (e) => (e as HTMLElement).dataset.steps)).toBeUndefined();
    expect(await page.isDisabled('[data-testid=train-pause]')).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});

describe('vaekit serve RUN', () => {
  it("serves a run's model with its test data; a latent above 2 is mapped by PCA", async () => {
    const t = vaekit('train', '--preset', 'mnist-vae', '--latent', '3', '--hidden', '64', '--limit', '3000', '--epochs', '2', '--out', 'small', '--json');
    expect(t.status).toBe(0);
    const { page, errors } = await open(await serve('small'));
    expect(await page.textContent('[data-testid=source]')).toBe('model: run small');
    expect(await page.textContent('[data-view=map] .hint')).toContain('500 test codes, latent 3 projected to 2-D by');
    const box = (await page.locator('[data-testid=map-canvas]').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect(await page.textContent('[data-testid=map-caption]')).toMatch(/^test example #\d+, label \d: its code decoded$/);
    await shot(page, 'run-map');
    expect(errors).toEqual([]);
  });

  it('a conditional VAE decodes every code as the class picked in the header', async () => {
    const t = vaekit('train', '--preset', 'mnist-cvae', '--limit', '3000', '--epochs', '2', '--out', 'cvae', '--json');
    expect(t.status).toBe(0);
    const { page, errors } = await open(await serve('cvae'));
    expect(await page.isVisible('[data-testid=class-picker]')).toBe(true);
    const box = (await page.locator('[data-testid=map-canvas]').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect(await page.textContent('[data-testid=map-caption]')).toMatch(/^z = \(-?\d+\.\d\d, -?\d+\.\d\d\), decoded as class 0$/);
    await tab(page, 'sliders');
    await page.waitForSelector('[data-testid=slider-stats][data-latency-ms]');
    const asZero = await pixels(page, 'slider-output');
    await page.selectOption('[data-testid=class-select]', '7');
    await page.waitForSelector('[data-testid=slider-stats][data-latency-ms]');
    expect(await pixels(page, 'slider-output')).not.toBe(asZero);
    await tab(page, 'draw');
    const pad = (await page.locator('[data-testid=draw-pad]').boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.2);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * (0.2 + 0.6 * (i / 12)));
    await page.mouse.up();
    await page.waitForSelector('[data-testid=draw-score][data-anomaly]');
    await shot(page, 'cvae-draw');
    expect(errors).toEqual([]);
  });

  it('a corrupt model: serve refuses it at start; corrupted while served, the page gives a clear message, not a blank page', async () => {
    const run = path.join(dir, 'corrupt');
    mkdirSync(path.join(run, 'model'), { recursive: true });
    copyFileSync(path.join(defaults, 'model.json'), path.join(run, 'model', 'model.json'));
    const weights = readFileSync(path.join(defaults, 'weights.bin'));
    writeFileSync(path.join(run, 'model', 'weights.bin'), weights.subarray(0, 1000));
    const refused = await serve(run).then(() => undefined, (err: Error) => err.message);
    expect(refused).toContain(`${path.join(run, 'model', 'weights.bin')}: the file has 1000 bytes, expected 1877072`);
    // The server reads the model's files at request time, so a model damaged after the start reaches the page.
    writeFileSync(path.join(run, 'model', 'weights.bin'), weights);
    const url = await serve(run);
    writeFileSync(path.join(run, 'model', 'weights.bin'), weights.subarray(0, 1000));
    const { page } = await open(url);
    const error = await page.textContent('[data-testid=error]');
    expect(error).toBe('Could not load run corrupt: run/weights.bin: the file has 1000 bytes, expected 1877072 (weightsByteLength in run/model.json)');
    expect(await page.textContent('[data-testid=source]')).toBe('no model loaded');
    expect(await page.textContent('[data-view=map]')).toContain('No model is loaded');
    await shot(page, 'corrupt-model');
  });

  it('a port in use exits 2 with a message naming --port', async () => {
    const port = new URL(await serve()).port;
    const r = vaekit('serve', '--port', port);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`vaekit: --port ${port}: the port is in use on 127.0.0.1; pick another (--port 0 takes any free port)`);
  });
});

describe('opening files in the page', () => {
  let url: string;
  beforeAll(async () => {
    url = await serve();
  }, 120_000);

  const file = (name: string, bytes: Uint8Array | string) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });

  it("a CLI run's model.json + weights.bin opened alone is shown with the page's bundled MNIST digits; a roll model is not", async () => {
    for (const [out, preset] of [['tiny', 'mnist-vae-pytorch'], ['roll', 'swiss-roll-vae']]) {
      const t = vaekit('train', '--preset', preset, '--latent', '2', '--hidden', '32', '--limit', '1000', '--epochs', '1', '--out', out, '--json');
      expect(t.status, t.stderr).toBe(0);
    }
    const { page, errors } = await open(url);
    const pick = (run: string) => page.setInputFiles('[data-testid=open-files]', ['model.json', 'weights.bin'].map((n) => file(n, readFileSync(path.join(dir, run, 'model', n)))));
    await pick('tiny');
    await page.waitForFunction(() => document.querySelector('[data-testid=source]')!.textContent!.startsWith('model: files'));
    expect(await page.textContent('[data-testid=source]')).toBe("model: files model.json + weights.bin · using the lab's bundled MNIST test digits");
    expect(await page.textContent('[data-testid=map-data-source]')).toBe("using the lab's bundled MNIST test digits");
    expect(await axes(page, 'map-canvas')).toMatchObject({ xLabel: 'z0', yLabel: 'z1', points: '1000' });
    expect(await page.getAttribute('[data-testid=map-legend]', 'data-colour-by')).toBe('label');
    await tab(page, 'interpolate');
    expect(await page.locator('[data-testid=interp-strip] canvas').count()).toBe(10);
    expect(await brightness(page, 'interp-animation')).toBeGreaterThan(5);
    await tab(page, 'map');
    await shot(page, 'cli-run-bundled-digits');
    // A model of other data (2-D points) keeps the message that test examples are needed.
    await pick('roll');
    await page.waitForFunction(() => document.querySelector('[data-testid=source]')!.textContent === 'model: files model.json + weights.bin');
    expect(await page.textContent('[data-view=map]')).toContain('The latent map needs test examples: no test examples were picked');
    expect(errors).toEqual([]);

    // Served with its run, the roll's map is coloured by position along the roll, as the CLI's latent figure.
    const served = await open(await serve(path.join(dir, 'roll')));
    expect(await served.page.getAttribute('[data-testid=map-legend]', 'data-colour-by')).toBe('position t along the roll');
    expect(await served.page.textContent('[data-testid=map-legend]')).toMatch(/^colour: position t along the roll-?\d+\.\d\d-?\d+\.\d\d$/);
    const shown = (await served.page.textContent('[data-view=map] .hint'))!.match(/^(\d+) test codes/)![1];
    expect(await axes(served.page, 'map-canvas')).toMatchObject({ xLabel: 'z0', yLabel: 'z1', points: shown });
    await shot(served.page, 'roll-run-map');
    expect(served.errors).toEqual([]);
  }, 120_000);

  it('a model picked with its test data replaces the current one', async () => {
    const { page, errors } = await open(url);
    const read = (name: string) => readFileSync(path.join(defaults, name));
    await page.setInputFiles('[data-testid=open-files]', ['model.json', 'weights.bin', 'test-images.idx.gz', 'test-labels.idx.gz'].map((n) => file(n, read(n))));
    await page.waitForFunction(() => document.querySelector('[data-testid=source]')!.textContent!.startsWith('model: files'));
    expect(await page.textContent('[data-testid=source]')).toBe('model: files model.json + weights.bin');
    expect(await page.textContent('[data-view=map] .hint')).toContain('1000 test codes');
    expect(errors).toEqual([]);
  });

  it.each([
    [['model.json', 'weights.bin'], 'not json', undefined, /^Could not load model\.json, weights\.bin: model\.json: not valid JSON \(.+\)$/],
    [['model.json'], undefined, undefined, /^Could not load model\.json: picked model\.json; expected a model\.json and its weights\.bin \(pick both at once\)$/],
    [['model.json', 'weights.bin', 'test-images.idx'], undefined, 'garbage', /test-images\.idx: expected IDX magic starting 0x0000, found 0x67617262$/],
  ])('picking %j with a corrupt file shows what is wrong', async (names, json, images, message) => {
    const { page } = await open(url);
    const content = (n: string) => (n === 'model.json' ? (json ?? readFileSync(path.join(defaults, n))) : n === 'weights.bin' ? readFileSync(path.join(defaults, n)) : images!);
    await page.setInputFiles('[data-testid=open-files]', names.map((n) => file(n, content(n))));
    await page.waitForSelector('[data-testid=error]:not([hidden])');
    expect(await page.textContent('[data-testid=error]')).toMatch(message);
    // The default model stays loaded and usable.
    expect(await page.textContent('[data-testid=source]')).toContain('bundled default model');
    if (images) await shot(page, 'corrupt-data');
  });
});

