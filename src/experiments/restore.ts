/**
 * Restoring one fault: the fault type's `restore` with the plan from the journal, retried
 * with capped exponential backoff and jitter. Every attempt is written to the journal and
 * counted; every failed attempt is an error log line. Success marks the fault restored.
 * A restore never looks at the run's abort signal: once begun, it is carried through.
 */
import { errorMessage, RestoreFailedError } from '../errors.js';
import { faultActive, restoreAttemptsTotal, restoreFailuresTotal } from '../metrics.js';
import type { AnyFaultType, Ctx } from '../targets/types.js';
import { retry, type BackoffOptions } from './backoff.js';
import type { FaultRow, Journal } from './journal.js';

export interface RestoreSettings {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Restores `row` through `fault`; resolves when restored, throws RestoreFailedError after the last attempt. */
export async function restoreFault(
  ctx: Ctx,
  fault: AnyFaultType,
  row: FaultRow,
  journal: Journal,
  settings: RestoreSettings,
  experiment: string,
  backoff: Partial<BackoffOptions> = {},
): Promise<void> {
  const log = ctx.log.child({ fault: row.id, type: row.type, target: row.target.id });
  // bookkeeping must never stop a restore: a journal write that fails is logged, and the
  // fault, still recorded as not restored, is restored again (harmlessly) at the next start
  const note = (what: string, write: () => void): void => {
    try {
      write();
    } catch (err) {
      log.error('journal write failed during restore', { what, error: errorMessage(err) });
    }
  };
  try {
    await retry(
      async () => {
        await fault.restore(ctx, row.plan);
        note('restore attempt', () => journal.recordRestoreAttempt(row.id, null));
        restoreAttemptsTotal.inc({ fault: row.type, result: 'ok' });
      },
      {
        attempts: settings.attempts,
        initialDelayMs: settings.initialDelayMs,
        maxDelayMs: settings.maxDelayMs,
        ...backoff,
        onError: (err, attempt, nextDelayMs) => {
          note('restore attempt', () => journal.recordRestoreAttempt(row.id, errorMessage(err)));
          restoreAttemptsTotal.inc({ fault: row.type, result: 'error' });
          log.error('restore attempt failed', { attempt, of: settings.attempts, nextDelayMs, error: errorMessage(err) });
        },
      },
    );
  } catch (err) {
    restoreFailuresTotal.inc({ fault: row.type });
    log.error('restore gave up; the fault stays recorded and is retried by `gameday recover` and at next start', {
      attempts: settings.attempts,
      error: errorMessage(err),
    });
    throw new RestoreFailedError(
      `restore of ${row.type} on ${row.target.id} failed ${settings.attempts} times: ${errorMessage(err)}`,
      settings.attempts,
      { cause: err },
    );
  }
  note('restored', () => journal.markRestored(row.id));
  faultActive.set({ experiment, fault: row.type, target: row.target.name }, 0);
  log.info('fault restored');
}
