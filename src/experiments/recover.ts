/**
 * Putting back what an earlier process left behind. Runs on every start of the CLI and the
 * daemon, and by `gameday recover`, before anything else: every fault the journal holds as
 * not restored is restored (an `intended` one too — restore is harmless without inject),
 * then every object still carrying a gameday marker is restored from the marker alone, then
 * runs left open by a dead process are closed as aborted. A run whose process is still alive
 * on this host is left alone: it restores its own faults.
 */
import { errorMessage, LockHeldError } from '../errors.js';
import { logger as rootLogger, type Logger } from '../log.js';
import { abortsTotal, leftoversRestoredTotal, runsTotal } from '../metrics.js';
import type { AnyFaultType, RestorePlan } from '../targets/types.js';
import { retry, type BackoffOptions } from './backoff.js';
import { disposeClients, makeCtx } from './ctx.js';
import type { Journal, RunRow } from './journal.js';
import { restoreFault, type RestoreSettings } from './restore.js';
import { hostname } from 'node:os';

export interface RecoverOptions {
  journal: Journal;
  restore: RestoreSettings;
  targets: Readonly<Record<string, unknown>>;
  faultTypes?: ReadonlyMap<string, AnyFaultType>;
  log?: Logger;
  /** Also look for markers on the objects (needs the targets reachable). Default true. */
  scanMarkers?: boolean;
  backoff?: Partial<BackoffOptions>;
}

export interface RecoverReport {
  restored: { faultId: string; type: string; target: string; source: 'journal' | 'marker' }[];
  failed: { faultId: string; type: string; target: string; error: string }[];
  closedRuns: string[];
  skippedLiveRuns: string[];
}

/** Whether a process with this pid is alive here. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run still being carried out by a live process on this host (not this one). */
export function isLive(run: RunRow): boolean {
  return run.state !== 'done' && run.pid !== process.pid && run.host === hostname() && pidAlive(run.pid);
}

/** Restores every leftover and closes dead runs. Never throws for one fault: failures are reported and stay recorded. */
export async function recoverLeftovers(options: RecoverOptions): Promise<RecoverReport> {
  const { journal } = options;
  const types = options.faultTypes ?? (await import('../targets/registry.js')).faultTypes;
  const log = (options.log ?? rootLogger).child({ component: 'recover' });
  const report: RecoverReport = { restored: [], failed: [], closedRuns: [], skippedLiveRuns: [] };
  // recovery holds the run lock, so no run starts (and marks objects) while it scans; when a
  // live run holds it, that run's faults are its own: its rows are skipped and no marker is touched
  const lockId = `recover-${process.pid}-${Date.now()}`;
  const holder = tryLock(journal, lockId);
  // clients built while recovering (SSH connections…) are closed when it ends
  const clients = new Map<string, unknown>();
  try {
    return await recoverUnderLock(options, types, log, report, holder, clients);
  } finally {
    disposeClients(clients, log);
    if (!holder) journal.releaseLock(lockId);
  }
}

/** Takes the run lock; returns undefined when taken, or the live run holding it. */
function tryLock(journal: Journal, lockId: string): string | undefined {
  try {
    journal.acquireLock({ runId: lockId });
    return undefined;
  } catch (err) {
    if (err instanceof LockHeldError) return journal.lockHolder()?.runId ?? 'unknown';
    throw err;
  }
}

async function recoverUnderLock(
  options: RecoverOptions,
  types: ReadonlyMap<string, AnyFaultType>,
  log: Logger,
  report: RecoverReport,
  lockHolder: string | undefined,
  clients: Map<string, unknown>,
): Promise<RecoverReport> {
  const { journal } = options;
  const open = new Map(journal.openRuns().map((r) => [r.id, r]));
  const live = new Set([...open.values()].filter(isLive).map((r) => r.id));
  if (lockHolder) live.add(lockHolder);
  report.skippedLiveRuns = [...live];
  const ctx = makeCtx('recover', log, new AbortController().signal, options.targets, clients);

  for (const row of journal.unrestoredFaults()) {
    if (live.has(row.runId)) continue;
    const fault = types.get(row.type);
    const target = row.target.id;
    if (!fault) {
      report.failed.push({ faultId: row.id, type: row.type, target, error: `unknown fault type ${row.type}` });
      log.error('leftover of an unknown fault type cannot be restored', { fault: row.id, type: row.type });
      continue;
    }
    log.warn('restoring leftover fault from the journal', { fault: row.id, type: row.type, target, status: row.status });
    try {
      await restoreFault(ctx, fault, row, journal, options.restore, open.get(row.runId)?.experiment ?? 'unknown', options.backoff);
      leftoversRestoredTotal.inc({ fault: row.type, source: 'journal' });
      report.restored.push({ faultId: row.id, type: row.type, target, source: 'journal' });
    } catch (err) {
      report.failed.push({ faultId: row.id, type: row.type, target, error: errorMessage(err) });
    }
  }

  if (lockHolder) log.warn('a run holds the run lock: its faults are left to it, and markers are not scanned', { run: lockHolder });
  else if (options.scanMarkers !== false) await restoreMarked(ctx, types, live, options, report, log);

  for (const run of open.values()) {
    if (live.has(run.id)) continue;
    const stillOpen = journal.unrestoredFaults().some((f) => f.runId === run.id);
    const outcome = stillOpen ? 'restore-failed' : 'aborted';
    journal.finishRun(run.id, outcome, { reason: `process ${run.pid} on ${run.host} ended during '${run.state}'; closed by recovery` });
    abortsTotal.inc({ experiment: run.experiment, reason: 'crash' });
    runsTotal.inc({ experiment: run.experiment, outcome });
    report.closedRuns.push(run.id);
    log.warn('closed a run left open by a dead process', { run: run.id, state: run.state, outcome });
  }
  return report;
}

/** Restores objects found carrying a marker, except those belonging to a live run. */
async function restoreMarked(
  ctx: ReturnType<typeof makeCtx>,
  types: ReadonlyMap<string, AnyFaultType>,
  live: ReadonlySet<string>,
  options: RecoverOptions,
  report: RecoverReport,
  log: Logger,
): Promise<void> {
  for (const fault of types.values()) {
    if (!fault.findLeftovers) continue;
    let plans: RestorePlan[];
    try {
      plans = await fault.findLeftovers(ctx);
    } catch (err) {
      log.warn('could not scan for leftover markers', { type: fault.type, error: errorMessage(err) });
      continue;
    }
    for (const plan of plans) {
      const runId = typeof plan.data === 'object' && plan.data && !Array.isArray(plan.data) ? plan.data['runId'] : undefined;
      if (typeof runId === 'string' && live.has(runId)) continue;
      try {
        await retry(() => fault.restore(ctx, plan), {
          attempts: options.restore.attempts,
          initialDelayMs: options.restore.initialDelayMs,
          maxDelayMs: options.restore.maxDelayMs,
          ...options.backoff,
          onError: (err, attempt) => log.error('restore from marker failed', { type: fault.type, target: plan.target.id, attempt, error: errorMessage(err) }),
        });
        leftoversRestoredTotal.inc({ fault: fault.type, source: 'marker' });
        report.restored.push({ faultId: typeof runId === 'string' ? runId : 'marker', type: fault.type, target: plan.target.id, source: 'marker' });
        log.warn('restored an object from its marker', { type: fault.type, target: plan.target.id });
      } catch (err) {
        report.failed.push({ faultId: 'marker', type: fault.type, target: plan.target.id, error: errorMessage(err) });
      }
    }
  }
}
