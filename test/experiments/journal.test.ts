import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { GamedayError } from '../../src/errors.js';
import {
  faultId,
  Journal,
  newRunId,
  OUTCOMES,
  PHASES,
  PROBE_STATUSES,
  RUN_STATES,
  STEP_STATUSES,
  type NewFault,
  type ProbeRecord,
  type StepRecord,
} from '../../src/experiments/journal.js';
import { APPLICATION_ID, SCHEMA_VERSION } from '../../src/experiments/journal-schema.js';
import type { RestorePlan, TargetRef } from '../../src/targets/types.js';

/** A fresh journal path in its own temp dir, removed after the test. */
function tempPath(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-journal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'nested', 'dir', 'journal.db');
}

/** A journal on a fresh file with a clock the test moves by hand. */
function openWithClock(t: ExecutionContext, start = 1_700_000_000_000): { journal: Journal; clock: { now: number }; path: string } {
  const path = tempPath(t);
  const clock = { now: start };
  const journal = Journal.open(path, { now: () => clock.now });
  t.teardown(() => journal.close());
  return { journal, clock, path };
}

const target: TargetRef = {
  kind: 'kubernetes.pod',
  id: 'jhub/hub-7c9f8',
  name: 'hub-7c9f8',
  group: 'jhub/Deployment/hub',
  ready: true,
  attributes: { namespace: 'jhub', node: 'worker-002' },
};
const plan: RestorePlan = { type: 'kubernetes.pod.delete', target, data: { replicas: 1, labels: { app: 'jupyterhub' }, note: null } };

function fault(runId: string, n: number): NewFault {
  return { id: faultId(runId, n), runId, type: 'kubernetes.pod.delete', target, plan };
}

function addRun(journal: Journal, id: string, startedAt: number, experiment = 'delete-hub-pod') {
  return journal.createRun({ id, experiment, file: `config/experiments/${experiment}.yaml`, dryRun: false, spec: { n: 1 }, startedAt });
}

test('a new run is planned, owned by this process, and reads back as written', (t) => {
  const { journal } = openWithClock(t);
  const spec = { apiVersion: 'gameday/v1', kind: 'Experiment', spec: { fault: { type: 'x', duration: '5m' } } };
  const created = journal.createRun({ id: 'r1', experiment: 'e', file: 'e.yaml', dryRun: true, spec });
  t.like(created, { state: 'planned', outcome: null, dryRun: true, pid: process.pid, host: hostname(), startedAt: 1_700_000_000_000 });
  t.deepEqual(journal.getRun('r1'), { run: created, steps: [], probes: [], faults: [] });
  t.deepEqual(journal.getRun('r1')?.run.spec, spec);
});

test('run states are committed in turn and finishRun ends the run once, for good', (t) => {
  const { journal, clock } = openWithClock(t);
  addRun(journal, 'r1', clock.now);
  for (const state of ['preflight', 'steady-before', 'injecting', 'holding', 'restoring', 'recovering'] as const) {
    journal.setRunState('r1', state);
    t.is(journal.getRun('r1')?.run.state, state);
  }
  t.throws(() => journal.setRunState('r1', 'done'), { instanceOf: GamedayError, message: /finishRun/ });
  clock.now += 5000;
  journal.finishRun('r1', 'passed', { reason: 'steady throughout', recoveryMs: 1234.5 });
  t.like(journal.getRun('r1')?.run, { state: 'done', outcome: 'passed', reason: 'steady throughout', recoveryMs: 1234.5, endedAt: clock.now });

  t.throws(() => journal.setRunState('r1', 'holding'), { instanceOf: GamedayError, message: /already finished \(passed\)/ });
  t.throws(() => journal.finishRun('r1', 'aborted'), { instanceOf: GamedayError, message: /already finished/ });
  t.like(journal.getRun('r1')?.run, { state: 'done', outcome: 'passed' });
});

