/** The vaekit command line: registers the commands and turns errors into messages and exit codes. */
import { Command, CommanderError } from 'commander';
import { VaekitError, type ErrorCode } from '../errors.js';
import { parseByteSize } from '../data/index.js';
import { VERSION } from '../version.js';
import { stepLine } from './progress.js';

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

/** A command module's registration: adds its command (or commands) to the program. */
type Register = (program: Command) => void;

/**
 * The commands, in the order of `vaekit --help`: each one's usage and one-line description as the listing shows
 * them, and its module, imported only when the command runs, so that `vaekit --help` and each command load only what
 * they need (the models' modules bring the tensor library, seconds of start-up). The listing's text is checked
 * against what each module registers (test/lazy-commands.test.ts). A new command is one entry here.
 */
const COMMANDS: readonly { usage: string; description: string; load: () => Promise<Register> }[] = [
  { usage: 'train', description: 'train a model and write a run folder (config, metrics, checkpoints, model)', load: async () => (await import('./train.js')).registerTrain },
  { usage: 'eval <run>', description: "evaluate a run's model on its test set: ELBO terms, reconstruction error, active units; --nll adds the importance-sampled NLL", load: async () => (await import('./eval.js')).registerEval },
  { usage: 'summary <run>', description: "print a run's model: layers, output shapes, parameter counts", load: async () => (await import('./summary.js')).registerSummary },
  { usage: 'presets', description: 'list the presets (one per seed system)', load: async () => (await import('./presets.js')).registerPresets },
  { usage: 'sample <run>', description: 'decode draws z ~ N(0, I) from the prior: writes samples.png', load: async () => (await import('./sample.js')).registerSample },
  { usage: 'reconstruct <run>', description: 'test examples, their reconstructions and a transition between two of them: writes reconstructions.png. A conditional VAE reconstructs each example with its own label', load: async () => (await import('./reconstruct.js')).registerReconstruct },
  { usage: 'interpolate <run>', description: 'decode codes between the means of two test examples: writes interpolate-I-J.png. A conditional VAE encodes each example with its own label and decodes the path as one class', load: async () => (await import('./interpolate.js')).registerInterpolate },
  { usage: 'traverse <run>', description: 'latent traversal, rows are dimensions and columns values: writes traversal.png', load: async () => (await import('./traverse.js')).registerTraverse },
  { usage: 'embed <run>', description: 'scatter of the latent means of test examples (projected to 2-D if needed): writes latent[-METHOD].png. A conditional VAE encodes each example with its own label', load: async () => (await import('./embed.js')).registerEmbed },
  { usage: 'manifold <run>', description: 'decode a grid of codes over a 2-D latent space: writes manifold.png', load: async () => (await import('./manifold.js')).registerManifold },
  { usage: 'report <run>', description: "rebuild a run's report.html: config, metrics table and every figure in the run folder", load: async () => (await import('./report.js')).registerReport },
  { usage: 'anomaly <run>', description: "score examples by how badly a run's model explains them; flag those above a threshold; ROC AUC when labels mark anomalies", load: async () => (await import('./anomaly.js')).registerAnomaly },
  { usage: 'denoise <run>', description: "corrupt examples with noise and reconstruct them with a run's model: PSNR and SSIM of the noisy and the denoised examples against the clean ones, and a figure", load: async () => (await import('./denoise.js')).registerDenoise },
  { usage: 'encode <run>', description: 'compress examples to latent codes: the encoder\'s means as a float32 .npy [n, L]; reports the compression ratio and the reconstruction error. A conditional VAE also writes the labels it encoded with, OUT.labels.npy; a VQ-VAE prints its codebook indices and writes them to OUT.indices.npy', load: async () => (await import('./encode.js')).registerEncode },
  { usage: 'decode <run>', description: 'decode latent codes (a .npy [n, L], e.g. from vaekit encode) to data: decoded.npy [n, ...shape] and, for images, decoded.png', load: async () => (await import('./encode.js')).registerDecode },
  { usage: 'export <run>', description: "write a run's model as ONNX (encoder.onnx, decoder.onnx) or PyTorch (model.safetensors + vaekit_model.py)", load: async () => (await import('./export.js')).registerExport },
  { usage: 'import <file>', description: 'read a safetensors file (from vaekit export --format pytorch, maybe fine-tuned) into a run folder', load: async () => (await import('./import.js')).registerImport },
  { usage: 'serve [run]', description: "serve the browser lab on 127.0.0.1 with RUN's model (default: the bundled MNIST model); builds the page if needed", load: async () => (await import('./serve.js')).registerServe },
  { usage: 'sweep', description: 'train a grid over one or two config keys, each run a run folder under one sweep folder; rerun to continue a stopped sweep', load: async () => (await import('./sweep.js')).registerSweep },
  { usage: 'compare <runs...>', description: 'set runs side by side in one HTML page: config differences, final metrics, loss curves, reconstructions, samples, latent maps', load: async () => (await import('./compare.js')).registerCompare },
  { usage: 'disentangle <run>', description: "disentanglement metrics of a run's encoder mean on data with known factors: beta-VAE and FactorVAE scores, MIG, SAP, DCI, modularity; writes disentanglement.json, the factor x code mutual-information heat map and a traversal per factor into the run's report", load: async () => (await import('./disentangle.js')).registerDisentangle },
];

