import test from 'ava';
import { faultTypes } from '../../../src/targets/registry.js';
import { openstackClient } from '../../../src/targets/openstack/client.js';
import { withOpenStackLab } from './lab-env.js';

const marker = { runId: 'run-9', faultId: 'run-9-f1', experiment: 'isolate-worker-vm' };
const isolate = faultTypes.get('openstack.server.isolate')!;

function portsOf(lab: Awaited<ReturnType<typeof withOpenStackLab>>['lab'], server: string) {
  const id = lab.world.openstack.server(server)!.id;
  return lab.world.openstack.ports().filter((p) => p.deviceId === id);
}
const groupNames = (lab: Awaited<ReturnType<typeof withOpenStackLab>>['lab'], ids: readonly string[]) =>
  ids.map((id) => lab.world.openstack.securityGroup(id)?.name ?? id).sort();

test('security-group isolation quarantines every port and restore gives back the exact groups', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const [ref] = await isolate.select(ctx, isolate.target.parse({ name: 'worker-001' }), {});
  const before = portsOf(lab, 'worker-001').map((p) => ({ id: p.id, groups: [...p.securityGroups].sort(), up: p.adminStateUp }));
  t.true(before.length > 0);
  const params = isolate.params.parse({});
  const plan = await isolate.plan(ctx, ref!, params);
  t.deepEqual((plan.data as { ports: { portId: string; securityGroups: string[] }[] }).ports.map((p) => p.portId).sort(), before.map((p) => p.id).sort());

  await isolate.inject(ctx, ref!, params, marker);
  for (const port of portsOf(lab, 'worker-001')) {
    t.deepEqual(groupNames(lab, port.securityGroups), ['gameday-quarantine']);
    t.true(port.tags.includes('gameday-up:true'));
  }
  const quarantine = lab.world.openstack.securityGroup('gameday-quarantine')!;
  t.deepEqual(quarantine.rules, [], 'the quarantine group lets nothing through');
  t.true(lab.world.openstack.isolated('worker-001'));
  t.false((await isolate.verify!(ctx, plan)).ok);

  await isolate.restore(ctx, plan);
  const after = portsOf(lab, 'worker-001').map((p) => ({ id: p.id, groups: [...p.securityGroups].sort(), up: p.adminStateUp }));
  t.deepEqual(after, before);
  t.false(portsOf(lab, 'worker-001').some((p) => p.tags.some((tag) => tag.startsWith('gameday-'))));
  t.is(lab.world.openstack.securityGroup('gameday-quarantine'), undefined, 'the unused quarantine group is deleted');
  t.is(lab.world.openstack.server('worker-001')?.metadata['gameday:fault'], undefined);
  t.true((await isolate.verify!(ctx, plan)).ok);
  await t.notThrowsAsync(isolate.restore(ctx, plan), 'restoring twice is harmless');
});

test('port-down isolation sets every port admin-down and restore brings it up again', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const [ref] = await isolate.select(ctx, isolate.target.parse({ name: 'brick-002' }), {});
  const params = isolate.params.parse({ method: 'port-down' });
  const plan = await isolate.plan(ctx, ref!, params);
  await isolate.inject(ctx, ref!, params, marker);
  t.true(portsOf(lab, 'brick-002').every((p) => !p.adminStateUp));
  t.true(lab.world.openstack.isolated('brick-002'));
  await isolate.restore(ctx, plan);
  t.true(portsOf(lab, 'brick-002').every((p) => p.adminStateUp));
  t.false(lab.world.openstack.isolated('brick-002'));
});

test('a second inject keeps the original state in the tags, and leftovers restore from tags alone', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const [ref] = await isolate.select(ctx, isolate.target.parse({ name: 'worker-003' }), {});
  const before = portsOf(lab, 'worker-003').map((p) => groupNames(lab, p.securityGroups));
  const params = isolate.params.parse({});
  await isolate.inject(ctx, ref!, params, marker);
  await isolate.inject(ctx, ref!, params, marker);
  const plans = await isolate.findLeftovers!(ctx);
  t.deepEqual(plans.map((p) => p.target.name), ['worker-003']);
  await isolate.restore(ctx, plans[0]!);
  t.deepEqual(portsOf(lab, 'worker-003').map((p) => groupNames(lab, p.securityGroups)), before);
  t.deepEqual(await isolate.findLeftovers!(ctx), []);
});

test('restore without inject changes nothing', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const [ref] = await isolate.select(ctx, isolate.target.parse({ name: 'worker-002' }), {});
  const before = JSON.stringify(portsOf(lab, 'worker-002').map((p) => [p.securityGroups, p.adminStateUp]));
  const plan = await isolate.plan(ctx, ref!, isolate.params.parse({}));
  await isolate.restore(ctx, plan);
  t.is(JSON.stringify(portsOf(lab, 'worker-002').map((p) => [p.securityGroups, p.adminStateUp])), before);
});

test('a port attached to the server after the plan is quarantined too, and restore gives it back its own groups', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const [ref] = await isolate.select(ctx, isolate.target.parse({ name: 'worker-004' }), {});
  const params = isolate.params.parse({});
  const plan = await isolate.plan(ctx, ref!, params);
  // a port of ns-002 is moved onto worker-004 between the plan and the inject
  const moved = portsOf(lab, 'ns-002')[0]!;
  const ownGroups = groupNames(lab, moved.securityGroups);
  await openstackClient(ctx).request({
    service: 'network', method: 'PUT', path: `/ports/${moved.id}`, body: { port: { device_id: ref!.id } }, action: 'move a port', ok: [200],
  });
  await isolate.inject(ctx, ref!, params, marker);
  t.deepEqual(groupNames(lab, lab.world.openstack.port(moved.id)!.securityGroups), ['gameday-quarantine']);
  await isolate.restore(ctx, plan);
  t.deepEqual(groupNames(lab, lab.world.openstack.port(moved.id)!.securityGroups), ownGroups);
  t.false(lab.world.openstack.port(moved.id)!.tags.some((tag) => tag.startsWith('gameday-')));
});
