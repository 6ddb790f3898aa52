/**
 * `npx tsx scripts/silent-gaps.ts [--max 2] [--until TEXT] -- vaekit ARGS...`: runs a vaekit command on a pseudo-terminal (util-linux
 * `script`, so progress bars draw as a person sees them), timestamps every line and every bar redraw of its output
 * as it arrives, and prints the longest silent stretches: from the start to the first output, between outputs, and
 * from the last output to the exit. Exits 1 when any stretch is over --max seconds (default 2), so the issue's "no
 * silent step over 2 s" target can be checked by hand on a quiet machine; it is a measurement, not a test.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const own = dashes >= 0 ? argv.slice(0, dashes) : [];
const command = dashes >= 0 ? argv.slice(dashes + 1) : argv;
const maxAt = own.indexOf('--max');
const max = maxAt >= 0 ? Number(own[maxAt + 1]) : 2;
// --until TEXT: stop the command once its output shows TEXT (a server that runs until stopped: `serve` is ready).
const untilAt = own.indexOf('--until');
const until = untilAt >= 0 ? own[untilAt + 1] : undefined;
if (command[0] !== 'vaekit' || !Number.isFinite(max) || max <= 0) {
  process.stderr.write('usage: npx tsx scripts/silent-gaps.ts [--max SECONDS] [--until TEXT] -- vaekit ARGS...\n');
  process.exit(2);
}

/** Single-quotes a word for sh. */
const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
const line = [process.execPath, path.join(root, 'bin', 'vaekit.js'), ...command.slice(1)].map(quote).join(' ');

interface Event {
  at: number;
  text: string;
}

const started = performance.now();
const events: Event[] = [];
/** Visible text of a stretch of terminal output: escape sequences (cursor moves, colours, line clears) removed. */
const visible = (s: string) => s.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '').replace(/[\r\n]+/g, ' | ').trim();
// `script -q -f -e -c CMD /dev/null`: a pty for CMD, output flushed as it comes, CMD's exit status passed on.
const child = spawn('script', ['-qfec', line, '/dev/null'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
// Every chunk that shows something is a change a person sees: a new line, or a bar redrawn in place (cli-progress
// moves the cursor with escape sequences, not \r, so lines alone would miss its redraws).
child.stdout.on('data', (chunk: Buffer) => {
  const text = visible(chunk.toString('utf8')).replace(/^\|\s*|\s*\|$/g, '');
  if (text) events.push({ at: (performance.now() - started) / 1000, text });
  if (until !== undefined && text.includes(until)) child.kill('SIGINT');
});
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
const end = (performance.now() - started) / 1000;

// Stopped with --until, the last stretch is our own wait for the command to stop, not the command's.
const gaps = [...events, ...(until === undefined ? [{ at: end, text: '(exit)' }] : [])].map((e, i, all) => ({ seconds: e.at - (i === 0 ? 0 : all[i - 1].at), before: i === 0 ? '(start)' : all[i - 1].text, after: e.text }));
const worst = [...gaps].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
const cut = (s: string) => (s.length > 80 ? `...${s.slice(-77)}` : s); // a bar says what it is doing at its end
process.stdout.write(`${command.join(' ')}\nexit ${code}, ${end.toFixed(1)} s, ${events.length} outputs; longest silent stretches:\n`);
for (const g of worst) process.stdout.write(`  ${g.seconds.toFixed(2).padStart(6)} s  after "${cut(g.before)}"  until "${cut(g.after)}"\n`);
process.exit(worst[0].seconds > max ? 1 : 0);
