/**
 * How research CLI commands speak. Every command ends with ONE result: by default a human table or line, with
 * `--json` a single JSON document on stdout (nothing else goes to stdout then, so `… --json | jq` always parses).
 * Running commentary (`say`) goes to stdout for people and to stderr under `--json`; progress bars are always on
 * stderr (`term.ts`). Errors go to stderr — as `{"error":{"message":…}}` under `--json` — with exit code 1.
 */

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const processIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

export class CliOutput {
  /** Set by a command whose result is a failure (e.g. a run that did not reproduce): the exit code becomes 1. */
  failed = false;
  private done = false;

  constructor(
    readonly json: boolean,
    readonly io: CliIo = processIo,
  ) {}

  /** Commentary while a command runs (human mode: stdout; `--json`: stderr). */
  say(line: string): void {
    (this.json ? this.io.stderr : this.io.stdout)(line.endsWith('\n') ? line : `${line}\n`);
  }

  /** The command's one result: `value` as JSON under `--json`, else `human(value)`. */
  result<T>(value: T, human: (v: T) => string): T {
    if (this.done) throw new Error('a command reports one result');
    this.done = true;
    if (this.json) this.io.stdout(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
    else {
      const text = human(value);
      if (text) this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
    }
    return value;
  }

  /** An error, on stderr (JSON under `--json`). */
  error(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.json) this.io.stderr(`${JSON.stringify({ error: { message } })}\n`);
    else this.io.stderr(`\nerror: ${message}\n`);
  }
}

/** Typed arrays and bigints as plain JSON (a Float64Array becomes an array, a bigint a number or string). */
function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  return v;
}
