/**
 * The journal: the durable record of every run (its state, steps, probe checks and faults),
 * the one-run-at-a-time lock and the halt switch, in one SQLite file that every gameday
 * process of a host shares (a CLI `run`, a second CLI doing `halt`, the daemon).
 *
 * Rules it keeps:
 * - Every method has committed, with a full sync, when it returns. In particular a fault
 *   is on disk as `intended`, with its restore plan, before the caller may inject it, so a
 *   crash at any later instant leaves what is needed to undo it.
 * - A fault only moves forward: intended → injected → restored, or intended → restored.
 *   A restored fault never goes back.
 * - A finished run (`done`) is final: its state and outcome are never rewritten.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, existsSync, openSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { errorMessage, GamedayError, LockHeldError } from '../errors.js';
import type { RestorePlan, TargetRef } from '../targets/types.js';
import { faultFrom, num, numOrNull, oneOf, prepareConnection, probeFrom, runFrom, stepFrom, text, textOrNull, type Row } from './journal-schema.js';
import {
  FAULT_STATUSES,
  type FaultRow,
  type FaultStatus,
  type HaltState,
  type JournalOptions,
  type ListRunsOptions,
  type LockHolder,
  type NewFault,
  type NewRun,
  type Outcome,
  type RunDetail,
  type RunRow,
  type RunState,
  type StepRecord,
  type ProbeRecord,
} from './journal-types.js';

export * from './journal-types.js';

/** Default age after which a lock holder that stopped heartbeating is presumed dead. */
export const LOCK_STALE_AFTER_MS = 30_000;

/** The durable run store. Synchronous: every write is committed when the call returns. */
export class Journal {
  /** The file, as given to `open`. */
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #host = hostname();
  readonly #statements = new Map<string, StatementSync>();

  private constructor(path: string, db: DatabaseSync, now: () => number) {
    this.path = path;
    this.#db = db;
    this.#now = now;
  }

  /**
   * Opens (creating it and its parent directories if needed) and migrates the journal at
   * `path`. Any number of connections, in any processes, may be open on one file. Refuses a
   * file written by a newer gameday, or one that is not a gameday journal, without changing it.
   */
  static open(path: string, options: JournalOptions = {}): Journal {
    let db: DatabaseSync | undefined;
    try {
      if (path !== ':memory:') {
        mkdirSync(dirname(path), { recursive: true });
        // restore plans can hold what was on the objects (a pod's env): owner-only, created so
        // (SQLite gives its -wal and -shm files the database file's mode)
        if (!existsSync(path)) closeSync(openSync(path, 'wx', 0o600));
      }
      db = new DatabaseSync(path, { timeout: 5000 });
      prepareConnection(db, path);
    } catch (err) {
      if (db?.isOpen) db.close();
      if (err instanceof GamedayError) throw err;
      throw new GamedayError(`cannot open journal ${path}: ${errorMessage(err)}`, { cause: err });
    }
    return new Journal(path, db, options.now ?? Date.now);
  }

