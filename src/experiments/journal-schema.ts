/**
 * The journal's on-disk shape: the connection settings every process uses, the schema
 * migrations, and how a stored row reads back. Versions only go forward: migration `i`
 * takes `user_version` from `i` to `i + 1`, all pending ones run in one transaction, and
 * a file newer than this code is refused before anything is written to it.
 */
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { GamedayError } from '../errors.js';
import type { RestorePlan, TargetRef } from '../targets/types.js';
import {
  FAULT_STATUSES,
  OUTCOMES,
  PHASES,
  PROBE_STATUSES,
  RUN_STATES,
  STEP_STATUSES,
  type FaultRow,
  type ProbeRecord,
  type RunRow,
  type StepRecord,
} from './journal-types.js';

/** `PRAGMA application_id` of a gameday journal ("gmdy"), so a foreign SQLite file is never taken for one. */
export const APPLICATION_ID = 0x676d6479;

/**
 * Schema migrations, oldest first. Never edit a shipped entry: append a new one. The CHECK
 * lists are spelled out, not derived from the unions, on purpose: a value added to a union
 * then fails the tests (every value is recorded once) until a migration admits it, instead
 * of working on fresh files only.
 * Timestamps are epoch ms INTEGER; durations REAL ms; JSON values TEXT.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    experiment  TEXT NOT NULL,
    file        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('planned','preflight','steady-before','injecting','holding','restoring','recovering','done')),
    outcome     TEXT CHECK (outcome IS NULL OR outcome IN ('passed','hypothesis-failed','aborted','not-steady','restore-failed','halted','dry-run')),
    reason      TEXT,
    dry_run     INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    recovery_ms REAL,
    pid         INTEGER NOT NULL,
    host        TEXT NOT NULL,
    spec        TEXT NOT NULL
  ) STRICT;
  CREATE INDEX runs_started_at ON runs (started_at);
  CREATE INDEX runs_open ON runs (state) WHERE state <> 'done';

  CREATE TABLE steps (
    seq         INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    step        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('ok','failed','error','skipped')),
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    detail      TEXT,
    error       TEXT
  ) STRICT;
  CREATE INDEX steps_run ON steps (run_id, seq);

  CREATE TABLE probes (
    seq         INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    phase       TEXT NOT NULL CHECK (phase IN ('before','during','after')),
    probe       TEXT NOT NULL,
    type        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('ok','breach','error')),
    value       TEXT NOT NULL,
    detail      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    ms          REAL NOT NULL
  ) STRICT;
  CREATE INDEX probes_run ON probes (run_id, seq);

  CREATE TABLE faults (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    type        TEXT NOT NULL,
    target      TEXT NOT NULL,
    plan        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('intended','injected','restored')),
    intended_at INTEGER NOT NULL,
    injected_at INTEGER,
    restored_at INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
  ) STRICT;
  CREATE INDEX faults_status ON faults (status, intended_at, seq);
  CREATE INDEX faults_run ON faults (run_id, seq);

  CREATE TABLE run_lock (
    slot         INTEGER PRIMARY KEY CHECK (slot = 1),
    run_id       TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL,
    acquired_at  INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE halt (
    slot        INTEGER PRIMARY KEY CHECK (slot = 1),
    halted      INTEGER NOT NULL CHECK (halted IN (0, 1)),
    reason      TEXT,
    since       INTEGER,
    changed_by  TEXT
  ) STRICT;
  INSERT INTO halt (slot, halted) VALUES (1, 0);
  `,
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Readies a fresh connection. A foreign or newer file is refused before anything is written
 * to it. Then the settings every connection uses: WAL so readers never block the writer,
 * FULL sync so a commit is on disk when it returns, a 5 s wait on a busy file (the CLI, a
 * second CLI doing `halt` and the daemon share it), enforced foreign keys. Last, pending
 * migrations. Idempotent; concurrent openers serialise on the write lock and the second
 * finds nothing left to do.
 */
