/**
 * The longest silence of a command on a terminal: runs it under a pseudo-terminal (util-linux `script`), timestamps
 * every line and redraw it writes (split at \n and \r, so a progress bar's redraws count), and reports the longest
 * gap, counting from the process start to the first line and from the last line to exit (issue 21's target: none
 * over 2 s in train, eval --nll, embed and serve).
 *
 * Usage: npx tsx scripts/silent-gaps.ts [--all] [--until REGEX] [--timeout S] -- COMMAND...
 * --all prints every line with its time.
 * --until stops the command (SIGINT) when a line matches, for `serve`, which runs until stopped; its gap to exit is
 * then not counted. Prints the five longest gaps with the lines around them, and one JSON line last.
 */
import { spawn } from 'node:child_process';

/** One line or redraw seen on the terminal, `t` seconds after the start. */
interface Seen {
  t: number;
  text: string;
}

/** A silence: `seconds` between the end of `before` (or the start) and `after` (or the exit). */
export interface Gap {
  seconds: number;
  before: string;
  after: string;
}

/** The gaps between consecutive lines, with the start and the exit as the first and last marks, longest first. */
export function gaps(seen: Seen[], exitAt: number | undefined): Gap[] {
  const marks: Seen[] = [{ t: 0, text: '(start)' }, ...seen, ...(exitAt === undefined ? [] : [{ t: exitAt, text: '(exit)' }])];
  const out: Gap[] = [];
  for (let i = 1; i < marks.length; i++) out.push({ seconds: marks[i].t - marks[i - 1].t, before: marks[i - 1].text, after: marks[i].text });
  return out.sort((a, b) => b.seconds - a.seconds);
}

/** The visible lines and redraws in what a terminal was sent. */
export const redraws = (s: string): string[] =>
  s
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '\r')
    .split(/[\r\n]/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

async function measure(command: string[], until: RegExp | undefined, timeoutS: number) {
  const quoted = command.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const start = performance.now();
  // script gives the command a terminal for stdin, stdout and stderr; -f flushes every write, -e keeps the exit code.
  const child = spawn('script', ['-qfec', quoted, '/dev/null'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const seen: Seen[] = [];
  let stopped = false;
  // Each write that shows something is an event at the time it arrived; escapes (a bar's cursor moves) and \r and \n
  // separate redraws within one write.
  child.stdout.on('data', (chunk: Buffer) => {
    const t = (performance.now() - start) / 1000;
    for (const part of redraws(chunk.toString())) {
      seen.push({ t, text: part });
      if (until?.test(part) && !stopped) {
        stopped = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    }
  });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutS * 1000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const end = (performance.now() - start) / 1000;
  return { seen, code, end, stopped };
}

async function cli() {
  const args = process.argv.slice(2);
  const dash = args.indexOf('--');
  if (dash < 0 || dash === args.length - 1) {
    console.error('usage: tsx scripts/silent-gaps.ts [--until REGEX] [--timeout S] -- COMMAND...');
    process.exit(2);
  }
  const flags = args.slice(0, dash);
  const flag = (name: string) => (flags.includes(name) ? flags[flags.indexOf(name) + 1] : undefined);
  const until = flag('--until') === undefined ? undefined : new RegExp(flag('--until')!);
  const timeoutS = Number(flag('--timeout') ?? 1800);
  const command = args.slice(dash + 1);
  const { seen, code, end, stopped } = await measure(command, until, timeoutS);
  const sorted = gaps(seen, stopped ? undefined : end);
  const cut = (s: string) => (s.length > 90 ? s.slice(0, 87) + '...' : s);
  console.log(`${command.join(' ')}\n  exit ${code}${stopped ? ' (stopped on --until)' : ''}, ${end.toFixed(1)} s, ${seen.length} lines/redraws`);
  if (flags.includes('--all')) for (const s of seen) console.log(`  ${s.t.toFixed(2).padStart(7)} s  ${cut(s.text)}`);
  for (const g of sorted.slice(0, 5)) console.log(`  ${g.seconds.toFixed(2)} s  after "${cut(g.before)}"  before "${cut(g.after)}"`);
  console.log(JSON.stringify({ command: command.join(' '), exit: code, seconds: +end.toFixed(2), longestGap: sorted[0] ?? null }));
}

if (process.argv[1]?.endsWith('silent-gaps.ts')) await cli();