test('every state, outcome and status the types name can be stored', (t) => {
  const { journal } = openWithClock(t);
  for (const [i, outcome] of OUTCOMES.entries()) {
    addRun(journal, `r${i}`, i);
    for (const state of RUN_STATES.filter((s) => s !== 'done')) journal.setRunState(`r${i}`, state);
    journal.finishRun(`r${i}`, outcome);
  }
  t.deepEqual(
    journal.listRuns().map((r) => r.outcome).reverse(),
    [...OUTCOMES],
  );
  for (const status of STEP_STATUSES) journal.recordStep({ runId: 'r0', step: status, status, start: 1, end: 2, durationMs: 1 });
  for (const phase of PHASES) {
    for (const status of PROBE_STATUSES) {
      journal.recordProbe({ runId: 'r0', phase, probe: 'p', type: 'http', status, value: null, detail: '', at: 1, ms: 1 });
    }
  }
  const detail = journal.getRun('r0');
  t.deepEqual(detail?.steps.map((s) => s.status), [...STEP_STATUSES]);
  t.is(detail?.probes.length, PHASES.length * PROBE_STATUSES.length);
});

test('changing a run that does not exist throws', (t) => {
  const { journal } = openWithClock(t);
  t.throws(() => journal.setRunState('nope', 'preflight'), { instanceOf: GamedayError, message: /unknown run nope/ });
  t.throws(() => journal.finishRun('nope', 'passed'), { instanceOf: GamedayError, message: /unknown run nope/ });
});

test('steps and probes read back in the order written, with absent optional fields left out', (t) => {
  const { journal, clock } = openWithClock(t);
  addRun(journal, 'r1', clock.now);
  const steps: StepRecord[] = [
    { runId: 'r1', step: 'preflight', status: 'ok', start: 10, end: 20, durationMs: 10 },
    { runId: 'r1', step: 'inject', status: 'error', start: 20, end: 35, durationMs: 15.25, detail: 'pod jhub/hub', error: 'boom' },
  ];
  const probes: ProbeRecord[] = [
    { runId: 'r1', phase: 'before', probe: 'hub-up', type: 'jupyterhub.health', status: 'ok', value: true, detail: '200', at: 11, ms: 3.5 },
    { runId: 'r1', phase: 'during', probe: 'errors', type: 'prometheus.query', status: 'breach', value: 0.7, detail: '> 0.5', at: 12, ms: 8 },
    { runId: 'r1', phase: 'during', probe: 'hub-up', type: 'jupyterhub.health', status: 'error', value: null, detail: 'ECONNREFUSED', at: 13, ms: 1 },
    { runId: 'r1', phase: 'after', probe: 'ver', type: 'http', status: 'ok', value: '5.2.1', detail: 'ok', at: 14, ms: 2 },
  ];
  for (const s of steps) journal.recordStep(s);
  for (const p of probes) journal.recordProbe(p);
  const detail = journal.getRun('r1');
  t.deepEqual(detail?.steps, steps);
  t.deepEqual(detail?.probes, probes);
  t.false('detail' in (detail?.steps[0] ?? {}));
});

test('a step or probe of an unknown run is refused', (t) => {
  const { journal } = openWithClock(t);
  t.throws(() => journal.recordStep({ runId: 'ghost', step: 's', status: 'ok', start: 1, end: 2, durationMs: 1 }), {
    instanceOf: GamedayError,
    message: /cannot record step s of run ghost/,
  });
  t.throws(
    () => journal.recordProbe({ runId: 'ghost', phase: 'before', probe: 'p', type: 'http', status: 'ok', value: 1, detail: '', at: 1, ms: 1 }),
    { instanceOf: GamedayError, message: /FOREIGN KEY/ },
  );
});

test('listRuns is newest first and filters by experiment, outcome and limit', (t) => {
  const { journal } = openWithClock(t);
  addRun(journal, 'a', 1000, 'kill-worker-vm');
  addRun(journal, 'b', 3000, 'delete-hub-pod');
  addRun(journal, 'c', 2000, 'delete-hub-pod');
  addRun(journal, 'd', 4000, 'kill-worker-vm');
  journal.finishRun('a', 'passed');
  journal.finishRun('b', 'aborted');
  journal.finishRun('c', 'passed');

  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
  t.deepEqual(ids(journal.listRuns()), ['d', 'b', 'c', 'a']);
  t.deepEqual(ids(journal.listRuns({ limit: 2 })), ['d', 'b']);
  t.deepEqual(ids(journal.listRuns({ experiment: 'delete-hub-pod' })), ['b', 'c']);
  t.deepEqual(ids(journal.listRuns({ outcome: 'passed' })), ['c', 'a']);
  t.deepEqual(ids(journal.listRuns({ experiment: 'kill-worker-vm', outcome: 'passed', limit: 5 })), ['a']);
  t.deepEqual(journal.listRuns({ limit: 0 }), []);
  t.throws(() => journal.listRuns({ limit: 1.5 }), { instanceOf: GamedayError, message: /limit/ });
});

