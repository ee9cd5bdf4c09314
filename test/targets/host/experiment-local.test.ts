/**
 * Whole experiments with `host.process.kill` run by the real CLI (`gameday run`, a child
 * process) on this machine, through the local transport, against a real daemonized service
 * with a front that answers 503 while it is down: the breach seen during the fault, the
 * verdict, the restore (restart command, health URL), no marker left; and a crash of gameday
 * after the inject, recovered by `gameday recover` from the marker alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Journal } from '../../../src/experiments/journal.js';
import { gameday } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/lab-env.js';
import { alive, front, procState, realService, statusOf, type RealService } from './real-service.js';

const INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 2000;

interface Env {
  s: RealService;
  frontUrl: string;
  config: string;
  store: string;
}

async function setup(t: ExecutionContext, name = 'run'): Promise<Env> {
  const s = await realService();
  const f = await front(s);
  t.teardown(async () => {
    await f.close();
    await s.close();
  });
  const dir = join(s.dir, name);
  mkdirSync(dir, { recursive: true });
  const store = join(dir, 'gameday.db');
  const config = join(dir, 'gameday.yaml');
  writeConfig(config, s, store);
  return { s, frontUrl: f.url, config, store };
}

function writeConfig(file: string, s: RealService, store: string): void {
  writeFileSync(file, [
    `store: { path: ${store} }`,
    'log: { level: info, format: json }',
    'restore: { attempts: 4, initialDelay: 200ms, maxDelay: 1s }',
    'targets:',
    `  host: ${JSON.stringify(s.settings)}`,
    '',
  ].join('\n'));
}

function experiment(env: Env, options: { signal: string; duration: string; during: boolean }): string {
  const file = join(env.s.dir, `experiment-${options.signal.toLowerCase()}.yaml`);
  writeFileSync(file, `${JSON.stringify({
    apiVersion: 'gameday/v1',
    kind: 'Experiment',
    metadata: { name: `${options.signal.toLowerCase()}-test-service` },
    spec: {
      fault: {
        type: 'host.process.kill',
        target: { host: 'localhost', pidfile: env.s.pidfile },
        duration: options.duration,
        params: { signal: options.signal, restart: { command: env.s.start }, health: { url: env.s.url, timeout: '20s' } },
      },
      steadyState: {
        interval: `${INTERVAL_MS}ms`,
        timeout: `${PROBE_TIMEOUT_MS}ms`,
        probes: [{ name: 'service-up', type: 'http', url: env.frontUrl, status: 200, phases: options.during ? ['before', 'during', 'after'] : ['before', 'after'] }],
      },
      recovery: { within: '20s' },
    },
  }, null, 2)}\n`);
  return file;
}

test('KILL with a during probe: the breach is seen within one interval, the run aborts, restore restarts the service and waits for health', async (t) => {
  const env = await setup(t);
  const before = env.s.pid()!;
  const run = gameday(['run', experiment(env, { signal: 'KILL', duration: '30s', during: true }), '--config', env.config]);
  const code = await run.exited;
  t.is(code, 1, run.output());

  const journal = Journal.open(env.store);
  t.teardown(() => journal.close());
  const [record] = journal.listRuns();
  t.is(record?.outcome, 'aborted');
  t.regex(record?.reason ?? '', /breach during the fault: service-up breach: 503/);
  const detail = journal.getRun(record!.id)!;
  const [fault] = detail.faults;
  t.is(fault?.status, 'restored');
  const breach = detail.probes.find((p) => p.phase === 'during' && p.status === 'breach');
  t.truthy(breach, 'a during check saw the breach');
  const seenAfterMs = (breach?.at ?? Infinity) - (fault?.injectedAt ?? 0);
  t.log(`breach recorded ${seenAfterMs} ms after the kill was recorded (interval ${INTERVAL_MS} ms, probe timeout ${PROBE_TIMEOUT_MS} ms)`);
  t.true(seenAfterMs <= INTERVAL_MS + PROBE_TIMEOUT_MS, `breach seen ${seenAfterMs} ms after the kill`);
  t.true(detail.probes.some((p) => p.phase === 'after' && p.status === 'ok'), 'the service answered again after the restore');

  const after = env.s.pid()!;
  env.s.track(after);
  t.not(after, before, 'restore started a new process');
  t.false(alive(before));
  t.is(await statusOf(env.s.url), 200);
  t.deepEqual(env.s.markers(), []);
});

test('STOP without a during probe passes: the same process is continued, nothing is restarted', async (t) => {
  const env = await setup(t);
  const before = env.s.pid()!;
  const started = procState(before)?.startTime;
  const run = gameday(['run', experiment(env, { signal: 'STOP', duration: '1s', during: false }), '--config', env.config]);
  t.is(await run.exited, 0, run.output());
  const journal = Journal.open(env.store);
  t.teardown(() => journal.close());
  const [record] = journal.listRuns();
  t.is(record?.outcome, 'passed', record?.reason ?? '');
  t.is(env.s.pid(), before);
  t.like(procState(before), { startTime: started });
  t.not(procState(before)?.state, 'T');
  t.deepEqual(env.s.markers(), []);
});

test('a dry run plans and describes the kill and touches nothing', async (t) => {
  const env = await setup(t);
  const before = env.s.pid()!;
  const run = gameday(['run', '--dry-run', experiment(env, { signal: 'KILL', duration: '30s', during: true }), '--config', env.config]);
  t.is(await run.exited, 0, run.output());
  const journal = Journal.open(env.store);
  t.teardown(() => journal.close());
  const [record] = journal.listRuns();
  t.is(record?.outcome, 'dry-run');
  t.regex(record?.reason ?? '', new RegExp(`would kill \\(SIGKILL\\) process ${before} \\(pidfile .*\\) on localhost; restore runs .*start\\.sh`));
  t.deepEqual(journal.getRun(record!.id)?.faults, []);
  t.is(env.s.pid(), before);
  t.true(alive(before));
  t.deepEqual(env.s.markers(), []);
});

test('gameday SIGKILLed after the kill leaves the service down with its marker; recover with no journal of it restores from the marker alone', async (t) => {
  const env = await setup(t);
  const before = env.s.pid()!;
  const run = gameday(['run', experiment(env, { signal: 'KILL', duration: '5m', during: false }), '--config', env.config]);
  t.teardown(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  const watcher = Journal.open(env.store);
  t.teardown(() => watcher.close());
  await waitFor(() => watcher.unrestoredFaults().some((f) => f.status === 'injected'), 30_000, `the fault injected: ${run.output()}`);
  run.child.kill('SIGKILL');
  t.is(await run.exited, null);
  await waitFor(() => !alive(before), 5000, 'the service to be gone');
  t.is(env.s.markers().length, 1, 'the marker is still on the host');
  await new Promise((r) => setTimeout(r, 1000));
  t.is(await statusOf(env.s.url), 0, 'nothing restarted it while gameday was dead');

  // another gameday, with a journal that knows nothing of the run: only the marker tells
  const elsewhere = join(env.s.dir, 'elsewhere');
  mkdirSync(elsewhere);
  writeConfig(join(elsewhere, 'gameday.yaml'), env.s, join(elsewhere, 'gameday.db'));
  const recover = gameday(['recover', '--config', join(elsewhere, 'gameday.yaml')]);
  t.is(await recover.exited, 0, recover.output());
  t.regex(recover.output(), /host\.process\.kill/);
  const restarted = env.s.pid()!;
  env.s.track(restarted);
  t.not(restarted, before);
  t.is(await statusOf(env.s.url), 200);
  t.deepEqual(env.s.markers(), []);

  // the original journal's row is restored too, harmlessly: it runs, so nothing starts twice
  const closing = gameday(['recover', '--config', env.config]);
  t.is(await closing.exited, 0, closing.output());
  t.is(env.s.pid(), restarted);
  t.deepEqual(watcher.unrestoredFaults(), []);
  const [record] = watcher.listRuns();
  t.is(record?.outcome, 'aborted');
  t.regex(record?.reason ?? '', /closed by recovery/);
});
