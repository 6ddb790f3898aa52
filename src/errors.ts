/** Typed errors a user can cause: each has a stable `code`, a message naming the file or flag, and an exit code. */

/** Stable error codes; the CLI maps `usage` and `input` errors to exit code 2. */
export type ErrorCode =
  | 'usage' // a flag or config value out of range or unknown
  | 'input' // a data file that is missing, unreadable or malformed
  | 'model' // a model or run folder that is missing, malformed or incompatible
  | 'numeric' // a NaN or Inf loss stopped training
  | 'locked' // another process is training into the same run folder
  | 'disk'; // the disk (or the user's quota) filled up while a file was written

/**
 * An error the user can fix. The CLI prints `message` without a stack trace.
 *
 * @example
 * throw new VaekitError('input', `${path}: expected IDX magic 0x00000803, found 0x${magic.toString(16)}`);
 */
export class VaekitError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'VaekitError';
    this.code = code;
  }
}

/** A data file that cannot be read as what it claims to be. */
export class DataError extends VaekitError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('input', `${file}: ${message}`);
    this.name = 'DataError';
    this.file = file;
  }
}

/** A flag or config value that is out of range or unknown. */
export class UsageError extends VaekitError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** A model or run folder that cannot be loaded. */
export class ModelError extends VaekitError {
  constructor(message: string) {
    super('model', message);
    this.name = 'ModelError';
  }
}

/**
 * A write that failed because the disk or the user's quota is full (ENOSPC, EDQUOT). The message names the file and
 * what to do; whatever was being written has been removed, so freeing space is all a retry needs.
 */
export class DiskFullError extends VaekitError {
  readonly file: string;
  constructor(file: string, advice = 'free space and run the command again') {
    super('disk', `disk full while writing ${file}: ${advice}`);
    this.name = 'DiskFullError';
    this.file = file;
  }
}

/**
 * An error's message as one short line, for quoting inside a message of ours: V8's JSON.parse errors quote the text
 * around the fault, newlines included, and would otherwise break the one-line rule.
 *
 * @example
 * throw new ModelError(`${file}: not valid JSON (${oneLineReason(err)})`);
 */
export function oneLineReason(err: unknown): string {
  const text = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
