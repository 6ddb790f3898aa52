/** The vaekit command line: registers the commands and turns errors into messages and exit codes. */
import { Command, CommanderError } from 'commander';
import { VaekitError } from '../errors.js';
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

/**
 * `--memory-budget SIZE` on every command that loads data from a flag: the most a data load may allocate; a file
 * over it is refused before anything is allocated (uncompressed .npy and IDX files are read example by example).
 * The parsed value reaches the command as its `memoryBudget` flag, which passes it to the loaders.
 */
function addMemoryBudget(cmd: Command): void {
  cmd.option('--memory-budget <size>', 'refuse data whose loading would allocate more than SIZE, e.g. 4GiB or 512MB (default: half of physical memory)', (v: string) => parseByteSize('--memory-budget', v));
}

/** Exit codes: 0 success, 1 internal error or a failed run, 2 usage or input error. */
function exitCodeFor(err: VaekitError): number {
  return err.code === 'numeric' ? 1 : 2;
}

/**
 * Runs the CLI on `argv` (as process.argv) and returns the exit code; prints errors without stack traces.
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('vaekit')
    .description('autoencoders and variational autoencoders in TypeScript')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run vaekit --help or vaekit <command> --help)');
  const figureCommands = [registerSample, registerReconstruct, registerInterpolate, registerTraverse, registerEmbed, registerManifold, registerReport];
  const modelCommands = [registerAnomaly, registerDenoise, registerEncode, registerDecode];
  for (const register of [registerTrain, registerEval, registerSummary, registerPresets, ...figureCommands, ...modelCommands, registerExport, registerImport, registerServe]) register(program);
  for (const cmd of program.commands) {
    cmd.exitOverride();
    if (cmd.options.some((o) => o.long === '--data' || o.long === '--limit')) addMemoryBudget(cmd);
  }
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its own message; help and version are successes.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    const cause = err instanceof Error && err.cause instanceof VaekitError ? err.cause : err;
    if (cause instanceof VaekitError) {
      process.stderr.write(`vaekit: ${cause.message}\n`);
      return exitCodeFor(cause);
    }
    process.stderr.write(`vaekit: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && /vaekit(\.js)?$|cli[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  process.exitCode = await main(process.argv);
}
