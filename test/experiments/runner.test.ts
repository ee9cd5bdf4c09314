import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../src/experiments/journal.js';
import { runExperiment, type EngineSettings } from '../../src/experiments/runner.js';
import { recoverLeftovers } from '../../src/experiments/recover.js';
import { LockHeldError } from '../../src/errors.js';
import { memoryLogger } from '../helpers/ctx.js';
import { experiment, fakeFault, fakeWorld, probe } from '../helpers/fake-target.js';

const settings: EngineSettings = {
  safety: { oneRunAtATime: true },
  restore: { attempts: 5, initialDelayMs: 5, maxDelayMs: 20 },
  targets: {},
};

function journal(): Journal {
  return Journal.open(join(mkdtempSync(join(tmpdir(), 'gameday-runner-')), 'gameday.db'));
}
const quiet = { log: memoryLogger().log };

test('a healthy run injects, holds, restores and passes', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  const result = await runExperiment({ experiment: experiment(world), journal: j, settings, ...quiet });
  t.is(result.outcome, 'passed');
  t.false(world.items.get('a')?.broken);
  t.deepEqual(world.calls.map((c) => c.op), ['inject', 'restore']);
  const detail = j.getRun(result.runId);
  t.is(detail?.run.state, 'done');
  t.deepEqual(detail?.faults.map((f) => f.status), ['restored']);
  t.deepEqual(detail?.steps.map((s) => s.step), ['preflight', 'steady-before', 'inject', 'hold', 'restore', 'recovery']);
  t.true(detail!.probes.some((p) => p.phase === 'during'));
  t.is(typeof result.recoveryMs, 'number');
});

test('a failing before-probe gives not-steady and injects nothing', async (t) => {
  const world = fakeWorld(['a']);
  world.answers.set('health', 'breach');
  const j = journal();
  const result = await runExperiment({ experiment: experiment(world), journal: j, settings, ...quiet });
  t.is(result.outcome, 'not-steady');
  t.deepEqual(world.calls, []);
  t.deepEqual(j.getRun(result.runId)?.faults, []);
});

test('the fault row is committed as intended, with its plan, before inject is called', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  let seen: string | undefined;
  world.beforeInject = () => {
    const other = Journal.open(j.path);
    const rows = other.unrestoredFaults();
    seen = rows.length === 1 ? `${rows[0]!.status}:${JSON.stringify(rows[0]!.plan.data)}` : `rows=${rows.length}`;
    other.close();
  };
  await runExperiment({ experiment: experiment(world), journal: j, settings, ...quiet });
  t.is(seen, 'intended:{"name":"a","broken":false}');
});

test('a breach during the hold aborts at once and restores without waiting for the hold to end', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  const exp = experiment(world, { durationMs: 20_000, intervalMs: 100 });
  let flippedAt = 0;
  setTimeout(() => {
    flippedAt = Date.now();
    world.answers.set('health', 'breach');
  }, 300);
  const started = Date.now();
  const result = await runExperiment({ experiment: exp, journal: j, settings, ...quiet });
  t.is(result.outcome, 'aborted');
  t.regex(result.reason ?? '', /breach/);
  const restoreAt = world.calls.find((c) => c.op === 'restore')!.at;
  t.true(restoreAt - flippedAt < 1000, `restore ${restoreAt - flippedAt} ms after the flip`);
  t.true(Date.now() - started < 10_000);
  t.false(world.items.get('a')?.broken);
});

test('a probe that cannot reach its system is recorded as an error, distinct from a breach, and aborts', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  setTimeout(() => world.answers.set('health', 'error'), 100);
  const result = await runExperiment({ experiment: experiment(world, { durationMs: 5000 }), journal: j, settings, ...quiet });
  t.is(result.outcome, 'aborted');
  t.regex(result.reason ?? '', /probe-error/);
  const statuses = new Set(j.getRun(result.runId)!.probes.map((p) => p.status));
  t.true(statuses.has('error'));
  t.false(statuses.has('breach'));
  t.false(world.items.get('a')?.broken);
});

test('an inject that throws half-way is still restored', async (t) => {
  const world = fakeWorld(['a']);
  world.injectThrows = true;
  const j = journal();
  const result = await runExperiment({ experiment: experiment(world), journal: j, settings, ...quiet });
  t.is(result.outcome, 'aborted');
  t.regex(result.reason ?? '', /half-way/);
  t.false(world.items.get('a')?.broken);
  t.deepEqual(j.getRun(result.runId)?.faults.map((f) => f.status), ['restored']);
});

