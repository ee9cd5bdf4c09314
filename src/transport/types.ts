/**
 * How a command reaches a host. A command is always an argument array; a transport that
 * needs a command line (SSH sends one string to the remote shell) builds it with
 * `quoteCommand`, which quotes every argument, so no argument is ever read as shell syntax.
 * Implementations: `ssh` (ssh2, one reused connection per host, host keys checked) and
 * `local` (a child process, optionally behind a prefix). A `kubectl-exec` transport would
 * implement the same interface.
 */

/** What a command did. `code` is null when it was ended by a signal. */
export interface CommandResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Wall time of the command, in ms (from send to exit). */
  ms: number;
}

/** What a failed command said (its stderr, else its stdout), or its exit status when it said nothing. */
export function commandFailure(result: CommandResult): string {
  return (result.stderr || result.stdout).trim() || `exit ${result.code ?? result.signal ?? '?'}`;
}

export interface RunOptions {
  /** Deadline of this command; default the transport's. On expiry the command is ended and a retryable TargetError thrown. */
  timeoutMs?: number;
  /** Bytes written to the command's stdin, then closed. */
  stdin?: string;
  signal?: AbortSignal;
}

/** One host's command runner. */
export interface Transport {
  /** The host as the config names it. */
  readonly host: string;
  /** Runs `argv` on the host. Throws a retryable TargetError when the host cannot be reached or the command times out. */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Closes any connection. Idempotent. */
  close(): void;
}

const PLAIN = /^[A-Za-z0-9_./:=,+@%-]+$/;

/** One argument as POSIX sh reads it back unchanged: plain words as they are, anything else single-quoted. */
export function quoteArg(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A command line for a remote shell, every argument quoted. */
export function quoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(quoteArg).join(' ');
}
