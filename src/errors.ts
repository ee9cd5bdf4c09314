/**
 * gameday's error hierarchy. Fault and probe code throws these; only the runner catches,
 * per step, and turns them into journal records. Every error keeps its `cause`.
 */

/** Root of every error gameday raises on purpose. */
export class GamedayError extends Error {
  override readonly name: string = 'GamedayError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One problem in a file or body, with its position when known (1-based line and column). */
export interface PositionedIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

/** Renders an issue as `file:line:col path: message` (the form every bad-input error uses). */
export function formatIssue(issue: PositionedIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where} ${issue.message}`;
}

/** Bad input (experiment file, config, CLI arguments, API body): lists every problem, never the first only. */
export class ExperimentInvalidError extends GamedayError {
  override readonly name: string = 'ExperimentInvalidError';
  readonly issues: PositionedIssue[];
  constructor(issues: PositionedIssue[], options?: { cause?: unknown }) {
    super(issues.map(formatIssue).join('\n'), options);
    this.issues = issues;
  }
}

/** Invalid configuration file: same shape as an invalid experiment. */
export class ConfigInvalidError extends ExperimentInvalidError {
  override readonly name: string = 'ConfigInvalidError';
}

/** A call to a target system failed. `retryable` says whether the same call may succeed later. */
export class TargetError extends GamedayError {
  override readonly name: string = 'TargetError';
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  constructor(
    message: string,
    options: { retryable: boolean; status?: number; requestId?: string; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.status = options.status;
    this.requestId = options.requestId;
  }
}

/** A safety rule refused the run before anything was injected. */
export class SafetyRefusedError extends GamedayError {
  override readonly name: string = 'SafetyRefusedError';
}

/** Restore gave up after its attempts; the fault stays recorded as not restored and is retried later. */
export class RestoreFailedError extends GamedayError {
  override readonly name: string = 'RestoreFailedError';
  readonly attempts: number;
  constructor(message: string, attempts: number, options?: { cause?: unknown }) {
    super(message, options);
    this.attempts = attempts;
  }
}

/** The run was stopped on purpose (breach, halt, signal); `reason` is what the journal records. */
export class RunAbortedError extends GamedayError {
  override readonly name: string = 'RunAbortedError';
  readonly reason: AbortReason;
  constructor(reason: AbortReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export type AbortReason = 'breach' | 'probe-error' | 'halt' | 'signal' | 'error' | 'safety' | 'crash';

/** Another run holds the one-run-at-a-time lock. */
export class LockHeldError extends GamedayError {
  override readonly name: string = 'LockHeldError';
}

/** Short message of any thrown value, for records and logs. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
