/** How commands speak: human lines on stdout (or stderr under --json), one JSON object on stdout with --json. */

export interface Output {
  json: boolean;
  /** A human-readable line: stdout normally, stderr under --json so stdout stays one JSON object. */
  info(line: string): void;
  /** The command's result: printed as JSON under --json, otherwise by `human`. */
  result(value: unknown, human: () => void): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    info(line) {
      (json ? process.stderr : process.stdout).write(line + '\n');
    },
    result(value, human) {
      if (json) process.stdout.write(JSON.stringify(value) + '\n');
      else human();
    },
  };
}

/** Formats a number for tables: 4 significant digits, no exponent for ordinary magnitudes. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
  return x.toFixed(a >= 100 ? 2 : a >= 1 ? 3 : 4);
}
