import test from 'ava';
import { runExperiment } from '../../src/experiments/runner.js';
import { labCatalog } from '../helpers/catalog.js';
import { Journal } from '../../src/experiments/journal.js';
import { memoryLogger } from '../helpers/ctx.js';
import { labEnv, waitFor } from '../helpers/lab-env.js';

const SPEED = 20;
const quiet = { log: memoryLogger().log };

test('delete-hub-pod passes on a healthy lab: the hub comes back and user pods stay up', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const hubBefore = env.lab.world.pods('jhub').find((p) => p.metadata?.labels?.['component'] === 'hub');
  const exp = await labCatalog('delete-hub-pod', SPEED);
  const result = await runExperiment({ experiment: exp, journal: env.journal, settings: env.settings, ...quiet });
  t.is(result.outcome, 'passed', result.reason ?? '');
  const hubAfter = env.lab.world.pods('jhub').find((p) => p.metadata?.labels?.['component'] === 'hub');
  t.truthy(hubAfter);
  t.not(hubAfter?.metadata?.name, hubBefore?.metadata?.name);
  const detail = env.journal.getRun(result.runId)!;
  t.deepEqual(detail.faults.map((f) => f.status), ['restored']);
  t.true(detail.probes.some((p) => p.probe === 'hub-health' && p.phase === 'after' && p.status === 'ok'));
  t.true((result.recoveryMs ?? -1) >= 0);
});

test('delete-hub-pod gives hypothesis-failed on a lab where the hub never comes back', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  env.lab.world.setDeploymentBroken('jhub', 'hub', true);
  const exp = await labCatalog('delete-hub-pod', SPEED);
  const result = await runExperiment({ experiment: exp, journal: env.journal, settings: env.settings, ...quiet });
  t.is(result.outcome, 'hypothesis-failed');
  t.regex(result.reason ?? '', /hub-health/);
  const after = env.journal.getRun(result.runId)!.probes.filter((p) => p.probe === 'hub-health' && p.phase === 'after');
  t.true(after.length > 0);
  t.true(after.every((p) => p.status === 'breach'));
});

test('delete-user-pods deletes user pods and restore brings every one of them back', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const users = (): string[] => env.lab.world.pods('jhub')
    .filter((p) => p.metadata?.labels?.['component'] === 'singleuser-server' && !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata?.name ?? '').sort();
  const before = users();
  const exp = await labCatalog('delete-user-pods', SPEED);
  const result = await runExperiment({ experiment: exp, journal: env.journal, settings: env.settings, ...quiet });
  t.is(result.outcome, 'passed', result.reason ?? '');
  const faults = env.journal.getRun(result.runId)!.faults;
  t.true(faults.length >= 1);
  t.true(faults.every((f) => f.status === 'restored'));
  t.deepEqual(users(), before);
});

test('halting during the hold restores what was deleted and ends the run halted', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const exp = await labCatalog('delete-user-pods', SPEED);
  const long = { ...exp, fault: { ...exp.fault, durationMs: 60_000 } };
  const run = runExperiment({ experiment: long, journal: env.journal, settings: env.settings, haltPollMs: 50, ...quiet });
  await waitFor(() => env.journal.unrestoredFaults().some((f) => f.status === 'injected'), 10_000, 'a fault injected');
  const victim = env.journal.unrestoredFaults()[0]!.target.name;
  const other = Journal.open(env.journal.path);
  const haltedAt = Date.now();
  other.setHalt(true, { reason: 'e2e' });
  other.close();
  const result = await run;
  t.is(result.outcome, 'halted');
  t.true(Date.now() - haltedAt < 5000, 'restore happens promptly after the halt');
  t.true(env.lab.world.pods('jhub').some((p) => p.metadata?.name === victim));
  t.deepEqual(env.journal.unrestoredFaults(), []);
});

test('a dry run on the lab prints the plan and deletes nothing', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const names = (): string[] => env.lab.world.pods('jhub').map((p) => p.metadata?.uid ?? '').sort();
  const before = names();
  const lines: string[] = [];
  const exp = await labCatalog('delete-hub-pod', SPEED);
  const result = await runExperiment({
    experiment: exp, journal: env.journal, settings: env.settings, dryRun: true, ...quiet,
    listener: (e) => { if (e.kind === 'plan') lines.push(...e.lines); },
  });
  t.is(result.outcome, 'dry-run');
  t.regex(lines.join('\n'), /would delete pod jhub\/hub-/);
  t.deepEqual(names(), before);
});