test('a signal (SIGTERM) during the hold stops the run and restores', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 200);
  const result = await runExperiment({ experiment: experiment(world, { durationMs: 20_000 }), journal: j, settings, signal: stop.signal, ...quiet });
  t.is(result.outcome, 'aborted');
  t.regex(result.reason ?? '', /signal/);
  t.false(world.items.get('a')?.broken);
});

test('the halt switch during the hold restores, and refuses new runs until resumed', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  setTimeout(() => Journal.open(j.path).setHalt(true, { reason: 'test' }), 200);
  const result = await runExperiment({ experiment: experiment(world, { durationMs: 20_000 }), journal: j, settings, haltPollMs: 50, ...quiet });
  t.is(result.outcome, 'halted');
  t.false(world.items.get('a')?.broken);

  const refused = await runExperiment({ experiment: experiment(world), journal: j, settings, ...quiet });
  t.is(refused.outcome, 'halted');
  t.is(world.calls.filter((c) => c.op === 'inject').length, 1);

  j.setHalt(false);
  const again = await runExperiment({ experiment: experiment(world), journal: j, settings, ...quiet });
  t.is(again.outcome, 'passed');
});

test('a restore that fails a few times then works ends restored, every attempt recorded', async (t) => {
  const world = fakeWorld(['a']);
  world.restoreFailures = 3;
  const j = journal();
  const result = await runExperiment({ experiment: experiment(world), journal: j, settings, ...quiet });
  t.is(result.outcome, 'passed');
  const [fault] = j.getRun(result.runId)!.faults;
  t.is(fault?.status, 'restored');
  t.is(fault?.attempts, 4);
  t.false(world.items.get('a')?.broken);
});

test('a restore that keeps failing gives restore-failed, and recovery restores it later', async (t) => {
  const world = fakeWorld(['a']);
  world.restoreFailures = 100;
  const j = journal();
  const result = await runExperiment({ experiment: experiment(world), journal: j, settings, ...quiet });
  t.is(result.outcome, 'restore-failed');
  t.true(world.items.get('a')?.broken);
  t.is(j.unrestoredFaults().length, 1);

  world.restoreFailures = 0;
  const report = await recoverLeftovers({
    journal: j, restore: settings.restore, targets: {}, faultTypes: new Map([['fake.item.break', fakeFault(world)]]), ...quiet,
  });
  t.is(report.restored.length, 1);
  t.false(world.items.get('a')?.broken);
  t.is(j.unrestoredFaults().length, 0);
});

test('after-probes that never pass within recovery.within give hypothesis-failed', async (t) => {
  const world = fakeWorld(['a']);
  const exp = experiment(world, { withinMs: 300, probes: [probe(world, 'health', ['before', 'during']), probe(world, 'comes-back', ['after'])] });
  world.answers.set('comes-back', 'breach');
  const j = journal();
  const result = await runExperiment({ experiment: exp, journal: j, settings, ...quiet });
  t.is(result.outcome, 'hypothesis-failed');
  t.regex(result.reason ?? '', /comes-back/);
  t.false(world.items.get('a')?.broken);
});

test('a dry run selects and checks the steady state but changes nothing', async (t) => {
  const world = fakeWorld(['a', 'b']);
  const j = journal();
  const events: string[] = [];
  const result = await runExperiment({
    experiment: experiment(world), journal: j, settings, dryRun: true, ...quiet,
    listener: (e) => { if (e.kind === 'plan') events.push(...e.lines); },
  });
  t.is(result.outcome, 'dry-run');
  t.deepEqual(world.calls, []);
  t.deepEqual(j.getRun(result.runId)?.faults, []);
  t.is(events.length, 1);
  t.regex(events[0] ?? '', /^would break item [ab]/);
});

test('deny lists and maxUnavailable refuse the run before anything is written or injected', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  const denied = await runExperiment({ experiment: experiment(world, { deny: ['a'] }), journal: j, settings, ...quiet });
  t.is(denied.outcome, 'aborted');
  t.regex(denied.reason ?? '', /safety.*deny list/);

  const world2 = fakeWorld(['a', 'b']);
  world2.items.get('b')!.broken = true;
  const capped = await runExperiment({
    experiment: experiment(world2), journal: j, settings: { ...settings, safety: { oneRunAtATime: true, maxUnavailable: 1 } }, ...quiet,
  });
  t.is(capped.outcome, 'aborted');
  t.regex(capped.reason ?? '', /maxUnavailable/);
  t.deepEqual(world.calls, []);
  t.deepEqual(world2.calls, []);
});

