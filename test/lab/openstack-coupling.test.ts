import test from 'ava';
import type { ExecutionContext } from 'ava';
import { KUBELET_REGISTER_MS, NODE_MONITOR_GRACE_MS, type Lab, type Node, type Pod } from '../../src/lab/index.js';
import { eventually, isReady, labFor } from './helpers.js';
import { osCall, osToken, recordServer } from './openstack-helpers.js';

const SPEED = 200;
/** Timer lateness tolerated, in simulated ms (250 ms of real time, for loaded machines). */
const SLACK = 250 * SPEED;

interface Readiness {
  status: string;
  at: number;
}

function nodeReadiness(lab: Lab, name: string): Readiness[] {
  const seen: Readiness[] = [];
  lab.world.on('change', (event) => {
    if (event.key !== 'nodes' || event.object.metadata.name !== name) return;
    const status = (event.object as Node).status.conditions.find((c) => c.type === 'Ready')?.status ?? 'missing';
    if (seen.at(-1)?.status !== status) seen.push({ status, at: lab.world.clock.now() });
  });
  return seen;
}

function nodeReady(lab: Lab, name: string): string | undefined {
  return lab.world.nodes().find((n) => n.metadata.name === name)?.status.conditions.find((c) => c.type === 'Ready')?.status;
}

function within(t: ExecutionContext, delta: number, expected: number, what: string): void {
  t.true(delta >= expected - 100 && delta <= expected + SLACK, `${what}: ${delta} ms simulated, expected ${expected}`);
}

async function act(lab: Lab, name: string, body: unknown): Promise<void> {
  const id = lab.world.openstack.server(name)?.id ?? '';
  const answer = await osCall(lab, `/compute/v2.1/servers/${id}/action`, { method: 'POST', token: await osToken(lab), json: body });
  if (answer.status !== 202) throw new Error(`${JSON.stringify(body)} answered ${answer.status}`);
}

async function setPort(lab: Lab, server: string, port: Record<string, unknown>): Promise<void> {
  const id = lab.world.openstack.ports().find((p) => p.deviceId === lab.world.openstack.server(server)?.id)?.id ?? '';
  const answer = await osCall(lab, `/network/v2.0/ports/${id}`, { method: 'PUT', token: await osToken(lab), json: { port } });
  if (answer.status !== 200) throw new Error(`port update answered ${answer.status}`);
}

function deploymentPods(lab: Lab): Pod[] {
  return lab.world.pods().filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'ReplicaSet'));
}

test('a stopped worker VM makes its node NotReady after the grace period, its pods are evicted and replaced, and it is Ready again after start', async (t) => {
  const lab = await labFor(t, { speed: SPEED });
  const vm = recordServer(lab, 'worker-002');
  const node = nodeReadiness(lab, 'worker-002');
  const victims = lab.world.pods().filter((p) => p.spec.nodeName === 'worker-002').map((p) => p.metadata.name);
  t.true(victims.length > 0);
  const evictedAt = new Map<string, number>();
  lab.world.on('change', (event) => {
    const name = event.object.metadata.name;
    if (event.key === 'pods' && victims.includes(name) && event.object.metadata.deletionTimestamp && !evictedAt.has(name)) evictedAt.set(name, lab.world.clock.now());
  });

  await act(lab, 'worker-002', { 'os-stop': null });
  await eventually(() => nodeReady(lab, 'worker-002') === 'Unknown', 'node worker-002 NotReady', 20_000);
  const shutoff = vm.find((o) => o.status === 'SHUTOFF')?.at ?? 0;
  const notReady = node.find((r) => r.status === 'Unknown')?.at ?? 0;
  within(t, notReady - shutoff, NODE_MONITOR_GRACE_MS, 'SHUTOFF → node NotReady');
  t.true(lab.world.pods().filter((p) => victims.includes(p.metadata.name)).every((p) => !isReady(p)), 'its pods are not Ready at once');
  t.is(evictedAt.size, 0, 'no pod is evicted before the toleration runs out');

  await eventually(() => evictedAt.size === victims.length, 'every pod of worker-002 evicted', 20_000);
  for (const [name, at] of evictedAt) t.true(at - notReady >= 300_000 - 100, `${name} evicted ${at - notReady} ms after NotReady`);
  await eventually(() => lab.world.hubHealthy() && deploymentPods(lab).filter((p) => !p.metadata.deletionTimestamp).every((p) => isReady(p) && p.spec.nodeName !== 'worker-002'), 'replacements Ready elsewhere', 20_000);

  await act(lab, 'worker-002', { 'os-start': null });
  await eventually(() => nodeReady(lab, 'worker-002') === 'True', 'node worker-002 Ready again', 20_000);
  const active = vm.filter((o) => o.status === 'ACTIVE' && o.task === null).at(-1)?.at ?? 0;
  const ready = node.at(-1)?.at ?? 0;
  within(t, ready - active, KUBELET_REGISTER_MS, 'ACTIVE → node Ready');
  await eventually(() => !lab.world.pods().some((p) => victims.includes(p.metadata.name)), 'the evicted pods finalized once the kubelet is back', 20_000);
  t.deepEqual(lab.world.internalErrors, []);
});

