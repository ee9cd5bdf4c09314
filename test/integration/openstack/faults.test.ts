/**
 * Every OpenStack fault and probe of gameday through a real Nova and Neutron (fake virt
 * driver: real API, scheduler, conductor and state machine): the plan captures the prior
 * state, inject is seen on the cloud, restore gives back exactly that state and removes the
 * marks, restoring twice is harmless, leftovers are found from the marks alone.
 */
import test from 'ava';
import { openstackClient } from '../../../src/targets/openstack/client.js';
import { faultTypes, probeTypes } from '../../../src/targets/registry.js';
import type { Ctx, TargetRef } from '../../../src/targets/types.js';
import { realCtx } from './real-cloud.js';

const marker = { runId: 'it-run', faultId: 'it-run-f1', experiment: 'integration' };

async function server(ctx: Ctx, name: string) {
  const [s] = await openstackClient(ctx).nova.listServers({ nameRegex: `^${name}$` });
  if (!s) throw new Error(`no server ${name} on the real cloud`);
  return s;
}
const gamedayKeys = (metadata: Record<string, string>) => Object.keys(metadata).filter((k) => k.startsWith('gameday:'));

async function ref(ctx: Ctx, type: string, name: string): Promise<TargetRef> {
  const f = faultTypes.get(type)!;
  const [r] = await f.select(ctx, f.target.parse({ name }), f.params.parse({}));
  if (!r) throw new Error(`${type} selected nothing for ${name}`);
  return r;
}

const power = [
  { type: 'openstack.server.stop', params: {}, faulted: 'SHUTOFF' },
  { type: 'openstack.server.pause', params: {}, faulted: 'PAUSED' },
  { type: 'openstack.server.suspend', params: {}, faulted: 'SUSPENDED' },
] as const;

for (const { type, params, faulted } of power) {
  test.serial(`${type} on a real Nova: ${faulted} with marks while injected, ACTIVE and unmarked after restore (twice)`, async (t) => {
    const ctx = realCtx();
    const f = faultTypes.get(type)!;
    const r = await ref(ctx, type, 'worker-001');
    const p = f.params.parse(params);
    const plan = await f.plan(ctx, r, p);
    t.like(plan.data as object, { statusBefore: 'ACTIVE', name: 'worker-001' });
    await f.inject(ctx, r, p, marker);
    const hit = await server(ctx, 'worker-001');
    t.is(hit.status, faulted);
    t.is(hit.metadata['gameday:fault'], 'it-run-f1');
    await f.restore(ctx, plan);
    const back = await server(ctx, 'worker-001');
    t.is(back.status, 'ACTIVE');
    t.deepEqual(gamedayKeys(back.metadata), []);
    t.true((await f.verify!(ctx, plan)).ok);
    await f.restore(ctx, plan);
    t.is((await server(ctx, 'worker-001')).status, 'ACTIVE');
  });
}

for (const kind of ['HARD', 'SOFT'] as const) {
  test.serial(`openstack.server.reboot ${kind} on a real Nova: the reboot is observed, restore ends ACTIVE and unmarked`, async (t) => {
    const ctx = realCtx();
    const f = faultTypes.get('openstack.server.reboot')!;
    const r = await ref(ctx, 'openstack.server.reboot', 'worker-002');
    const p = f.params.parse({ type: kind });
    const plan = await f.plan(ctx, r, p);
    await f.inject(ctx, r, p, marker);
    await f.restore(ctx, plan);
    const back = await server(ctx, 'worker-002');
    t.is(back.status, 'ACTIVE');
    t.deepEqual(gamedayKeys(back.metadata), []);
  });
}

