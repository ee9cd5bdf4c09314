import test from 'ava';
import type { LoadedExperiment } from '../../src/experiments/model.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { labCatalog } from '../helpers/catalog.js';
import { memoryLogger } from '../helpers/ctx.js';
import { labEnv, type LabEnv } from '../helpers/lab-env.js';

const SPEED = 20;
const quiet = { log: memoryLogger().log };

async function catalog(name: string, worker: string): Promise<LoadedExperiment> {
  const exp = await labCatalog(name, SPEED);
  return { ...exp, fault: { ...exp.fault, selector: { name: worker } } };
}

/** The worker the hub pod runs on, and one it does not. */
function workers(env: LabEnv): { hub: string; other: string } {
  const hub = env.lab.world.pods('jhub').find((p) => p.metadata?.labels?.['component'] === 'hub')?.spec?.nodeName ?? '';
  const other = ['worker-001', 'worker-002', 'worker-003', 'worker-004'].find((w) => w !== hub) ?? '';
  return { hub, other };
}

function settled(env: LabEnv, worker: string): void {
  const server = env.lab.world.openstack.server(worker);
  if (server?.status !== 'ACTIVE') throw new Error(`${worker} is ${server?.status}`);
  if (Object.keys(server.metadata).some((k) => k.startsWith('gameday:'))) throw new Error(`${worker} still marked`);
}

test('kill-worker-vm passes when the stopped worker does not host the hub: the VM is ACTIVE and its node Ready again', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const { other } = workers(env);
  const result = await runExperiment({ experiment: await catalog('kill-worker-vm', other), journal: env.journal, settings: env.settings, ...quiet });
  t.is(result.outcome, 'passed', result.reason ?? '');
  t.notThrows(() => settled(env, other));
  const detail = env.journal.getRun(result.runId)!;
  t.true(detail.probes.some((p) => p.probe === 'worker-nodes-ready' && p.phase === 'after' && p.status === 'ok'));
  t.deepEqual(detail.faults.map((f) => f.status), ['restored']);
});

test('kill-worker-vm on the worker hosting the hub aborts at the breach, and still restores the VM', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const { hub } = workers(env);
  const result = await runExperiment({ experiment: await catalog('kill-worker-vm', hub), journal: env.journal, settings: env.settings, ...quiet });
  t.is(result.outcome, 'aborted');
  t.regex(result.reason ?? '', /hub-health breach/);
  t.notThrows(() => settled(env, hub));
});

test('reboot-worker-vm passes: the worker comes back ACTIVE and unmarked', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const { other } = workers(env);
  const result = await runExperiment({ experiment: await catalog('reboot-worker-vm', other), journal: env.journal, settings: env.settings, ...quiet });
  t.is(result.outcome, 'passed', result.reason ?? '');
  t.notThrows(() => settled(env, other));
});

test('isolate-worker-vm passes and gives every port of the worker its exact security groups back', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const { other } = workers(env);
  const os = env.lab.world.openstack;
  const ports = () => os.ports().filter((p) => p.deviceId === os.server(other)?.id).map((p) => [p.id, [...p.securityGroups].sort(), p.adminStateUp]);
  const before = JSON.stringify(ports());
  const result = await runExperiment({ experiment: await catalog('isolate-worker-vm', other), journal: env.journal, settings: env.settings, ...quiet });
  t.is(result.outcome, 'passed', result.reason ?? '');
  t.is(JSON.stringify(ports()), before);
  t.false(os.isolated(other));
  t.is(os.securityGroup('gameday-quarantine'), undefined);
});

test('a dry run of kill-worker-vm changes nothing on the cloud', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const { other } = workers(env);
  const before = JSON.stringify(env.lab.world.openstack.servers().map((s) => [s.name, s.status, s.metadata]));
  const lines: string[] = [];
  const result = await runExperiment({
    experiment: await catalog('kill-worker-vm', other), journal: env.journal, settings: env.settings, dryRun: true, ...quiet,
    listener: (e) => { if (e.kind === 'plan') lines.push(...e.lines); },
  });
  t.is(result.outcome, 'dry-run');
  t.regex(lines.join('\n'), new RegExp(`would stop server ${other}`));
  t.is(JSON.stringify(env.lab.world.openstack.servers().map((s) => [s.name, s.status, s.metadata])), before);
});