/** A command's name: the first word of its usage. */
const nameOf = (usage: string) => usage.split(' ')[0];

/** The names of every command, in the order of `vaekit --help`. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => nameOf(c.usage));

/**
 * The program as `main` runs it: the commands in `load` (default all) imported and registered in full, every other
 * one as its usage and description only, enough for `vaekit --help` and commander's "did you mean". Tests enumerate
 * the full commands from here.
 *
 * @example
 * const names = (await buildProgram()).commands.map((c) => c.name());
 */
export async function buildProgram(load: readonly string[] = COMMAND_NAMES): Promise<Command> {
  const program = new Command('vaekit')
    .description('autoencoders and variational autoencoders in TypeScript')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run vaekit --help or vaekit <command> --help)');
  const registers = await Promise.all(COMMANDS.map((c) => (load.includes(nameOf(c.usage)) ? c.load() : undefined)));
  COMMANDS.forEach((c, i) => (registers[i] ? registers[i](program) : program.command(c.usage).description(c.description)));
  for (const cmd of program.commands) {
    cmd.exitOverride();
    if (cmd.options.some((o) => o.long === '--data' || o.long === '--limit')) addMemoryBudget(cmd);
  }
  return program;
}

/** The command `argv` (as process.argv) runs, for `vaekit NAME ...` and `vaekit help NAME`; undefined for vaekit's own help, version or an unknown word. */
export function commandIn(argv: readonly string[]): string | undefined {
  const [first, second] = argv.slice(2);
  const name = first === 'help' ? second : first;
  return name !== undefined && COMMAND_NAMES.includes(name) ? name : undefined;
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
  const name = commandIn(argv);
  const words = argv.slice(2);
  // A command's modules take seconds to load: say so on a terminal, unless the run only prints help or JSON.
  const quiet = name === undefined || words.some((w) => w === '--json' || w === '--help' || w === '-h') || words[0] === 'help';
  // bin/vaekit.js may have written the first line already: this one replaces it, or clears it when quiet.
  if (quiet && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const loading = quiet ? { done() {} } : stepLine(`vaekit ${name}: loading`, { tick: true });
  const program = await buildProgram(name === undefined ? [] : [name]).finally(() => loading.done());
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

const isEntry = process.argv[1] !== undefined && /vaekit(\.js)?$|cli[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  // A reader that goes away (`vaekit presets | head -3`, or the parent of a training that stopped) ends the command
  // quietly at its next line of output rather than with an EPIPE stack trace; a training keeps its checkpoints up to
  // the last epoch, for --resume.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  process.exitCode = await main(process.argv);
}
