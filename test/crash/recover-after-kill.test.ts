/**
 * The promise gameday is built on: a run killed with SIGKILL after it changed the platform
 * leaves a journal from which `gameday recover` puts everything back.
 */
import test, { type ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Journal } from '../../src/experiments/journal.js';
import { gameday } from '../helpers/cli.js';
import { crashAndRecover } from '../helpers/crash.js';
import { labEnv, waitFor, type LabEnv } from '../helpers/lab-env.js';

const experiment = `apiVersion: gameday/v1
kind: Experiment
metadata: { name: crash-user-pod }
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

const userPodUp = (env: LabEnv) => (): boolean =>
  env.lab.world.pods('jhub').some((p) => p.metadata?.name === 'jupyter-user-001' && !p.metadata.deletionTimestamp);

async function drill(t: ExecutionContext, killWhen: 'intended' | 'injected'): Promise<void> {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const up = userPodUp(env);
  await crashAndRecover(t, { env, experiment, killWhen, system: 'kubernetes', faulted: () => !up(), restored: up });
}

test('a run SIGKILLed after its fault is injected is restored by gameday recover and closed as aborted', async (t) => {
  await drill(t, 'injected');
});

test('a run SIGKILLed after its fault is intended, with the API call in flight, is restored too', async (t) => {
  await drill(t, 'intended');
});

test('SIGTERM to a running gameday restores before the process exits, with outcome aborted and exit code 1', async (t) => {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const file = join(env.dir, 'term.yaml');
  writeFileSync(file, experiment);
  const run = gameday(['run', file, '--config', env.configFile]);
  const watcher = Journal.open(env.journal.path);
  try {
    await waitFor(() => watcher.unrestoredFaults().some((f) => f.status === 'injected'), 30_000, `a fault injected: ${run.output()}`);
  } finally {
    watcher.close();
  }
  run.child.kill('SIGTERM');
  t.is(await run.exited, 1, run.output());
  t.deepEqual(env.journal.unrestoredFaults(), []);
  const [record] = env.journal.listRuns();
  t.is(record?.outcome, 'aborted');
  t.regex(record?.reason ?? '', /signal/);
  t.true(env.lab.world.pods('jhub').some((p) => p.metadata?.name === 'jupyter-user-001'), 'the deleted pod was recreated');
});
