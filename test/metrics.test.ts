import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../src/metrics.js';
import { Journal } from '../src/experiments/journal.js';
import { runExperiment } from '../src/experiments/runner.js';
import { memoryLogger } from './helpers/ctx.js';
import { experiment, fakeWorld } from './helpers/fake-target.js';

async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const sample = (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(sample?.value ?? 0);
}

test('a run counts its outcome, its probe checks, its restore attempts, and clears fault_active', async (t) => {
  const world = fakeWorld(['a']);
  world.restoreFailures = 1;
  const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'gameday-metrics-')), 'gameday.db'));
  const before = await value('gameday_runs_total', { experiment: 'fake-experiment', outcome: 'passed' });
  const attemptsBefore = await value('gameday_restore_attempts_total', { fault: 'fake.item.break', result: 'error' });
  await runExperiment({
    experiment: experiment(world), journal, log: memoryLogger().log,
    settings: { safety: { oneRunAtATime: true }, restore: { attempts: 3, initialDelayMs: 1, maxDelayMs: 2 }, targets: {} },
  });
  t.is(await value('gameday_runs_total', { experiment: 'fake-experiment', outcome: 'passed' }), before + 1);
  t.is(await value('gameday_restore_attempts_total', { fault: 'fake.item.break', result: 'error' }), attemptsBefore + 1);
  t.true((await value('gameday_probe_checks_total', { type: 'fake.flag.check', phase: 'during', status: 'ok' })) > 0);
  t.is(await value('gameday_fault_active', { experiment: 'fake-experiment', fault: 'fake.item.break', target: 'a' }), 0);
  const text = await registry.metrics();
  t.regex(text, /^gameday_run_duration_seconds_bucket/m);
  t.regex(text, /^gameday_recovery_seconds_count\{experiment="fake-experiment"\} \d+/m);
});