test('openRuns lists the runs not done, oldest first', (t) => {
  const { journal } = openWithClock(t);
  addRun(journal, 'late', 3000);
  addRun(journal, 'early', 1000);
  addRun(journal, 'finished', 2000);
  journal.setRunState('late', 'holding');
  journal.finishRun('finished', 'not-steady');
  t.deepEqual(
    journal.openRuns().map((r) => [r.id, r.state]),
    [
      ['early', 'planned'],
      ['late', 'holding'],
    ],
  );
});

test('getRun finds a run by exact id or by a unique prefix, and gives undefined when nothing matches', (t) => {
  const { journal } = openWithClock(t);
  addRun(journal, '20261121-224005-delete-hub-pod-a1b2', 1);
  addRun(journal, '20261122-080000-kill-worker-vm-ffff', 2);
  addRun(journal, 'abc', 3);
  addRun(journal, 'abcd', 4);
  t.is(journal.getRun('20261121')?.run.id, '20261121-224005-delete-hub-pod-a1b2');
  t.is(journal.getRun('20261122-08')?.run.id, '20261122-080000-kill-worker-vm-ffff');
  t.is(journal.getRun('abc')?.run.id, 'abc', 'an exact id wins over a longer id it prefixes');
  t.is(journal.getRun('abcd')?.run.id, 'abcd');
  t.is(journal.getRun('2027'), undefined);
  t.is(journal.getRun(''), undefined);
  t.is(journal.getRun('%'), undefined, 'prefixes are literal, not LIKE patterns');
});

test('an ambiguous prefix throws a GamedayError listing every candidate', (t) => {
  const { journal } = openWithClock(t);
  addRun(journal, '20261121-224005-delete-hub-pod-a1b2', 1);
  addRun(journal, '20261121-230000-kill-worker-vm-0c0c', 2);
  addRun(journal, '20261122-000000-kill-worker-vm-1d1d', 3);
  const err = t.throws(() => journal.getRun('202611'), { instanceOf: GamedayError });
  t.regex(err?.message ?? '', /ambiguous/);
  for (const id of ['20261121-224005-delete-hub-pod-a1b2', '20261121-230000-kill-worker-vm-0c0c', '20261122-000000-kill-worker-vm-1d1d']) {
    t.true(err?.message.includes(id), id);
  }
  t.throws(() => journal.getRun('20261121-2'), { message: /ambiguous/ });
});

test('a fault is written intended with its plan, then injected, then restored, each with its time', (t) => {
  const { journal, clock } = openWithClock(t);
  addRun(journal, 'r1', clock.now);
  const row = journal.intendFault(fault('r1', 1));
  t.like(row, { id: 'r1-f1', status: 'intended', intendedAt: clock.now, injectedAt: null, restoredAt: null, attempts: 0, lastError: null });
  t.deepEqual(row.plan, plan);
  t.deepEqual(row.target, target);
  t.deepEqual(journal.getRun('r1')?.faults, [row]);

  clock.now += 10;
  t.true(journal.markInjected('r1-f1'));
  t.like(journal.getRun('r1')?.faults[0], { status: 'injected', injectedAt: clock.now });
  clock.now += 10;
  t.true(journal.markInjected('r1-f1'), 'marking an injected fault injected again is harmless');
  t.is(journal.getRun('r1')?.faults[0]?.injectedAt, clock.now - 10);

  clock.now += 10;
  journal.markRestored('r1-f1');
  t.like(journal.getRun('r1')?.faults[0], { status: 'restored', restoredAt: clock.now });
  t.deepEqual(journal.getRun('r1')?.faults[0]?.plan, plan);
});

test('markInjected after the fault was restored changes nothing and returns false', (t) => {
  const { journal, clock } = openWithClock(t);
  addRun(journal, 'r1', clock.now);
  journal.intendFault(fault('r1', 1));
  journal.markRestored('r1-f1');
  const before = journal.getRun('r1')?.faults[0];
  clock.now += 100;
  t.false(journal.markInjected('r1-f1'));
  t.deepEqual(journal.getRun('r1')?.faults[0], before);
  t.like(before, { status: 'restored', injectedAt: null });
});

