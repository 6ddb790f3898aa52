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
 * Why a write failed, from its errno: the disk or the user's quota is full (ENOSPC, EDQUOT), no permission (EACCES,
 * EPERM), a read-only file system (EROFS), or the disk failing (EIO).
 */
export type WriteFault = 'full' | 'permission' | 'read-only' | 'io';

/** Each fault in words, and what the person can do about it. */
const WRITE_FAULTS: Record<WriteFault, { what: string; remedy: string }> = {
  full: { what: 'disk full', remedy: 'free space' },
  permission: { what: 'permission denied', remedy: 'make the folder writable or write elsewhere' },
  'read-only': { what: 'read-only file system', remedy: 'write to a writable folder' },
  io: { what: 'I/O error', remedy: 'check the disk' },
};

/**
 * A write that failed for a reason of the file system, not of vaekit (see {@link WriteFault}). The message names the
 * fault, the file and what to do; whatever was being written has been removed, so fixing the cause is all a retry
 * needs.
 *
 * @example
 * throw new WriteFaultError('runs/a/config.json', 'read-only');
 * // read-only file system while writing runs/a/config.json: write to a writable folder and run the command again
 */
export class WriteFaultError extends VaekitError {
  readonly file: string;
  readonly fault: WriteFault;
  constructor(file: string, fault: WriteFault, advice?: string) {
    const { what, remedy } = WRITE_FAULTS[fault];
    super('disk', `${what} while writing ${file}: ${advice ?? `${remedy} and run the command again`}`);
    this.name = 'WriteFaultError';
    this.file = file;
    this.fault = fault;
  }

  /** What the person can do ('free space'), for a caller that words its own advice around it. */
  get remedy(): string {
    return WRITE_FAULTS[this.fault].remedy;
  }

  /** The same fault named by another file (the folder a temporary file was for) or with other advice. */
  with({ file = this.file, advice }: { file?: string; advice?: string }): WriteFaultError {
    return this.fault === 'full' ? new DiskFullError(file, advice) : new WriteFaultError(file, this.fault, advice);
  }
}

/** A write refused for lack of room, the disk's or the user's quota (ENOSPC, EDQUOT): the commonest {@link WriteFaultError}. */
export class DiskFullError extends WriteFaultError {
  constructor(file: string, advice?: string) {
    super(file, 'full', advice);
    this.name = 'DiskFullError';
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
