/**
 * Crash drills for OpenStack faults on the lab: a run killed after `intended` (its API
 * call in flight) or after `injected` ends with every server and port as it was, by
 * `gameday recover` alone.
 */
import test, { type ExecutionContext } from 'ava';
import { crashAndRecover } from '../helpers/crash.js';
import { labEnv } from '../helpers/lab-env.js';

const experiment = (type: string, params: string) => `apiVersion: gameday/v1
kind: Experiment
metadata: { name: crash-${type.split('.').pop()} }
spec:
  fault:
    type: ${type}
    target: { name: worker-003 }
    duration: 10m
    params: ${params}
  steadyState: { interval: 1s, probes: [] }
  recovery: { within: 1m }
`;

async function stopDrill(t: ExecutionContext, killWhen: 'intended' | 'injected'): Promise<void> {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const server = () => env.lab.world.openstack.server('worker-003');
  await crashAndRecover(t, {
    env, killWhen, system: 'openstack',
    experiment: experiment('openstack.server.stop', '{ wait: 1m }'),
    faulted: () => server()?.status === 'SHUTOFF',
    restored: () => server()?.status === 'ACTIVE' && !Object.keys(server()?.metadata ?? {}).some((k) => k.startsWith('gameday:')),
  });
}

async function isolateDrill(t: ExecutionContext, killWhen: 'intended' | 'injected'): Promise<void> {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const os = env.lab.world.openstack;
  const ports = () => os.ports().filter((p) => p.deviceId === os.server('worker-003')?.id);
  const before = JSON.stringify(ports().map((p) => [p.id, [...p.securityGroups].sort(), p.adminStateUp]));
  await crashAndRecover(t, {
    env, killWhen, system: 'openstack',
    experiment: experiment('openstack.server.isolate', '{ method: security-groups }'),
    faulted: () => os.isolated('worker-003'),
    restored: () =>
      JSON.stringify(ports().map((p) => [p.id, [...p.securityGroups].sort(), p.adminStateUp])) === before &&
      !ports().some((p) => p.tags.some((tag) => tag.startsWith('gameday-'))),
  });
}

test('a stop killed after injected: recover starts the server and removes its marks', (t) => stopDrill(t, 'injected'));
test('a stop killed after intended, its call in flight: recover leaves the server ACTIVE and unmarked', (t) => stopDrill(t, 'intended'));
test('an isolation killed after injected: recover puts back the exact security groups', (t) => isolateDrill(t, 'injected'));
test('an isolation killed after intended, its calls in flight: recover puts back the exact security groups', (t) => isolateDrill(t, 'intended'));