test('markRestored twice is harmless and keeps the first time', (t) => {
  const { journal, clock } = openWithClock(t);
  addRun(journal, 'r1', clock.now);
  journal.intendFault(fault('r1', 1));
  journal.markInjected('r1-f1');
  clock.now += 50;
  journal.markRestored('r1-f1');
  const first = journal.getRun('r1')?.faults[0];
  clock.now += 50;
  journal.markRestored('r1-f1');
  t.deepEqual(journal.getRun('r1')?.faults[0], first);
  t.is(first?.restoredAt, clock.now - 50);
});

test('recordRestoreAttempt counts every attempt and keeps the last error, cleared by a success', (t) => {
  const { journal, clock } = openWithClock(t);
  addRun(journal, 'r1', clock.now);
  journal.intendFault(fault('r1', 1));
  journal.recordRestoreAttempt('r1-f1', 'ECONNREFUSED');
  journal.recordRestoreAttempt('r1-f1', '503 Service Unavailable');
  t.like(journal.getRun('r1')?.faults[0], { attempts: 2, lastError: '503 Service Unavailable', status: 'intended' });
  journal.recordRestoreAttempt('r1-f1', null);
  t.like(journal.getRun('r1')?.faults[0], { attempts: 3, lastError: null });
});

test('an unknown fault id is refused by every fault update', (t) => {
  const { journal } = openWithClock(t);
  t.throws(() => journal.markInjected('nope'), { instanceOf: GamedayError, message: /unknown fault nope/ });
  t.throws(() => journal.markRestored('nope'), { instanceOf: GamedayError, message: /unknown fault nope/ });
  t.throws(() => journal.recordRestoreAttempt('nope', 'x'), { instanceOf: GamedayError, message: /unknown fault nope/ });
});

test('unrestoredFaults lists every fault not restored, across runs, oldest first', (t) => {
  const { journal, clock } = openWithClock(t);
  addRun(journal, 'r1', clock.now);
  addRun(journal, 'r2', clock.now);
  journal.intendFault(fault('r2', 1));
  clock.now += 1;
  journal.intendFault(fault('r1', 1));
  journal.intendFault(fault('r1', 2));
  clock.now += 1;
  journal.intendFault(fault('r2', 2));
  journal.markInjected('r1-f1');
  journal.markRestored('r1-f2');
  journal.finishRun('r2', 'restore-failed');
  t.deepEqual(
    journal.unrestoredFaults().map((f) => [f.id, f.status]),
    [
      ['r2-f1', 'intended'],
      ['r1-f1', 'injected'],
      ['r2-f2', 'intended'],
    ],
  );
});

test('a fault of an unknown run, a duplicate fault id or a plan that is not JSON is refused, and nothing is written', (t) => {
  const { journal, clock } = openWithClock(t);
  addRun(journal, 'r1', clock.now);
  t.throws(() => journal.intendFault(fault('ghost', 1)), { instanceOf: GamedayError, message: /cannot record fault ghost-f1 of run ghost/ });
  journal.intendFault(fault('r1', 1));
  t.throws(() => journal.intendFault(fault('r1', 1)), { instanceOf: GamedayError, message: /UNIQUE/ });
  const bad = { ...fault('r1', 2), plan: { ...plan, data: { big: 1n } as unknown as RestorePlan['data'] } };
  t.throws(() => journal.intendFault(bad), { instanceOf: GamedayError, message: /restore plan of fault r1-f2 is not JSON/ });
  t.deepEqual(
    journal.unrestoredFaults().map((f) => f.id),
    ['r1-f1'],
  );
});