export function prepareConnection(db: DatabaseSync, path: string): void {
  db.exec('PRAGMA busy_timeout = 5000');
  checkVersion(db, path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  if (pragmaNumber(db, 'user_version') !== SCHEMA_VERSION) migrate(db, path);
}

function pragmaNumber(db: DatabaseSync, name: 'user_version' | 'application_id'): number {
  const row = db.prepare(`PRAGMA ${name}`).get();
  const value = row?.[name];
  return typeof value === 'number' ? value : 0;
}

/** Applies every pending migration in one transaction, re-reading the version under the write lock. */
function migrate(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const from = checkVersion(db, path);
    for (let v = from; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] ?? '');
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** The file's version, after refusing a newer or foreign file. */
function checkVersion(db: DatabaseSync, path: string): number {
  const version = pragmaNumber(db, 'user_version');
  const appId = pragmaNumber(db, 'application_id');
  if (appId !== 0 && appId !== APPLICATION_ID) {
    throw new GamedayError(`${path} is not a gameday journal (SQLite application_id ${appId})`);
  }
  if (version > SCHEMA_VERSION) {
    throw new GamedayError(
      `journal ${path} has schema version ${version}, newer than this gameday understands (${SCHEMA_VERSION}); ` +
        'upgrade gameday, or point it at another journal file',
    );
  }
  if (version === 0 && appId === 0) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'`).get();
    if (tables && tables['n'] !== 0) {
      throw new GamedayError(`${path} is not a gameday journal (it holds other tables)`);
    }
  }
  return version;
}

/** A stored row, as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>;

/** A TEXT column that is NOT NULL. */
export function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new GamedayError(`journal: column ${column} is not text`);
  return v;
}

/** A numeric column that is NOT NULL. */
export function num(row: Row, column: string): number {
  const v = row[column];
  if (typeof v !== 'number') throw new GamedayError(`journal: column ${column} is not a number`);
  return v;
}

/** A nullable TEXT column. */
export function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

/** A nullable numeric column. */
export function numOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : num(row, column);
}

/** A column whose CHECK constraint limits it to `values`. */
export function oneOf<T extends string>(row: Row, column: string, values: readonly T[]): T {
  const v = text(row, column);
  if (!(values as readonly string[]).includes(v)) throw new GamedayError(`journal: unexpected ${column} "${v}"`);
  return v as T;
}

/** A JSON TEXT column. */
export function json(row: Row, column: string): unknown {
  return JSON.parse(text(row, column)) as unknown;
}

/** A `runs` row as a RunRow. */
export function runFrom(row: Row): RunRow {
  const outcome = textOrNull(row, 'outcome');
  return {
    id: text(row, 'id'),
    experiment: text(row, 'experiment'),
    file: text(row, 'file'),
    state: oneOf(row, 'state', RUN_STATES),
    outcome: outcome === null ? null : oneOf(row, 'outcome', OUTCOMES),
    reason: textOrNull(row, 'reason'),
    dryRun: num(row, 'dry_run') === 1,
    startedAt: num(row, 'started_at'),
    endedAt: numOrNull(row, 'ended_at'),
    recoveryMs: numOrNull(row, 'recovery_ms'),
    pid: num(row, 'pid'),
    host: text(row, 'host'),
    spec: json(row, 'spec'),
  };
}

/** A `steps` row as a StepRecord; absent optional fields are left out, not undefined. */
export function stepFrom(row: Row): StepRecord {
  const step: StepRecord = {
    runId: text(row, 'run_id'),
    step: text(row, 'step'),
    status: oneOf(row, 'status', STEP_STATUSES),
    start: num(row, 'started_at'),
    end: num(row, 'ended_at'),
    durationMs: num(row, 'duration_ms'),
  };
  const detail = textOrNull(row, 'detail');
  const error = textOrNull(row, 'error');
  if (detail !== null) step.detail = detail;
  if (error !== null) step.error = error;
  return step;
}

/** A `probes` row as a ProbeRecord. */
export function probeFrom(row: Row): ProbeRecord {
  return {
    runId: text(row, 'run_id'),
    phase: oneOf(row, 'phase', PHASES),
    probe: text(row, 'probe'),
    type: text(row, 'type'),
    status: oneOf(row, 'status', PROBE_STATUSES),
    value: json(row, 'value') as ProbeRecord['value'],
    detail: text(row, 'detail'),
    at: num(row, 'at'),
    ms: num(row, 'ms'),
  };
}

/** A `faults` row as a FaultRow. */
export function faultFrom(row: Row): FaultRow {
  return {
    id: text(row, 'id'),
    runId: text(row, 'run_id'),
    type: text(row, 'type'),
    target: json(row, 'target') as TargetRef,
    plan: json(row, 'plan') as RestorePlan,
    status: oneOf(row, 'status', FAULT_STATUSES),
    intendedAt: num(row, 'intended_at'),
    injectedAt: numOrNull(row, 'injected_at'),
    restoredAt: numOrNull(row, 'restored_at'),
    attempts: num(row, 'attempts'),
    lastError: textOrNull(row, 'last_error'),
  };
}
