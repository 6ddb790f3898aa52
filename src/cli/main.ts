/** The vaekit command line: registers the commands and turns errors into messages and exit codes. */
import { Command, CommanderError } from 'commander';
import { VaekitError, type ErrorCode } from '../errors.js';
import { parseByteSize } from '../data/index.js';
import { VERSION } from '../version.js';
import { registerTrain } from './train.js';
import { registerEval } from './eval.js';
import { registerSummary } from './summary.js';
import { registerPresets } from './presets.js';
import { registerSample } from './sample.js';
import { registerReconstruct } from './reconstruct.js';
import { registerInterpolate } from './interpolate.js';
import { registerTraverse } from './traverse.js';
import { registerEmbed } from './embed.js';
import { registerManifold } from './manifold.js';
import { registerReport } from './report.js';
import { registerAnomaly } from './anomaly.js';
import { registerDenoise } from './denoise.js';
import { registerDecode, registerEncode } from './encode.js';
import { registerServe } from './serve.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { registerSweep } from './sweep.js';
import { registerCompare } from './compare.js';
import { registerDisentangle } from './disentangle.js';

/**
 * `--memory-budget SIZE` on every command that loads data from a flag: the most a data load may allocate; a file
 * over it is refused before anything is allocated (uncompressed .npy and IDX files are read example by example).
 * The parsed value reaches the command as its `memoryBudget` flag, which passes it to the loaders.
 */
function addMemoryBudget(cmd: Command): void {
  cmd.option('--memory-budget <size>', 'refuse data whose loading would allocate more than SIZE, e.g. 4GiB or 512MB (default: half of physical memory)', (v: string) => parseByteSize('--memory-budget', v));
}

/** Exit codes: 0 success, 1 internal error or a failed run (a NaN loss, a full disk), 2 usage or input error. */
function exitCodeFor(err: VaekitError): number {
  return err.code === 'numeric' || err.code === 'disk' ? 1 : 2;
}

/**
 * The program with every command registered, as `main` runs it; tests enumerate its commands from here.
 *
 * @example
 * const names = buildProgram().commands.map((c) => c.name());
 */
export function buildProgram(): Command {
  const program = new Command('vaekit')
    .description('autoencoders and variational autoencoders in TypeScript')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run vaekit --help or vaekit <command> --help)');
  const figureCommands = [registerSample, registerReconstruct, registerInterpolate, registerTraverse, registerEmbed, registerManifold, registerReport];
  const modelCommands = [registerAnomaly, registerDenoise, registerEncode, registerDecode];
  for (const register of [registerTrain, registerEval, registerSummary, registerPresets, ...figureCommands, ...modelCommands, registerExport, registerImport, registerServe, registerSweep, registerCompare, registerDisentangle]) register(program);
  for (const cmd of program.commands) {
    cmd.exitOverride();
    if (cmd.options.some((o) => o.long === '--data' || o.long === '--limit')) addMemoryBudget(cmd);
  }
  return program;
}

/**
 * Whether `argv` (as process.argv) gives `--json` to a command that has it, read from the words alone because a
 * parse error can stop commander before it reaches the flag. The first word names the command (vaekit's own options,
 * --help and --version, take no value); a word after `--` or the value of an option that takes one is not the flag.
 * `--json` before the command, or to a command without it, is an unknown option: a usage error in plain text.
 */
export function wantsJson(program: Command, argv: string[]): boolean {
  const [name, ...rest] = argv.slice(2);
  const cmd = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (!cmd || !cmd.options.some((o) => o.long === '--json')) return false;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    if (word === '--') return false;
    if (word === '--json') return true;
    const option = cmd.options.find((o) => o.long === word || o.short === word);
    // Commander takes the next word as a required value even when it starts with '-'; an optional one only when it does not.
    if (option?.required || (option?.optional && rest[i + 1] !== undefined && !rest[i + 1].startsWith('-'))) i++;
  }
  return false;
}

/** What a failed run reports: a stable code, a one-line message, the exit code and the line for stderr. */
export interface Failure {
  code: ErrorCode | 'internal';
  message: string;
  exitCode: number;
  /** What stderr gets: absent for commander's errors, which it has printed itself; an internal error's stack. */
  stderr?: string;
}

/**
 * Classifies anything `parseAsync` threw: commander's parse errors are `usage` (its message without the `error: `
 * prefix), a VaekitError (or an error caused by one) keeps its code, anything else is `internal`. Help and version,
 * which commander reports by throwing, are not failures: `undefined`.
 *
 * @example
 * failureOf(new UsageError("--epochs: '0' is not a positive integer")); // { code: 'usage', exitCode: 2, ... }
 */
export function failureOf(err: unknown): Failure | undefined {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return undefined;
    return { code: 'usage', message: oneLine(err.message.replace(/^error: /, '')), exitCode: 2 };
  }
  const cause = err instanceof Error && err.cause instanceof VaekitError ? err.cause : err;
  if (cause instanceof VaekitError) {
    return { code: cause.code, message: oneLine(cause.message), exitCode: exitCodeFor(cause), stderr: `vaekit: ${cause.message}` };
  }
  const message = err instanceof Error ? err.message : String(err);
  const stack = err instanceof Error ? (err.stack ?? message) : message;
  return { code: 'internal', message: oneLine(`internal error: ${message}`), exitCode: 1, stderr: `vaekit: internal error: ${stack}` };
}

/** A message on one line: commander puts a suggestion ("(Did you mean --epochs?)") on a line of its own. */
function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, ' ');
}

/**
 * Runs the CLI on `argv` (as process.argv) and returns the exit code; prints errors without stack traces (an internal
 * error's stack goes to stderr). Under --json, an error is also one line on stdout, `{"error":{"code","message"}}`,
 * so stdout is exactly one JSON object whether the command succeeds or fails.
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const failure = failureOf(err);
    if (!failure) return 0;
    if (failure.stderr !== undefined) process.stderr.write(failure.stderr + '\n');
    if (wantsJson(program, argv)) process.stdout.write(JSON.stringify({ error: { code: failure.code, message: failure.message } }) + '\n');
    return failure.exitCode;
  }
}

// bin/vaekit.js imports this module and calls main itself; run directly (tsx src/cli/main.ts), the module is the entry.
const isEntry = process.argv[1] !== undefined && /cli[\\/]main\.[tj]s$/.test(process.argv[1]);
if (isEntry) {
  process.exitCode = await main(process.argv);
}
