/**
 * `host.process.kill` through the LOCAL transport against real processes of this machine: a
 * small HTTP service daemonized by a start script with a pidfile (real-service.ts). Every
 * fact is checked in /proc, the pidfile, the marker directory and over HTTP — not through
 * gameday's own reads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { SafetyRefusedError, TargetError } from '../../../src/errors.js';
import { Journal } from '../../../src/experiments/journal.js';
import { recoverLeftovers } from '../../../src/experiments/recover.js';
import { processKill } from '../../../src/targets/host/process-kill.js';
import type { Ctx, Marker, TargetRef } from '../../../src/targets/types.js';
import { memoryLogger, testCtx } from '../../helpers/ctx.js';
import { alive, procState, realService, spawnDetached, statusOf, type RealService } from './real-service.js';

const marker = (faultId: string): Marker => ({ runId: 'test-run', faultId, experiment: 'kill-test-service' });

async function setup(t: { teardown(fn: () => Promise<void> | void): void }): Promise<{ s: RealService; ctx: Ctx }> {
  const s = await realService();
  t.teardown(() => s.close());
  return { s, ctx: testCtx({ host: s.settings }) };
}

async function onlyRef(ctx: Ctx, target: Record<string, unknown>): Promise<TargetRef> {
  const refs = await processKill.select(ctx, { host: 'localhost', ...target }, { signal: 'KILL' });
  if (refs.length !== 1 || !refs[0]) throw new Error(`expected one ref, got ${JSON.stringify(refs)}`);
  return refs[0];
}

/** Waits until `pid` is gone (an orphan can take ~1.2 s to be reaped here). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

test('KILL by pidfile: the plan captures pid, start time and command line; the marker is written before the kill; restore restarts once and waits for health', async (t) => {
  const { s, ctx } = await setup(t);
  const pid = s.pid()!;
  const ref = await onlyRef(ctx, { pidfile: s.pidfile });
  t.true(ref.ready);
  t.like(ref, { kind: 'host.process', name: 'localhost', id: `localhost:${s.pidfile}`, attributes: { pid: String(pid), cmdline: s.command } });
  const params = { signal: 'KILL' as const, restart: { command: s.start }, health: { url: s.url, timeout: '20s', expectStatus: 200 } };
  const plan = await processKill.plan(ctx, ref, params);
  t.like(plan.data, { host: 'localhost', pidfile: s.pidfile, command: null, pid, startTime: procState(pid)!.startTime, cmdline: s.command.split(' '), signal: 'KILL', restart: s.start });
  t.true(alive(pid), 'planning changes nothing');

  await processKill.inject(ctx, ref, params, marker('test-run-f1'));
  t.true(await gone(pid), 'the process is killed');
  t.deepEqual(s.markers(), ['test-run-f1']);
  const record = JSON.parse(readFileSync(join(s.markerDir, 'test-run-f1'), 'utf8')) as { type: string; data: { pid: number } };
  t.like(record, { type: 'host.process.kill', data: { pid } });
  t.is(await statusOf(s.url), 0, 'nothing answers while it is down');
  // a repeated inject with the same marker does nothing
  await processKill.inject(ctx, ref, params, marker('test-run-f1'));

  await processKill.restore(ctx, plan);
  const restarted = s.pid()!;
  s.track(restarted);
  t.not(restarted, pid);
  t.true(alive(restarted));
  t.is(await statusOf(s.url), 200, 'restore returned only once the health URL answered');
  t.deepEqual(s.markers(), []);
  t.true((await processKill.verify!(ctx, plan)).ok);

  await processKill.restore(ctx, plan);
  t.is(s.pid(), restarted, 'a second restore starts no second copy');
});

test('by exact command line: the match is the whole line, never a substring, and several matches are refused', async (t) => {
  const { s, ctx } = await setup(t);
  const ref = await onlyRef(ctx, { command: s.command });
  t.is(ref.attributes['pid'], String(s.pid()));
  t.false((await onlyRef(ctx, { command: s.command.slice(0, -1) })).ready, 'a prefix of the line matches nothing');
  t.false((await onlyRef(ctx, { command: s.command.replace('server.mjs', 'server.m.s') })).ready, 'regex characters are literal');

  const word = `${Date.now() % 100000}.25`;
  for (let i = 0; i < 2; i++) s.track(await spawnDetached(['sleep', word]));
  await t.throwsAsync(processKill.select(ctx, { host: 'localhost', command: `sleep ${word}` }, { signal: 'KILL' }), {
    instanceOf: SafetyRefusedError, message: /localhost: 2 processes run exactly "sleep [0-9.]+" \(pids \d+, \d+\); name the one to hit with a pidfile/,
  });
});

test('pid 1, gameday itself and pidfiles that do not hold a pid are refused before anything happens', async (t) => {
  const { s, ctx } = await setup(t);
  const pidfile = join(s.dir, 'other.pid');
  writeFileSync(pidfile, '1\n');
  await t.throwsAsync(onlyRef(ctx, { pidfile }), { instanceOf: SafetyRefusedError, message: /refusing to signal pid 1/ });
  writeFileSync(pidfile, `${process.pid}\n`);
  await t.throwsAsync(onlyRef(ctx, { pidfile }), { instanceOf: SafetyRefusedError, message: /gameday's own process/ });
  writeFileSync(pidfile, '12 13\n');
  await t.throwsAsync(onlyRef(ctx, { pidfile }), { instanceOf: TargetError, message: /does not hold a process id/ });
  t.false((await onlyRef(ctx, { pidfile: join(s.dir, 'missing.pid') })).ready, 'a missing pidfile: nothing runs');
});

test('STOP freezes the process; restore continues the same process and restarts nothing', async (t) => {
  const { s, ctx } = await setup(t);
  const pid = s.pid()!;
  const ref = await onlyRef(ctx, { pidfile: s.pidfile });
  const params = { signal: 'STOP' as const, restart: { command: s.start }, health: { url: s.url, timeout: '10s', expectStatus: 200 } };
  const plan = await processKill.plan(ctx, ref, params);
  await processKill.inject(ctx, ref, params, marker('test-run-f1'));
  t.is(procState(pid)?.state, 'T');
  t.false((await onlyRef(ctx, { pidfile: s.pidfile })).ready, 'a frozen process is unavailable');
  t.false((await processKill.verify!(ctx, plan)).ok);
  await processKill.restore(ctx, plan);
  t.not(procState(pid)?.state, 'T');
  t.is(s.pid(), pid, 'the same process, not a new one');
  t.is(await statusOf(s.url), 200);
  t.deepEqual(s.markers(), []);
});

test('a reused pid is never signalled: a start time other than the planned one leaves the process alone', async (t) => {
  const { s, ctx } = await setup(t);
  const pid = s.pid()!;
  const ref = await onlyRef(ctx, { pidfile: s.pidfile });
  // as if the pid had belonged to another process when it was selected
  const stale = { ...ref, attributes: { ...ref.attributes, startTime: String(procState(pid)!.startTime - 1) } };
  const params = { signal: 'KILL' as const };
  await t.throwsAsync(processKill.plan(ctx, stale, params), { instanceOf: TargetError, message: /was replaced by another process with the same pid/ });
  await t.throwsAsync(processKill.inject(ctx, stale, params, marker('test-run-f1')), { instanceOf: TargetError, message: /nothing was signalled/ });
  t.true(alive(pid));
  t.deepEqual(s.markers(), [], 'no marker for a fault that was not made');

  // a STOP plan whose process is gone and whose pid now names another process: no SIGCONT to it
  const plan = await processKill.plan(ctx, ref, { signal: 'STOP' });
  const data = { ...(plan.data as Record<string, unknown>), startTime: procState(pid)!.startTime - 1 };
  process.kill(pid, 'SIGSTOP');
  await processKill.restore(ctx, { ...plan, data });
  t.is(procState(pid)?.state, 'T', 'the other process was not continued');
  process.kill(pid, 'SIGCONT');
});

test('without a restart command a killed process fails the restore clearly, and the restore completes once it runs again', async (t) => {
  const { s, ctx } = await setup(t);
  const ref = await onlyRef(ctx, { pidfile: s.pidfile });
  const plan = await processKill.plan(ctx, ref, { signal: 'TERM' });
  await processKill.inject(ctx, ref, { signal: 'TERM' }, marker('test-run-f1'));
  t.true(await gone(Number(ref.attributes['pid'])));
  await t.throwsAsync(processKill.restore(ctx, plan), { instanceOf: TargetError, message: /pidfile .* on localhost is not running and the fault has no restart command/ });
  t.deepEqual(s.markers(), ['test-run-f1'], 'the marker stays while the fault is not undone');
  await s.startNow();
  await processKill.restore(ctx, plan);
  t.deepEqual(s.markers(), []);
});

test('a restart command that fails, or returns without starting the process, is a retryable error naming it', async (t) => {
  const { s, ctx } = await setup(t);
  const ref = await onlyRef(ctx, { pidfile: s.pidfile });
  const plan = await processKill.plan(ctx, ref, { signal: 'KILL', restart: { command: ['sh', '-c', 'echo cannot start: port in use >&2; exit 4'] } });
  await processKill.inject(ctx, ref, { signal: 'KILL' }, marker('test-run-f1'));
  const failed = await t.throwsAsync(processKill.restore(ctx, plan), { instanceOf: TargetError });
  t.true(failed?.retryable);
  t.regex(failed?.message ?? '', /restart command sh failed \(exit 4\): cannot start: port in use/);
  const noop = { ...plan, data: { ...(plan.data as Record<string, unknown>), restart: ['true'] } };
  await t.throwsAsync(processKill.restore(ctx, noop), { instanceOf: TargetError, message: /the restart command returned but pidfile .* is not running/ });
});

test('a kill left behind without its journal row is found by its marker alone and restored', async (t) => {
  const { s, ctx } = await setup(t);
  const pid = s.pid()!;
  const ref = await onlyRef(ctx, { pidfile: s.pidfile });
  const params = { signal: 'KILL' as const, restart: { command: s.start }, health: { url: s.url, timeout: '20s', expectStatus: 200 } };
  await processKill.inject(ctx, ref, params, { runId: 'lost-run', faultId: 'lost-run-f1', experiment: 'x' });
  t.true(await gone(pid));
  const journal = Journal.open(join(s.dir, 'fresh.db'));
  t.teardown(() => journal.close());
  const leftovers = await processKill.findLeftovers!(ctx);
  t.is(leftovers.length, 1);
  t.like(leftovers[0]?.data, { runId: 'lost-run', faultId: 'lost-run-f1', pid });
  const report = await recoverLeftovers({
    journal, restore: { attempts: 3, initialDelayMs: 100, maxDelayMs: 500 }, targets: { host: s.settings }, log: memoryLogger().log,
  });
  t.deepEqual(report.failed, []);
  t.deepEqual(report.restored.map((r) => [r.type, r.source]), [['host.process.kill', 'marker']]);
  s.track(s.pid()!);
  t.not(s.pid(), pid);
  t.is(await statusOf(s.url), 200);
  t.deepEqual(s.markers(), []);
});