test('newRunId is the UTC time to the second, a label-safe slug and a random suffix', (t) => {
  const at = Date.UTC(2026, 10, 21, 22, 40, 5, 999);
  const id = newRunId('Delete Hub_Pod!!', at);
  t.regex(id, /^20261121-224005-delete-hub-pod-[0-9a-f]{4}$/);
  t.not(newRunId('x', at), newRunId('x', at));
  const long = newRunId('a'.repeat(100) + '-' + 'b'.repeat(10), at);
  t.true(long.length <= 53);
  t.regex(long, /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a valid Kubernetes label value');
  t.regex(newRunId('***', at), /^20261121-224005-run-[0-9a-f]{4}$/);
  const ids = [Date.UTC(2027, 0, 1), Date.UTC(2026, 11, 31, 23, 59, 59), Date.UTC(2026, 0, 2)].map((ms) => newRunId('zzz', ms));
  t.deepEqual([...ids].sort(), [ids[2], ids[1], ids[0]]);
});

test('faultId numbers the faults of a run from 1 and stays a valid label value', (t) => {
  const runId = newRunId('x'.repeat(60));
  t.is(faultId(runId, 1), `${runId}-f1`);
  t.true(faultId(runId, 99_999_999).length <= 63);
  t.throws(() => faultId(runId, 0), { instanceOf: GamedayError });
  t.throws(() => faultId(runId, 1.5), { instanceOf: GamedayError });
});

test('two connections on one file each see the other’s writes at once', (t) => {
  const path = tempPath(t);
  const a = Journal.open(path);
  const b = Journal.open(path);
  t.teardown(() => {
    a.close();
    b.close();
  });
  a.createRun({ id: 'r1', experiment: 'e', file: 'e.yaml', dryRun: false, spec: null });
  a.intendFault(fault('r1', 1));
  t.deepEqual(
    b.unrestoredFaults().map((f) => f.plan),
    [plan],
  );
  b.markRestored('r1-f1');
  t.deepEqual(a.unrestoredFaults(), []);
});

test('opening creates parent directories and a WAL journal stamped with the schema version', (t) => {
  const path = tempPath(t);
  Journal.open(path).close();
  t.true(statSync(path).isFile());
  const raw = new DatabaseSync(path);
  t.teardown(() => raw.close());
  t.is(raw.prepare('PRAGMA journal_mode').get()?.['journal_mode'], 'wal');
  t.is(raw.prepare('PRAGMA user_version').get()?.['user_version'], SCHEMA_VERSION);
  t.is(raw.prepare('PRAGMA application_id').get()?.['application_id'], APPLICATION_ID);
});

test('reopening keeps every record and migrates nothing twice', (t) => {
  const path = tempPath(t);
  const first = Journal.open(path);
  first.createRun({ id: 'r1', experiment: 'e', file: 'e.yaml', dryRun: false, spec: { a: [1, 2] } });
  first.intendFault(fault('r1', 1));
  first.setHalt(true, { reason: 'maintenance' });
  first.close();
  const second = Journal.open(path);
  second.close();
  const third = Journal.open(path);
  t.teardown(() => third.close());
  t.deepEqual(third.getRun('r1')?.run.spec, { a: [1, 2] });
  t.deepEqual(third.getRun('r1')?.faults[0]?.plan, plan);
  t.true(third.halt().on, 'the halt row is created once, not reset by a reopen');
});

test('a journal of a newer schema version is refused with a clear error and left untouched', (t) => {
  const path = tempPath(t);
  Journal.open(path).close();
  const raw = new DatabaseSync(path);
  raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  const bytes = readFileSync(path);
  const err = t.throws(() => Journal.open(path), { instanceOf: GamedayError });
  t.regex(err?.message ?? '', new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this gameday understands \\(${SCHEMA_VERSION}\\)`));
  t.true(err?.message.includes(path));
  t.deepEqual(readFileSync(path), bytes);
});

test('a file that is not a gameday journal is refused', (t) => {
  const path = tempPath(t);
  Journal.open(path).close();
  const foreign = path.replace(/journal\.db$/, 'other.db');
  const raw = new DatabaseSync(foreign);
  raw.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
  raw.close();
  t.throws(() => Journal.open(foreign), { instanceOf: GamedayError, message: /not a gameday journal \(it holds other tables\)/ });

  const text = path.replace(/journal\.db$/, 'notes.txt');
  writeFileSync(text, 'this is not sqlite at all, just some words to fill a page. '.repeat(100));
  t.throws(() => Journal.open(text), { instanceOf: GamedayError, message: /cannot open journal .*notes\.txt/ });
  t.false(existsSync(`${text}-wal`));
});

test('close is idempotent and a closed journal refuses further calls', (t) => {
  const path = tempPath(t);
  const journal = Journal.open(path);
  journal.close();
  journal.close();
  t.throws(() => journal.halt(), { instanceOf: GamedayError, message: /closed/ });
  t.is(journal.path, path);
});

test('a new journal file is readable by its owner only', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-mode-'));
  const path = join(dir, 'sub', 'gameday.db');
  const j = Journal.open(path);
  t.teardown(() => j.close());
  t.is(statSync(path).mode & 0o777, 0o600);
});
