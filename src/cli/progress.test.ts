/** Progress reporting: bars and step lines reach a terminal and nothing else; figures report each one as drawn. */
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { during, makeProgress, projectionProgress, stepBar, stepLine, type ProgressTarget } from './progress.js';
import { makeOutput } from './output.js';

/** A fake stderr: a terminal (or not) that keeps what is written, ANSI codes stripped, split at \r and \n. */
function fakeTarget(tty: boolean): ProgressTarget & { text: () => string; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    { isTTY: tty, columns: 160 },
  );
  // eslint-disable-next-line no-control-regex
  const text = () => chunks.join('').replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '\r');
  return { stream, tty, text, lines: () => text().split(/[\r\n]/).filter((l) => l.trim() !== '') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress on a terminal only', () => {
  it('stepBar draws the label, count and ETA on a terminal, nothing elsewhere', async () => {
    for (const tty of [true, false]) {
      const target = fakeTarget(tty);
      const bar = stepBar('t-SNE, 2000 points', target);
      bar.update(0, 500, 'iterations 0/500');
      await sleep(450); // cli-progress redraws a synchronous update at most every 200 ms
      bar.update(250, 500, 'iterations 250/500');
      bar.stop();
      if (!tty) {
        expect(target.text()).toBe('');
        continue;
      }
      const lines = target.lines();
      expect(lines[0]).toMatch(/^t-SNE, 2000 points \[.*\] 0% \| ETA .* \| iterations 0\/500/);
      expect(lines.some((l) => /50% \| ETA \d+s \| iterations 250\/500/.test(l)), lines.join('\n')).toBe(true);
    }
  });

  it('stepBar draws a new phase at once, without waiting out the redraw throttle, so a slow synchronous phase is named while it runs', () => {
    const target = fakeTarget(true);
    const bar = stepBar('drawing figures', target);
    bar.update(0, 500, '5/5 latent map');
    bar.update(0, 500, '5/5 latent map: neighbour search'); // at once: no 200 ms have passed
    const seen = target.lines();
    bar.stop();
    expect(seen.at(-1)).toMatch(/\| 5\/5 latent map: neighbour search$/);
  });

  it("projectionProgress shows the projection's phase and count", async () => {
    const target = fakeTarget(true);
    const p = projectionProgress('latent map (UMAP, 2000 points)', target);
    p.onProgress({ phase: 'neighbours', done: 0, total: 1 });
    p.onProgress({ phase: 'epochs', done: 0, total: 500 });
    await sleep(450);
    p.onProgress({ phase: 'epochs', done: 100, total: 500 });
    p.stop();
    const lines = target.lines();
    expect(lines[0]).toBe('latent map (UMAP, 2000 points): neighbours…');
    expect(lines.some((l) => /^latent map \(UMAP, 2000 points\) \[.*\] 20% \| ETA .* \| epochs 100\/500$/.test(l)), lines.join('\n')).toBe(true);
  });

  it('stepLine says what runs, ticks the seconds while awaited, and erases itself', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const target = fakeTarget(true);
    try {
      const line = stepLine('vite build', { tick: true, target });
      vi.advanceTimersByTime(2000);
      line.done();
    } finally {
      vi.useRealTimers();
    }
    expect(target.lines()).toEqual(['vite build… 0 s', 'vite build… 1 s', 'vite build… 2 s']);
    expect(target.text().endsWith('\r\r')).toBe(true); // erased: carriage return and clear-line at the end
    const quiet = fakeTarget(false);
    stepLine('loading mnist', { target: quiet }).done();
    expect(quiet.text()).toBe('');
  });

  it('during shows a line for a synchronous step and erases it when the step throws', () => {
    const target = fakeTarget(true);
    expect(() => during('loading mnist', () => { throw new Error('no file'); }, target)).toThrow('no file');
    expect(target.lines()).toEqual(['loading mnist…']);
    expect(target.text().endsWith('\r\r')).toBe(true);
    expect(during('loading mnist', () => 42, fakeTarget(false))).toBe(42);
  });

  it("train's figure bar names figure i of n and a slow figure's own progress", async () => {
    const target = fakeTarget(true);
    const progress = makeProgress(makeOutput(false), 1, target);
    progress.figure({ index: 0, count: 2, name: 'traversal' });
    await sleep(450);
    progress.figure({ index: 1, count: 2, name: 'latent map (UMAP, 12 points)', step: { phase: 'epochs', done: 50, total: 500 } });
    await sleep(450);
    progress.figure({ index: 2, count: 2, name: 'done' });
    progress.stop();
    const lines = target.lines();
    expect(lines[0]).toMatch(/^drawing figures \[.*\] 0% \| ETA .* \| 1\/2 traversal$/);
    expect(lines.some((l) => /55% \| ETA .* \| 2\/2 latent map \(UMAP, 12 points\): epochs 50\/500$/.test(l)), lines.join('\n')).toBe(true);
    const quiet = fakeTarget(false);
    const none = makeProgress(makeOutput(false), 1, quiet);
    none.figure({ index: 0, count: 2, name: 'traversal' });
    none.stop();
    expect(quiet.text()).toBe('');
  });
});
