/**
 * --json on every command: stdout is exactly one JSON object, success or error. For every command registered on the
 * program main() runs, a bad flag (unknown, a checked value that does not parse, a missing argument) prints one line
 * `{"error":{"code","message"}}` on stdout with the exit code and the message of the same run without --json.
 * Commands run in-process.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Command, Option } from 'commander';
import { VaekitError } from '../src/errors.js';
import { buildProgram, failureOf, wantsJson } from '../src/cli/main.js';
import { runCli, tempDir } from './helpers.js';

const tmp = tempDir('json-output');
const dir = tmp.dir;
afterAll(() => tmp.remove());

const commands: readonly Command[] = (await buildProgram()).commands;
const argv = (...words: string[]) => ['node', 'vaekit', ...words];

/** The error a flag's own parser throws for `value`, if it throws a VaekitError: a value checked up front. */
function rejects(option: Option, value: string): VaekitError | undefined {
  if (!option.parseArg || !option.required) return undefined;
  try {
    option.parseArg(value, undefined);
  } catch (err) {
    if (err instanceof VaekitError) return err;
    throw err;
  }
  return undefined;
}

/**
 * Runs `args` with and without --json and checks the --json run: the same non-zero exit code, stdout exactly one line
 * holding one object `{ error: { code, message } }`, the message the plain run printed; returns that object.
 */
async function expectJsonError(args: string[], code: string): Promise<{ code: string; message: string }> {
  const plain = await runCli(dir, ...args.filter((a) => a !== '--json'));
  const json = await runCli(dir, ...args);
  expect(plain.code, plain.stderr).not.toBe(0);
  expect(json.code, 'exit code under --json').toBe(plain.code);
  expect(plain.stdout, 'nothing on stdout without --json').toBe('');
  expect(json.stdout.endsWith('\n') && json.stdout.indexOf('\n') === json.stdout.length - 1, `one line: ${json.stdout}`).toBe(true);
  const body = JSON.parse(json.stdout);
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).not.toMatch(/\n/);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(plain.stderr, 'the plain run printed the same message').toContain(body.error.message);
  return body.error;
}

describe('--json on every registered command', () => {
  it('the program registers commands, each with --json', () => {
    expect(commands.length).toBeGreaterThan(10);
    for (const cmd of commands) expect(cmd.options.map((o) => o.long), cmd.name()).toContain('--json');
  });

  describe.each(commands.map((c) => [c.name(), c] as const))('%s', (name, cmd) => {
    // Commander checks a command's mandatory options (--data of encode, --format of export) before unknown options
    // and arguments: without them, that is the error the parse stops at.
    const mandatory = cmd.options.find((o) => o.mandatory);
    const orMandatory = (message: string) => (mandatory ? `required option '${mandatory.flags}' not specified` : message);

    it('an unknown option, --json after it or before it', async () => {
      const after = await expectJsonError([name, '--no-such-flag', '--json'], 'usage');
      expect(after.message).toBe(orMandatory("unknown option '--no-such-flag'"));
      const before = await expectJsonError([name, '--json', '--no-such-flag'], 'usage');
      expect(before.message).toBe(orMandatory("unknown option '--no-such-flag'"));
    });

    it('a flag without its value', async () => {
      const option = cmd.options.find((o) => o.required);
      if (!option) return;
      const error = await expectJsonError([name, '--json', option.long!], 'usage');
      expect(error.message).toContain(`option '${option.flags}' argument missing`);
    });

    // Every flag whose value is checked as it is parsed (numbers, sizes, lists, names): a value it refuses.
    const checked: [string, VaekitError][] = cmd.options.flatMap((o) => {
      const error = rejects(o, 'abc');
      return error ? [[o.long!, error] as [string, VaekitError]] : [];
    });
    if (checked.length) {
      it.each(checked)('a bad value for %s', async (flag, expected) => {
        const error = await expectJsonError([name, flag, 'abc', '--json'], expected.code);
        expect(error.message).toBe(expected.message);
      });
    }

    it('a missing required argument', async () => {
      if (!cmd.registeredArguments.some((a) => a.required)) return;
      const error = await expectJsonError([name, '--json'], 'usage');
      expect(error.message).toMatch(mandatory ? /^required option '.*' not specified$/ : /^missing required argument/);
    });
  });

  it('numeric flags are among the checked ones (the test above is not vacuous)', () => {
    const train = commands.find((c) => c.name() === 'train')!;
    const epochs = train.options.find((o) => o.long === '--epochs')!;
    expect(rejects(epochs, 'abc')?.message).toBe("--epochs: 'abc' is not a positive integer");
  });
});

describe('errors past parsing under --json', () => {
  it('a run folder that does not exist: its own code and exit code', async () => {
    const error = await expectJsonError(['summary', 'no-such-run', '--json'], 'model');
    expect(error.message).toContain('no-such-run');
  });

  it('an internal error is code internal, exit 1, its message on one line', () => {
    const failure = failureOf(new TypeError('boom\nsecond line'));
    expect(failure).toMatchObject({ code: 'internal', message: 'internal error: boom second line', exitCode: 1 });
    expect(failure!.stderr).toMatch(/^vaekit: internal error: TypeError: boom/);
  });

  it('an error caused by a VaekitError keeps its code; a numeric one exits 1', () => {
    const cause = new VaekitError('numeric', 'NaN loss at epoch 3');
    expect(failureOf(new Error('wrapped', { cause }))).toMatchObject({ code: 'numeric', message: 'NaN loss at epoch 3', exitCode: 1 });
  });
});

describe('the installed command, a process of its own', () => {
  it('bin/vaekit.js train --epochs abc --json: one JSON line on stdout, exit 2', () => {
    const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');
    const r = spawnSync(process.execPath, [bin, 'train', '--epochs', 'abc', '--json'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe(JSON.stringify({ error: { code: 'usage', message: "--epochs: 'abc' is not a positive integer" } }) + '\n');
    expect(r.stderr).toContain("vaekit: --epochs: 'abc' is not a positive integer");
  }, 60_000);
});

const program = await buildProgram();
describe('wantsJson reads --json anywhere after a command that has it', () => {
  it.each([
    [['train', '--json'], true],
    [['train', '--epochs', '3', '--json', '--latent', '2'], true],
    [['eval', 'runs/a', '--json'], true],
    [['train', '--out', '--json'], false], // the value of --out
    [['train', '--', '--json'], false], // an operand
    [['--json', 'train'], false], // before the command: commander's unknown option, in plain text
    [['no-such-command', '--json'], false],
    [['train'], false],
  ] as const)('%j -> %s', (words, expected) => {
    expect(wantsJson(program, argv(...words))).toBe(expected);
  });
});

describe('success under --json', () => {
  it('presets --json prints exactly one JSON object, not an error', async () => {
    const r = await runCli(dir, 'presets', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.indexOf('\n')).toBe(r.stdout.length - 1);
    const body = JSON.parse(r.stdout);
    expect(typeof body).toBe('object');
    expect(body).not.toHaveProperty('error');
  });
});