test('a reboot, or a stop and start, shorter than the grace period never makes the node NotReady', async (t) => {
  const lab = await labFor(t, { speed: SPEED });
  const master = nodeReadiness(lab, 'master');
  const worker = nodeReadiness(lab, 'worker-001');
  await act(lab, 'master', { reboot: { type: 'SOFT' } });
  await act(lab, 'worker-001', { 'os-stop': null });
  await eventually(() => lab.world.openstack.server('worker-001')?.status === 'SHUTOFF', 'worker-001 SHUTOFF');
  await act(lab, 'worker-001', { 'os-start': null });
  await eventually(() => lab.world.openstack.server('worker-001')?.status === 'ACTIVE' && lab.world.openstack.server('master')?.status === 'ACTIVE', 'both ACTIVE');
  await lab.world.clock.sleep(NODE_MONITOR_GRACE_MS * 2);
  t.deepEqual(master, []);
  t.deepEqual(worker, []);
  t.is(nodeReady(lab, 'master'), 'True');
});

test('a paused or suspended worker also loses its node after the grace period', async (t) => {
  const lab = await labFor(t, { speed: SPEED });
  await act(lab, 'worker-003', { pause: null });
  await act(lab, 'worker-004', { suspend: null });
  await eventually(() => nodeReady(lab, 'worker-003') === 'Unknown' && nodeReady(lab, 'worker-004') === 'Unknown', 'both nodes NotReady', 20_000);
  await act(lab, 'worker-003', { unpause: null });
  await act(lab, 'worker-004', { resume: null });
  await eventually(() => nodeReady(lab, 'worker-003') === 'True' && nodeReady(lab, 'worker-004') === 'True', 'both nodes Ready', 20_000);
  t.pass();
});

test('a worker whose port is admin-down, or whose ports lost jhub-workers, is isolated and its node goes NotReady', async (t) => {
  const lab = await labFor(t, { speed: SPEED });
  const node = nodeReadiness(lab, 'worker-003');
  let downAt = 0;
  lab.world.openstack.once('change', () => (downAt = lab.world.clock.now()));
  await setPort(lab, 'worker-003', { admin_state_up: false });
  t.true(lab.world.openstack.isolated('worker-003'));
  t.true(lab.world.openstack.running('worker-003'), 'the VM itself still runs');
  await eventually(() => nodeReady(lab, 'worker-003') === 'Unknown', 'worker-003 NotReady', 20_000);
  within(t, (node[0]?.at ?? 0) - downAt, NODE_MONITOR_GRACE_MS, 'admin-down → NotReady');
  await setPort(lab, 'worker-003', { admin_state_up: true });
  t.false(lab.world.openstack.isolated('worker-003'));
  await eventually(() => nodeReady(lab, 'worker-003') === 'True', 'worker-003 Ready', 20_000);

  const defaultGroup = lab.world.openstack.securityGroup('default')?.id ?? '';
  await setPort(lab, 'worker-001', { security_groups: [defaultGroup] });
  t.true(lab.world.openstack.isolated('worker-001'));
  await eventually(() => nodeReady(lab, 'worker-001') === 'Unknown', 'worker-001 NotReady', 20_000);
  await setPort(lab, 'worker-001', { security_groups: [defaultGroup, lab.world.openstack.securityGroup('jhub-workers')?.id ?? ''] });
  await eventually(() => nodeReady(lab, 'worker-001') === 'True', 'worker-001 Ready', 20_000);
});

test('brick isolation is recorded on the world: glusterfs group removed, or every port admin-down', async (t) => {
  const lab = await labFor(t, { speed: SPEED });
  const { openstack } = lab.world;
  t.false(openstack.isolated('brick-002'));
  t.true(openstack.reachable('brick-002'));
  await setPort(lab, 'brick-002', { security_groups: [openstack.securityGroup('default')?.id ?? ''] });
  t.true(openstack.isolated('brick-002'));
  t.false(openstack.reachable('brick-002'));
  await setPort(lab, 'brick-004', { admin_state_up: false });
  t.true(openstack.isolated('brick-004'));
  await act(lab, 'brick-003', { 'os-stop': null });
  await eventually(() => openstack.server('brick-003')?.status === 'SHUTOFF', 'brick-003 SHUTOFF');
  t.false(openstack.isolated('brick-003'), 'a stopped brick is down, not isolated');
  t.false(openstack.reachable('brick-003'));
  t.true(openstack.reachable('brick-001'));
  t.deepEqual(lab.world.nodes().map((n) => n.metadata.name).filter((n) => n.startsWith('brick')), [], 'bricks are no Kubernetes nodes');
});
