import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockHeldError } from '../../src/errors.js';
import { Journal } from '../../src/experiments/journal.js';

function tempPath(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-journal-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'journal.db');
}

/** Two connections on one fresh file, sharing a clock the test moves by hand. */
function twoConnections(t: ExecutionContext) {
  const path = tempPath(t);
  const clock = { now: Date.UTC(2026, 10, 21, 22, 40, 5) };
  const a = Journal.open(path, { now: () => clock.now });
  const b = Journal.open(path, { now: () => clock.now });
  t.teardown(() => {
    a.close();
    b.close();
  });
  return { a, b, clock };
}

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

test('a second run acquiring the lock gets LockHeldError naming the holding run, pid, host and since', (t) => {
  const { a, b, clock } = twoConnections(t);
  a.acquireLock({ runId: 'run-a' });
  clock.now += 3000;
  const err = t.throws(() => b.acquireLock({ runId: 'run-b' }), { instanceOf: LockHeldError });
  t.regex(err?.message ?? '', /run run-a holds the run lock/);
  t.true(err?.message.includes(`pid ${process.pid} on ${hostname()}`));
  t.true(err?.message.includes('since 2026-11-21T22:40:05.000Z'));
  t.true(err?.message.includes('last heartbeat 3s ago'));
  t.like(b.lockHolder(), { runId: 'run-a', pid: process.pid, host: hostname() });
});

test('the run holding the lock may acquire it again, which refreshes its heartbeat', (t) => {
  const { a, clock } = twoConnections(t);
  const acquiredAt = clock.now;
  t.is(a.acquireLock({ runId: 'run-a' }), undefined);
  clock.now += 1000;
  t.is(a.acquireLock({ runId: 'run-a' }), undefined);
  t.deepEqual(a.lockHolder(), { runId: 'run-a', pid: process.pid, host: hostname(), acquiredAt, heartbeatAt: clock.now });
});

test('a lock held by a dead pid on this host is taken over, and the dead holder is returned', async (t) => {
  const { a, b } = twoConnections(t);
  const pid = await deadPid();
  a.acquireLock({ runId: 'crashed', pid });
  const replaced = b.acquireLock({ runId: 'run-b' });
  t.like(replaced, { runId: 'crashed', pid });
  t.like(a.lockHolder(), { runId: 'run-b', pid: process.pid });
});

test('a dead pid on another host is not presumed dead while its heartbeat is fresh', async (t) => {
  const { a, b } = twoConnections(t);
  const pid = await deadPid();
  a.acquireLock({ runId: 'remote', pid, host: 'some-other-host' });
  t.throws(() => b.acquireLock({ runId: 'run-b' }), { instanceOf: LockHeldError, message: /on some-other-host/ });
});

test('a holder whose heartbeat is older than staleAfterMs is taken over; a fresh heartbeat keeps the lock', (t) => {
  const { a, b, clock } = twoConnections(t);
  a.acquireLock({ runId: 'run-a', host: 'some-other-host' });
  clock.now += 29_000;
  t.true(a.heartbeat('run-a'));
  clock.now += 29_000;
  t.throws(() => b.acquireLock({ runId: 'run-b' }), { instanceOf: LockHeldError }, '29 s since the last heartbeat: fresh');
  t.throws(() => b.acquireLock({ runId: 'run-b' }, 60_000), { instanceOf: LockHeldError });
  clock.now += 2_000;
  t.like(b.acquireLock({ runId: 'run-b' }), { runId: 'run-a' }, '31 s: stale by the default 30 s');
  t.like(a.lockHolder(), { runId: 'run-b', acquiredAt: clock.now });
  t.false(a.heartbeat('run-a'), 'the old holder learns it lost the lock');
});

test('releasing by another run leaves the lock held; releasing is idempotent', (t) => {
  const { a, b } = twoConnections(t);
  t.is(a.lockHolder(), undefined);
  a.acquireLock({ runId: 'run-a' });
  b.releaseLock('run-b');
  t.is(b.lockHolder()?.runId, 'run-a');
  a.releaseLock('run-a');
  a.releaseLock('run-a');
  t.is(b.lockHolder(), undefined);
  b.acquireLock({ runId: 'run-b' });
  t.is(a.lockHolder()?.runId, 'run-b');
});

test('the halt switch set from one connection is seen by another', (t) => {
  const { a, b, clock } = twoConnections(t);
  t.deepEqual(b.halt(), { on: false, reason: null, since: null, by: null });
  a.setHalt(true, { reason: 'hub incident', by: 'alice@cli' });
  t.deepEqual(b.halt(), { on: true, reason: 'hub incident', since: clock.now, by: 'alice@cli' });
  clock.now += 1000;
  b.setHalt(false, { by: 'bob@cli' });
  t.deepEqual(a.halt(), { on: false, reason: null, since: clock.now, by: 'bob@cli' });
});

test('halting again keeps the time the halt began', (t) => {
  const { a, clock } = twoConnections(t);
  const began = clock.now;
  a.setHalt(true, { reason: 'first' });
  clock.now += 5000;
  a.setHalt(true, { reason: 'still' });
  t.like(a.halt(), { on: true, since: began, reason: 'still' });
});