test('only one run at a time: a second run while one holds the lock is refused', async (t) => {
  const world = fakeWorld(['a', 'b']);
  const j = journal();
  const first = runExperiment({ experiment: experiment(world, { durationMs: 500 }), journal: j, settings, ...quiet });
  await new Promise((r) => setTimeout(r, 100));
  await t.throwsAsync(runExperiment({ experiment: experiment(world), journal: Journal.open(j.path), settings, ...quiet }), { instanceOf: LockHeldError });
  t.is((await first).outcome, 'passed');
});

test('a probe with onError: ignore records its errors but does not abort the run', async (t) => {
  const world = fakeWorld(['a']);
  const flaky = { ...probe(world, 'flaky-monitor', ['during']), onError: 'ignore' as const };
  const j = journal();
  world.answers.set('flaky-monitor', 'error');
  const result = await runExperiment({ experiment: experiment(world, { probes: [probe(world, 'health', ['before', 'after']), flaky] }), journal: j, settings, ...quiet });
  t.is(result.outcome, 'passed');
  const checks = j.getRun(result.runId)!.probes.filter((p) => p.probe === 'flaky-monitor');
  t.true(checks.length > 0);
  t.true(checks.every((p) => p.status === 'error'));
});

test('a journal that fails during the hold still gets the fault restored on the platform', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  setTimeout(() => j.close(), 150);
  const outcome = await runExperiment({ experiment: experiment(world, { durationMs: 20_000 }), journal: j, settings: { ...settings, safety: { oneRunAtATime: false } }, ...quiet })
    .then((r) => r.outcome, (err: unknown) => `threw: ${String(err)}`);
  t.regex(outcome, /threw: .*journal|closed|not open/i);
  t.deepEqual(world.calls.map((c) => c.op), ['inject', 'restore']);
  t.false(world.items.get('a')?.broken);
});

test('recovery during a live run leaves that run\'s fault alone; the run restores it itself', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  const run = runExperiment({ experiment: experiment(world, { durationMs: 800 }), journal: j, settings, ...quiet });
  await new Promise((r) => setTimeout(r, 200));
  t.is(j.unrestoredFaults()[0]?.status, 'injected');
  const report = await recoverLeftovers({ journal: Journal.open(j.path), restore: settings.restore, targets: {}, faultTypes: new Map([['fake.item.break', fakeFault(world)]]), ...quiet });
  t.deepEqual(report.restored, []);
  t.is(report.skippedLiveRuns.length, 1);
  t.true(world.items.get('a')?.broken, 'still held by the live run');
  t.is((await run).outcome, 'passed');
  t.false(world.items.get('a')?.broken);
});

test('a run whose lock is taken over by another process stops and restores', async (t) => {
  const world = fakeWorld(['a']);
  const j = journal();
  const run = runExperiment({ experiment: experiment(world, { durationMs: 30_000 }), journal: j, settings, ...quiet });
  await new Promise((r) => setTimeout(r, 300));
  const other = Journal.open(j.path);
  other.acquireLock({ runId: 'someone-else' }, 0); // a heartbeat older than 0 ms counts as stale
  const result = await run;
  t.is(result.outcome, 'aborted');
  t.regex(result.reason ?? '', /lost the run lock/);
  t.false(world.items.get('a')?.broken);
  other.releaseLock('someone-else');
});

test('a halt while waiting for recovery ends the run halted at once, not when recovery.within runs out', async (t) => {
  const world = fakeWorld(['a']);
  const exp = experiment(world, { durationMs: 100, withinMs: 20_000, probes: [probe(world, 'health', ['before']), probe(world, 'comes-back', ['after'])] });
  world.answers.set('comes-back', 'breach');
  const j = journal();
  setTimeout(() => Journal.open(j.path).setHalt(true, { reason: 'operator' }), 500);
  const started = Date.now();
  const result = await runExperiment({ experiment: exp, journal: j, settings, haltPollMs: 50, ...quiet });
  t.is(result.outcome, 'halted');
  t.true(Date.now() - started < 5000);
  t.false(world.items.get('a')?.broken);
});
