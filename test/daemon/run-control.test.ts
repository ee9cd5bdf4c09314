/**
 * Runs started, refused, aborted and halted through the API, against the lab: a fault held
 * for ten minutes is restored within a second of an abort or a halt.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonGate } from '../../src/daemon/gate.js';
import { logger } from '../../src/log.js';
import { labEnv, waitFor, type LabEnv } from '../helpers/lab-env.js';
import { OPERATOR, VIEWER, testDaemon, type TestDaemon } from './helpers.js';

const HOLD = `apiVersion: gameday/v1
kind: Experiment
metadata: { name: hold-user-pod, tags: [test] }
spec:
  fault:
    type: kubernetes.pod.delete
    target: { namespace: jhub, labelSelector: "hub.jupyter.org/username=user-001" }
    duration: 10m
    params: { gracePeriod: 0s }
  steadyState:
    interval: 1s
    probes: []
  recovery: { within: 1m }
`;

let env: LabEnv;
let d: TestDaemon;

const podUp = (): boolean => env.lab.world.pods('jhub').some((p) =>
  p.metadata?.name === 'jupyter-user-001' && !p.metadata.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
const injected = (): boolean => env.journal.unrestoredFaults().some((f) => f.status === 'injected');

test.before(async () => {
  env = await labEnv(20);
  d = await testDaemon({
    dir: env.dir,
    experiments: { hold: HOLD },
    configLines: ['restore: { attempts: 6, initialDelay: 100ms, maxDelay: 1s }', 'targets:', ...Object.entries(env.targets).map(([n, s]) => `  ${n}: ${JSON.stringify(s)}`)],
  });
});
test.after.always(async () => {
  await d?.daemon.close();
  await env?.close();
});

async function startHold(t: { is(a: unknown, b: unknown, m?: string): void }): Promise<string> {
  await waitFor(podUp, 30_000, 'the user pod ready');
  const res = await d.call('POST', '/api/runs', { token: OPERATOR, body: { experiment: 'hold-user-pod' } });
  t.is(res.status, 202, JSON.stringify(res.body));
  await waitFor(injected, 30_000, 'the fault injected');
  return res.body.runId as string;
}

async function msUntilRestored(): Promise<number> {
  const start = Date.now();
  await waitFor(() => env.journal.unrestoredFaults().length === 0, 10_000, 'the fault restored');
  return Date.now() - start;
}

test.serial('an abort through the API restores the held fault within 1 s and ends the run as aborted', async (t) => {
  const runId = await startHold(t);
  const status = await d.call('GET', '/api/status', { token: VIEWER });
  t.is(status.body.currentRun?.runId, runId);
  t.is(status.body.currentRun?.state, 'holding');
  const again = await d.call('POST', '/api/runs', { token: OPERATOR, body: { experiment: 'hold-user-pod' } });
  t.is(again.status, 409);
  t.regex(again.body.error.message, /in progress/);
  t.is((await d.call('POST', `/api/runs/${runId}/abort`, { token: VIEWER })).status, 403);
  const abort = await d.call('POST', `/api/runs/${runId}/abort`, { token: OPERATOR });
  t.is(abort.status, 202);
  const ms = await msUntilRestored();
  t.true(ms <= 1000, `restored ${ms} ms after the abort`);
  await waitFor(podUp, 10_000, 'the deleted pod back');
  const run = await waitFor(async () => {
    const r = await d.call('GET', `/api/runs/${runId}`, { token: VIEWER });
    return r.body.run.state === 'done' ? r.body.run : undefined;
  }, 10_000, 'the run done');
  t.is(run.outcome, 'aborted');
  t.regex(run.reason ?? '', /signal/);
});

test.serial('a halt through the API restores the held fault within 1 s, ends the run as halted, and runs are refused until resume', async (t) => {
  const runId = await startHold(t);
  t.teardown(() => env.journal.setHalt(false));
  const halt = await d.call('POST', '/api/halt', { token: OPERATOR, body: { reason: 'exam week' } });
  t.is(halt.status, 200);
  t.is(halt.body.stopping, runId);
  const ms = await msUntilRestored();
  t.true(ms <= 1000, `restored ${ms} ms after the halt`);
  await waitFor(() => env.journal.getRun(runId)?.run.state === 'done', 10_000, 'the run done');
  const record = env.journal.getRun(runId)!.run;
  t.is(record.outcome, 'halted');
  t.regex(record.reason ?? '', /exam week/);
  t.is(env.journal.halt().by, 'bob@api');
  const refused = await d.call('POST', '/api/runs', { token: OPERATOR, body: { experiment: 'hold-user-pod' } });
  t.is(refused.status, 409);
  t.regex(refused.body.error.message, /halted: exam week/);
  t.is((await d.call('POST', '/api/resume', { token: OPERATOR })).status, 200);
  t.false(env.journal.halt().on);
  await waitFor(podUp, 10_000, 'the deleted pod back');
});

test.serial('a run is refused while another process holds the store lock', async (t) => {
  env.journal.acquireLock({ runId: 'cli-run-elsewhere' });
  try {
    const res = await d.call('POST', '/api/runs', { token: OPERATOR, body: { experiment: 'hold-user-pod' } });
    t.is(res.status, 409);
    t.regex(res.body.error.message, /another process holds the store's run lock \(run cli-run-elsewhere/);
  } finally {
    env.journal.releaseLock('cli-run-elsewhere');
  }
});

test.serial('a dry run through the API touches nothing and ends as dry-run', async (t) => {
  const res = await d.call('POST', '/api/runs', { token: OPERATOR, body: { experiment: 'hold-user-pod', dryRun: true } });
  t.is(res.status, 202);
  await waitFor(() => env.journal.getRun(res.body.runId)?.run.state === 'done', 30_000, 'the dry run done');
  t.is(env.journal.getRun(res.body.runId)?.run.outcome, 'dry-run');
  t.deepEqual(env.journal.getRun(res.body.runId)?.faults, []);
  t.true(podUp());
});

test.serial('the scheduler\'s way in runs to the verdict, stops on its signal, and is told why when refused', async (t) => {
  const file = join(env.dir, 'gate-hold.yaml');
  writeFileSync(file, HOLD);
  const gate = new DaemonGate({ journal: env.journal, settings: env.settings, catalog: [{ name: 'hold-user-pod', tags: ['test'], file }], log: logger });
  await waitFor(podUp, 30_000, 'the user pod ready');
  const stop = new AbortController();
  const answer = gate.run({ experiment: 'hold-user-pod', gameday: 'tuesday' }, stop.signal);
  await waitFor(injected, 30_000, 'the fault injected');
  t.is(gate.current()?.gameday, 'tuesday');
  t.deepEqual(await gate.run({ experiment: 'hold-user-pod', gameday: 'tuesday' }, new AbortController().signal), { refused: `run ${gate.current()?.runId} of hold-user-pod is in progress` });
  stop.abort();
  const result = await answer;
  t.true('outcome' in result && result.outcome === 'aborted', JSON.stringify(result));
  t.deepEqual(env.journal.unrestoredFaults(), []);
  t.is(gate.current(), undefined);
  env.journal.setHalt(true, { reason: 'freeze' });
  t.teardown(() => env.journal.setHalt(false));
  const refused = await gate.run({ experiment: 'hold-user-pod', gameday: 'tuesday' }, new AbortController().signal);
  t.regex('refused' in refused ? refused.refused : '', /^halted: freeze/);
  t.is(env.journal.listRuns({ limit: 1 })[0]?.id, 'runId' in result ? result.runId : '', 'nothing was recorded for the refused run');
  gate.close('not the leader');
  env.journal.setHalt(false);
  t.deepEqual(await gate.run({ experiment: 'hold-user-pod', gameday: 'tuesday' }, new AbortController().signal), { refused: 'not the leader' });
  await waitFor(podUp, 30_000, 'the user pod back');
});