  /** Closes the connection. Idempotent; every later call on this object throws. */
  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }

  // ---- runs ------------------------------------------------------------------------------

  /** Records a new run in state `planned`, owned by this process (pid, host). */
  createRun(run: NewRun): RunRow {
    const startedAt = epochMs(run.startedAt ?? this.#now(), 'startedAt');
    const spec = toJson(run.spec, `spec of run ${run.id}`);
    this.#write(`run ${run.id}`, () =>
      this.#run(
        `INSERT INTO runs (id, experiment, file, state, dry_run, started_at, pid, host, spec)
         VALUES (?, ?, ?, 'planned', ?, ?, ?, ?, ?)`,
        run.id,
        run.experiment,
        run.file,
        run.dryRun ? 1 : 0,
        startedAt,
        process.pid,
        this.#host,
        spec,
      ),
    );
    return {
      id: run.id,
      experiment: run.experiment,
      file: run.file,
      state: 'planned',
      outcome: null,
      reason: null,
      dryRun: run.dryRun,
      startedAt,
      endedAt: null,
      recoveryMs: null,
      pid: process.pid,
      host: this.#host,
      spec: JSON.parse(spec) as unknown,
    };
  }

  /**
   * Moves a run to `state`, committed before the run's next step starts. Any order is
   * accepted except: `done` is reached only through `finishRun`, and a done run never moves.
   */
  setRunState(runId: string, state: RunState): void {
    if (state === 'done') throw new GamedayError(`run ${runId}: state done is set by finishRun, with an outcome`);
    const changes = this.#run(`UPDATE runs SET state = ? WHERE id = ? AND state <> 'done'`, state, runId);
    if (changes === 0) this.#refuseRunChange(runId);
  }

  /** Ends a run: state `done` with its outcome. Once only: a second call throws and changes nothing. */
  finishRun(runId: string, outcome: Outcome, fields: { reason?: string; recoveryMs?: number; endedAt?: number } = {}): void {
    const endedAt = epochMs(fields.endedAt ?? this.#now(), 'endedAt');
    const changes = this.#run(
      `UPDATE runs SET state = 'done', outcome = ?, reason = ?, recovery_ms = ?, ended_at = ?
       WHERE id = ? AND state <> 'done'`,
      outcome,
      fields.reason ?? null,
      fields.recoveryMs ?? null,
      endedAt,
      runId,
    );
    if (changes === 0) this.#refuseRunChange(runId);
  }

  /** Appends a step record to its run (which must exist). */
  recordStep(step: StepRecord): void {
    this.#write(`step ${step.step} of run ${step.runId}`, () =>
      this.#run(
        `INSERT INTO steps (run_id, step, status, started_at, ended_at, duration_ms, detail, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        step.runId,
        step.step,
        step.status,
        epochMs(step.start, 'start'),
        epochMs(step.end, 'end'),
        step.durationMs,
        step.detail ?? null,
        step.error ?? null,
      ),
    );
  }

  /** Appends a probe check to its run (which must exist). */
  recordProbe(probe: ProbeRecord): void {
    this.recordProbes([probe]);
  }

  /** Records the checks of one probe round in one transaction (one commit, not one per check). */
  recordProbes(probes: readonly ProbeRecord[]): void {
    if (!probes.length) return;
    this.#write(`${probes.length} probe result(s) of run ${probes[0]!.runId}`, () =>
      this.#immediate(() => {
        for (const probe of probes) this.#insertProbe(probe);
      }),
    );
  }

  #insertProbe(probe: ProbeRecord): void {
    this.#run(
      `INSERT INTO probes (run_id, phase, probe, type, status, value, detail, at, ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      probe.runId,
      probe.phase,
      probe.probe,
      probe.type,
      probe.status,
      JSON.stringify(probe.value ?? null),
      probe.detail,
      epochMs(probe.at, 'at'),
      probe.ms,
    );
  }

  // ---- faults ----------------------------------------------------------------------------

  /**
   * Writes a fault, status `intended`, with its restore plan. Committed and synced when it
   * returns: only then may the caller inject. Returns the row as stored.
   */
  intendFault(fault: NewFault): FaultRow {
    const intendedAt = epochMs(this.#now(), 'intendedAt');
    const target = toJson(fault.target, `target of fault ${fault.id}`);
    const plan = toJson(fault.plan, `restore plan of fault ${fault.id}`);
    this.#write(`fault ${fault.id} of run ${fault.runId}`, () =>
      this.#run(
        `INSERT INTO faults (id, run_id, type, target, plan, status, intended_at) VALUES (?, ?, ?, ?, ?, 'intended', ?)`,
        fault.id,
        fault.runId,
        fault.type,
        target,
        plan,
        intendedAt,
      ),
    );
    return {
      id: fault.id,
      runId: fault.runId,
      type: fault.type,
      target: JSON.parse(target) as TargetRef,
      plan: JSON.parse(plan) as RestorePlan,
      status: 'intended',
      intendedAt,
      injectedAt: null,
      restoredAt: null,
      attempts: 0,
      lastError: null,
    };
  }

  /**
   * Records that the injection was made: `intended` → `injected`. Returns true when the fault
   * is (now or already) `injected`. Returns false, changing nothing, when it was already
   * `restored` (a halt or abort restored it while the inject call was in flight): the change
   * may have landed after that restore, so the caller must restore again (restore is idempotent).
   */
  markInjected(faultId: string): boolean {
    const changes = this.#run(
      `UPDATE faults SET status = 'injected', injected_at = ? WHERE id = ? AND status = 'intended'`,
      epochMs(this.#now(), 'injectedAt'),
      faultId,
    );
    if (changes > 0) return true;
    return this.#faultStatus(faultId) === 'injected';
  }

  /** Records that the fault is undone. Idempotent: a second call keeps the first `restoredAt`. */
  markRestored(faultId: string): void {
    const changes = this.#run(
      `UPDATE faults SET status = 'restored', restored_at = ? WHERE id = ? AND status <> 'restored'`,
      epochMs(this.#now(), 'restoredAt'),
      faultId,
    );
    if (changes === 0) this.#faultStatus(faultId);
  }

  /** Counts one restore attempt; `error` null for a successful attempt (clears the last error). */
  recordRestoreAttempt(faultId: string, error: string | null): void {
    const changes = this.#run(`UPDATE faults SET attempts = attempts + 1, last_error = ? WHERE id = ?`, error, faultId);
    if (changes === 0) throw new GamedayError(`unknown fault ${faultId}`);
  }

  /** Every fault not yet `restored`, across all runs, oldest first: what must be undone before anything else runs. */
  unrestoredFaults(): FaultRow[] {
    return this.#all(
      `SELECT * FROM faults WHERE status IN ('intended', 'injected') ORDER BY intended_at, seq`,
    ).map(faultFrom);
  }

  /** Runs not `done` (still running, or left by a crash), oldest first. */
  openRuns(): RunRow[] {
    return this.#all(`SELECT * FROM runs WHERE state <> 'done' ORDER BY started_at, id`).map(runFrom);
  }

  /** Runs, newest first, optionally of one experiment or outcome, at most `limit`. */
  listRuns(options: ListRunsOptions = {}): RunRow[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (options.experiment !== undefined) {
      where.push('experiment = ?');
      params.push(options.experiment);
    }
    if (options.outcome !== undefined) {
      where.push('outcome = ?');
      params.push(options.outcome);
    }
    let sql = 'SELECT * FROM runs';
    if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
    sql += ' ORDER BY started_at DESC, id DESC';
    if (options.limit !== undefined) {
      if (!Number.isInteger(options.limit) || options.limit < 0) {
        throw new GamedayError(`listRuns: limit must be a whole number ≥ 0, got ${options.limit}`);
      }
      sql += ' LIMIT ?';
      params.push(options.limit);
    }
    return this.#all(sql, ...params).map(runFrom);
  }

  /**
   * A run with its steps, probes and faults, by exact id or by a prefix matching exactly one
   * run. Undefined when nothing matches; an ambiguous prefix throws, listing the candidates.
   */
  getRun(idOrPrefix: string): RunDetail | undefined {
    let row = this.#get('SELECT * FROM runs WHERE id = ?', idOrPrefix);
    if (!row && idOrPrefix !== '') {
      const matches = this.#all(
        `SELECT * FROM runs WHERE id >= ? AND substr(id, 1, length(?)) = ? ORDER BY started_at DESC, id DESC`,
        idOrPrefix,
        idOrPrefix,
        idOrPrefix,
      );
      if (matches.length > 1) throw ambiguous(idOrPrefix, matches.map((m) => text(m, 'id')));
      row = matches[0];
    }
    if (!row) return undefined;
    const run = runFrom(row);
    return {
      run,
      steps: this.#all('SELECT * FROM steps WHERE run_id = ? ORDER BY seq', run.id).map(stepFrom),
      probes: this.#all('SELECT * FROM probes WHERE run_id = ? ORDER BY seq', run.id).map(probeFrom),
      faults: this.#all('SELECT * FROM faults WHERE run_id = ? ORDER BY intended_at, seq', run.id).map(faultFrom),
    };
  }

  // ---- one run at a time -----------------------------------------------------------------

  /**
   * Takes the one-run-at-a-time lock for `holder.runId`, atomically across processes.
   * Free, already held by the same run (then refreshed), or stale: taken. Stale means the
   * holder's heartbeat is older than `staleAfterMs`, or the holder is on this same host and
   * its pid no longer exists. Otherwise throws LockHeldError naming the holder. Returns the
   * stale holder it replaced, if any (its run crashed or hung).
   */
  acquireLock(
    holder: { runId: string; pid?: number; host?: string },
    staleAfterMs: number = LOCK_STALE_AFTER_MS,
  ): LockHolder | undefined {
    const pid = holder.pid ?? process.pid;
    const host = holder.host ?? this.#host;
    if (!Number.isInteger(pid) || pid <= 0) throw new GamedayError(`acquireLock: pid must be a positive integer, got ${pid}`);
    return this.#immediate(() => {
      const now = epochMs(this.#now(), 'now');
      const current = this.lockHolder();
      if (current?.runId === holder.runId) {
        this.#run('UPDATE run_lock SET pid = ?, host = ?, heartbeat_at = ? WHERE slot = 1', pid, host, now);
        return undefined;
      }
      if (current && !this.#isStale(current, now, staleAfterMs)) throw new LockHeldError(describeHolder(current, now));
      this.#run(
        `INSERT INTO run_lock (slot, run_id, pid, host, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)
         ON CONFLICT (slot) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host,
           acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
        holder.runId,
        pid,
        host,
        now,
        now,
      );
      return current;
    });
  }

  /** Refreshes the lock's heartbeat. Returns false when `runId` no longer holds it (taken over as stale). */
  heartbeat(runId: string): boolean {
    return this.#run('UPDATE run_lock SET heartbeat_at = ? WHERE run_id = ?', epochMs(this.#now(), 'now'), runId) > 0;
  }

  /** Releases the lock if `runId` holds it; never releases another run's. Idempotent. */
  releaseLock(runId: string): void {
    this.#run('DELETE FROM run_lock WHERE run_id = ?', runId);
  }

  /** The current holder, stale or not; undefined when the lock is free. */
  lockHolder(): LockHolder | undefined {
    const row = this.#get('SELECT * FROM run_lock WHERE slot = 1');
    if (!row) return undefined;
    return {
      runId: text(row, 'run_id'),
      pid: num(row, 'pid'),
      host: text(row, 'host'),
      acquiredAt: num(row, 'acquired_at'),
      heartbeatAt: num(row, 'heartbeat_at'),
    };
  }

  // ---- halt switch -----------------------------------------------------------------------

  /** Sets the persisted halt switch, seen by every process at its next `halt()`. `since` moves only when `on` changes. */
  setHalt(on: boolean, options: { reason?: string; by?: string } = {}): void {
    const flag = on ? 1 : 0;
    this.#run(
      `UPDATE halt SET since = CASE WHEN halted = ? THEN since ELSE ? END, halted = ?, reason = ?, changed_by = ?
       WHERE slot = 1`,
      flag,
      epochMs(this.#now(), 'now'),
      flag,
      options.reason ?? null,
      options.by ?? null,
    );
  }

  /** The halt switch as last committed by any process. One indexed read: cheap enough to poll every 250 ms. */
  halt(): HaltState {
    const row = this.#get('SELECT halted, reason, since, changed_by FROM halt WHERE slot = 1');
    if (!row) return { on: false, reason: null, since: null, by: null };
    return {
      on: num(row, 'halted') === 1,
      reason: textOrNull(row, 'reason'),
      since: numOrNull(row, 'since'),
      by: textOrNull(row, 'changed_by'),
    };
  }

  // ---- internals -------------------------------------------------------------------------

  #statement(sql: string): StatementSync {
    if (!this.#db.isOpen) throw new GamedayError(`journal ${this.path} is closed`);
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  #run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#statement(sql).run(...params).changes);
  }

  #get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#statement(sql).get(...params);
  }

  #all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#statement(sql).all(...params);
  }

  /** Runs `fn` in a write transaction taken up front, so its reads cannot go stale before its writes. */
  #immediate<T>(fn: () => T): T {
    this.#statement('BEGIN IMMEDIATE').run();
    try {
      const result = fn();
      this.#statement('COMMIT').run();
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#statement('ROLLBACK').run();
      throw err;
    }
  }

  /** An insert, with SQLite's constraint errors (duplicate id, unknown run) turned into a GamedayError. */
  #write(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof GamedayError) throw err;
      throw new GamedayError(`journal: cannot record ${what}: ${errorMessage(err)}`, { cause: err });
    }
  }

  #refuseRunChange(runId: string): never {
    const row = this.#get('SELECT outcome FROM runs WHERE id = ?', runId);
    if (!row) throw new GamedayError(`unknown run ${runId}`);
    throw new GamedayError(`run ${runId} already finished (${textOrNull(row, 'outcome') ?? 'no outcome'}); its record is final`);
  }

  #faultStatus(faultId: string): FaultStatus {
    const row = this.#get('SELECT status FROM faults WHERE id = ?', faultId);
    if (!row) throw new GamedayError(`unknown fault ${faultId}`);
    return oneOf(row, 'status', FAULT_STATUSES);
  }

  #isStale(holder: LockHolder, now: number, staleAfterMs: number): boolean {
    if (now - holder.heartbeatAt > staleAfterMs) return true;
    return holder.host === this.#host && !pidExists(holder.pid);
  }
}

/**
 * A run id: UTC time to the second, the experiment's name, 4 random hex digits —
 * `20261121-224005-delete-hub-pod-a1b2`. Ids sort by start time (to the second). Only
 * `[a-z0-9-]`, at most 53 characters: valid as a Kubernetes label value and in any marker.
 */
export function newRunId(experiment: string, at: number = Date.now()): string {
  const iso = new Date(at).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const slug =
    experiment
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+/, '')
      .slice(0, 32)
      .replace(/-+$/, '') || 'run';
  return `${stamp}-${slug}-${randomBytes(2).toString('hex')}`;
}

/** The id of the `n`th fault (1-based) of a run: `<runId>-f<n>`. Same character set as run ids. */
export function faultId(runId: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new GamedayError(`faultId: n must be a positive integer, got ${n}`);
  return `${runId}-f${n}`;
}

/** Epoch ms as stored: a whole number (rounded); anything not finite is refused. */
function epochMs(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new GamedayError(`journal: ${what} must be a finite epoch ms, got ${value}`);
  return Math.round(value);
}

/** JSON text of a value that must survive a crash; `undefined` is stored as null. */
function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    throw new GamedayError(`journal: ${what} is not JSON: ${errorMessage(err)}`, { cause: err });
  }
}

function ambiguous(prefix: string, ids: string[]): GamedayError {
  const shown = ids.slice(0, 10).join(', ');
  const more = ids.length > 10 ? ` and ${ids.length - 10} more` : '';
  return new GamedayError(`run id prefix "${prefix}" is ambiguous: it matches ${shown}${more}; give more of the id`);
}

/** Whether a pid exists on this host (EPERM: it exists, owned by someone else). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function describeHolder(holder: LockHolder, now: number): string {
  const since = new Date(holder.acquiredAt).toISOString();
  const beat = Math.max(0, Math.round((now - holder.heartbeatAt) / 1000));
  return (
    `run ${holder.runId} holds the run lock (pid ${holder.pid} on ${holder.host}, since ${since}, ` +
    `last heartbeat ${beat}s ago); wait for it to finish, or halt it with \`gameday halt\``
  );
}
