/**
 * The promise gameday is built on: a run killed with SIGKILL after it changed the platform
 * leaves a journal from which `gameday recover` puts everything back.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Journal } from '../../src/experiments/journal.js';
import { labEnv, waitFor } from '../helpers/lab-env.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = (args: string[]): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

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

async function crashAndRecover(t: import('ava').ExecutionContext, killWhen: 'intended' | 'injected'): Promise<void> {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const file = join(env.dir, 'crash.yaml');
  writeFileSync(file, experiment);
  const pod = (): boolean => env.lab.world.pods('jhub').some((p) => p.metadata?.name === 'jupyter-user-001' && !p.metadata.deletionTimestamp);
  t.true(pod());

  if (killWhen === 'intended') env.lab.world.apiFaults.set('kubernetes', { latencyMs: 1500 });
  const child = cli(['run', file, '--config', env.configFile]);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = exitOf(child);
  const watcher = Journal.open(env.journal.path);
  try {
    await waitFor(() => watcher.unrestoredFaults().some((f) => f.status === killWhen), 30_000, `a fault row ${killWhen}: ${output}`);
  } finally {
    watcher.close();
  }
  child.kill('SIGKILL');
  t.is(await exited, null);
  // A request the killed process had in flight may still land at the lab: let it, before recovering.
  if (killWhen === 'intended') await new Promise((r) => setTimeout(r, 2000));
  env.lab.world.apiFaults.clear();
  if (killWhen === 'injected') await waitFor(() => !pod(), 5000, 'the pod deleted');

  const recover = cli(['recover', '--config', env.configFile]);
  let recoverOut = '';
  recover.stdout?.on('data', (d: Buffer) => (recoverOut += d.toString()));
  recover.stderr?.on('data', (d: Buffer) => (recoverOut += d.toString()));
  t.is(await exitOf(recover), 0, recoverOut);

  t.true(pod(), 'the deleted user pod is back');
  const runs = env.journal.listRuns();
  t.is(runs.length, 1);
  t.is(runs[0]?.outcome, 'aborted');
  t.regex(runs[0]?.reason ?? '', /closed by recovery/);
  t.deepEqual(env.journal.unrestoredFaults(), []);
  const fault = env.journal.getRun(runs[0]!.id)!.faults[0];
  t.is(fault?.status, 'restored');
}

test('a run SIGKILLed after its fault is injected is restored by gameday recover and closed as aborted', async (t) => {
  await crashAndRecover(t, 'injected');
});

test('a run SIGKILLed after its fault is intended, with the API call in flight, is restored too', async (t) => {
  await crashAndRecover(t, 'intended');
});

test('SIGTERM to a running gameday restores before the process exits, with outcome aborted and exit code 1', async (t) => {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const file = join(env.dir, 'term.yaml');
  writeFileSync(file, experiment);
  const child = cli(['run', file, '--config', env.configFile]);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = exitOf(child);
  const watcher = Journal.open(env.journal.path);
  try {
    await waitFor(() => watcher.unrestoredFaults().some((f) => f.status === 'injected'), 30_000, `a fault injected: ${output}`);
  } finally {
    watcher.close();
  }
  child.kill('SIGTERM');
  t.is(await exited, 1, output);
  t.deepEqual(env.journal.unrestoredFaults(), []);
  const [run] = env.journal.listRuns();
  t.is(run?.outcome, 'aborted');
  t.regex(run?.reason ?? '', /signal/);
  t.true(env.lab.world.pods('jhub').some((p) => p.metadata?.name === 'jupyter-user-001'), 'the deleted pod was recreated');
});
