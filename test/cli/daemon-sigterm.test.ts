/**
 * `gameday daemon` as a child process, sent SIGTERM while its run is in each phase: the run
 * ends, whatever it changed is restored, and the daemon exits 0. Phases are made long
 * enough to hit by slowing the lab's APIs (wall-clock latency) or failing the hub's health.
 */
import test, { type ExecutionContext } from 'ava';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunState } from '../../src/experiments/journal.js';
import { gameday } from '../helpers/cli.js';
import { labEnv, waitFor, type LabEnv } from '../helpers/lab-env.js';
import { OPERATOR, writeTokens } from '../daemon/helpers.js';

const experiment = (hold: string): string => `apiVersion: gameday/v1
kind: Experiment
metadata: { name: term-user-pod }
spec:
  fault:
    type: kubernetes.pod.delete
    target: { namespace: jhub, labelSelector: "hub.jupyter.org/username=user-001" }
    duration: ${hold}
    params: { gracePeriod: 0s }
  steadyState:
    interval: 1s
    probes:
      - { name: hub-health, type: http, endpoint: jupyterhub, path: /hub/health, status: 200, maxLatency: 30s, timeout: 30s }
  recovery: { within: 1m }
`;

let env: LabEnv;

test.before(async () => {
  env = await labEnv(20);
  const folder = join(env.dir, 'experiments');
  mkdirSync(folder);
  writeFileSync(join(folder, 'term.yaml'), experiment('4s'));
  appendFileSync(env.configFile, `daemon: { tokensFile: ${writeTokens(env.dir)}, experiments: ${folder}, shutdownTimeout: 1m }\n`);
});
test.after.always(async () => {
  await env?.close();
});

const podReady = (): boolean => env.lab.world.pods('jhub').some((p) =>
  p.metadata?.name === 'jupyter-user-001' && !p.metadata.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

interface Drill {
  /** Sets the lab up before the run starts. */
  before?: () => void;
  /** Called once the run reached `then`, before waiting for `state`. */
  then?: { state: RunState; act: () => void };
  /** The phase during which SIGTERM is sent. */
  state: RunState;
}

async function drill(t: ExecutionContext, d: Drill): Promise<void> {
  await waitFor(podReady, 30_000, 'the user pod ready');
  env.lab.world.apiFaults.clear();
  const daemon = gameday(['daemon', '--config', env.configFile, '--listen', '127.0.0.1:0']);
  t.teardown(() => {
    env.lab.world.apiFaults.clear();
    if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  });
  const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(daemon.output())?.[1], 60_000, `the daemon started: ${daemon.output()}`);
  d.before?.();
  const res = await fetch(`${url}/api/runs`, { method: 'POST', headers: { Authorization: `Bearer ${OPERATOR}` }, body: JSON.stringify({ experiment: 'term-user-pod' }) });
  const { runId } = (await res.json()) as { runId: string };
  t.is(res.status, 202);
  const state = (): RunState | undefined => env.journal.getRun(runId)?.run.state;
  if (d.then) {
    const then = d.then;
    await waitFor(() => state() === then.state, 30_000, `state ${then.state}`);
    then.act();
  }
  await waitFor(() => state() === d.state, 30_000, `state ${d.state} (now ${state()})`);
  daemon.child.kill('SIGTERM');
  env.lab.world.apiFaults.clear();
  t.is(await daemon.exited, 0, daemon.output());
  t.deepEqual(env.journal.unrestoredFaults(), [], 'every fault restored');
  const run = env.journal.getRun(runId)!.run;
  t.is(run.state, 'done');
  t.regex(daemon.output(), /shutdown: close the store: done/);
  await waitFor(podReady, 30_000, 'the user pod back');
}

test.serial('SIGTERM while the run is in preflight (slow Kubernetes API) ends it before anything is injected and exits 0', async (t) => {
  await drill(t, { before: () => env.lab.world.apiFaults.set('kubernetes', { latencyMs: 3000 }), state: 'preflight' });
});

test.serial('SIGTERM while the run checks the steady state (slow hub) exits 0 with nothing injected', async (t) => {
  await drill(t, { before: () => env.lab.world.apiFaults.set('jupyterhub', { latencyMs: 3000 }), state: 'steady-before' });
});

test.serial('SIGTERM while the fault is being injected (slow Kubernetes API) restores it and exits 0', async (t) => {
  await drill(t, {
    before: () => env.lab.world.apiFaults.set('jupyterhub', { latencyMs: 1500 }),
    then: { state: 'steady-before', act: () => env.lab.world.apiFaults.set('kubernetes', { latencyMs: 3000 }) },
    state: 'injecting',
  });
});

test.serial('SIGTERM while the fault is held restores it and exits 0', async (t) => {
  await drill(t, { state: 'holding' });
});

test.serial('SIGTERM while the fault is being restored (slow Kubernetes API) lets the restore finish and exits 0', async (t) => {
  await drill(t, { then: { state: 'holding', act: () => env.lab.world.apiFaults.set('kubernetes', { latencyMs: 3000 }) }, state: 'restoring' });
});

test.serial('SIGTERM while recovery is being verified (hub failing) exits 0 with everything restored', async (t) => {
  await drill(t, { then: { state: 'holding', act: () => env.lab.world.apiFaults.set('jupyterhub', { errorStatus: 503 }) }, state: 'recovering' });
});