test.serial('openstack.server.isolate through real security groups: quarantine, then the exact groups back', async (t) => {
  const ctx = realCtx();
  const { neutron } = openstackClient(ctx);
  const f = faultTypes.get('openstack.server.isolate')!;
  const r = await ref(ctx, 'openstack.server.isolate', 'worker-003');
  const snapshot = async () => (await neutron.listPorts({ deviceId: r.id })).map((p) => ({ id: p.id, groups: [...p.security_groups].sort(), up: p.admin_state_up, tags: p.tags.filter((x) => x.startsWith('gameday-')) })).sort((a, b) => a.id.localeCompare(b.id));
  const before = await snapshot();
  t.true(before.length > 0);
  const p = f.params.parse({ method: 'security-groups' });
  const plan = await f.plan(ctx, r, p);
  await f.inject(ctx, r, p, marker);
  const [quarantine] = await neutron.listSecurityGroups({ name: 'gameday-quarantine', tags: ['gameday'] });
  t.truthy(quarantine);
  t.deepEqual(quarantine!.security_group_rules, [], 'the quarantine group has no rule at all');
  for (const port of await neutron.listPorts({ deviceId: r.id })) {
    t.deepEqual(port.security_groups, [quarantine!.id]);
    t.true(port.tags.includes('gameday-up:true'));
  }
  await f.restore(ctx, plan);
  t.deepEqual(await snapshot(), before);
  t.deepEqual(await neutron.listSecurityGroups({ name: 'gameday-quarantine' }), [], 'the quarantine group is deleted once unused');
  await t.notThrowsAsync(f.restore(ctx, plan));
  t.deepEqual(await snapshot(), before);
});

test.serial('openstack.server.isolate by port-down sets admin_state_up false and back', async (t) => {
  const ctx = realCtx();
  const { neutron } = openstackClient(ctx);
  const f = faultTypes.get('openstack.server.isolate')!;
  const r = await ref(ctx, 'openstack.server.isolate', 'brick-001');
  const p = f.params.parse({ method: 'port-down' });
  const plan = await f.plan(ctx, r, p);
  await f.inject(ctx, r, p, marker);
  t.true((await neutron.listPorts({ deviceId: r.id })).every((port) => !port.admin_state_up));
  await f.restore(ctx, plan);
  t.true((await neutron.listPorts({ deviceId: r.id })).every((port) => port.admin_state_up));
});

test.serial('leftovers of stop and isolate are found from the marks alone and restored', async (t) => {
  const ctx = realCtx();
  const stop = faultTypes.get('openstack.server.stop')!;
  const isolate = faultTypes.get('openstack.server.isolate')!;
  await stop.inject(ctx, await ref(ctx, 'openstack.server.stop', 'worker-001'), stop.params.parse({}), marker);
  await isolate.inject(ctx, await ref(ctx, 'openstack.server.isolate', 'worker-002'), isolate.params.parse({}), { ...marker, faultId: 'it-run-f2' });
  const stopPlans = await stop.findLeftovers!(ctx);
  const isolatePlans = await isolate.findLeftovers!(ctx);
  t.deepEqual(stopPlans.map((p) => p.target.name), ['worker-001']);
  t.deepEqual(isolatePlans.map((p) => p.target.name), ['worker-002']);
  for (const plan of stopPlans) await stop.restore(ctx, plan);
  for (const plan of isolatePlans) await isolate.restore(ctx, plan);
  t.is((await server(ctx, 'worker-001')).status, 'ACTIVE');
  t.deepEqual(await stop.findLeftovers!(ctx), []);
  t.deepEqual(await isolate.findLeftovers!(ctx), []);
});

test.serial('openstack.servers.active counts ACTIVE servers and names the others', async (t) => {
  const ctx = realCtx();
  const probe = probeTypes.get('openstack.servers.active')!;
  const all = await probe.check(ctx, probe.params.parse({ serverName: 'worker-*' }), ctx.signal);
  t.true(all.ok, all.detail);
  t.is(all.value, 3);
  const stop = faultTypes.get('openstack.server.stop')!;
  const r = await ref(ctx, 'openstack.server.stop', 'worker-003');
  const plan = await stop.plan(ctx, r, {});
  await stop.inject(ctx, r, {}, marker);
  try {
    const down = await probe.check(ctx, probe.params.parse({ serverName: 'worker-*' }), ctx.signal);
    t.false(down.ok);
    t.regex(down.detail, /worker-003 SHUTOFF/);
    t.true((await probe.check(ctx, probe.params.parse({ serverName: 'worker-*', min: 2 }), ctx.signal)).ok);
  } finally {
    await stop.restore(ctx, plan);
  }
});
