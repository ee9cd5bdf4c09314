import test from 'ava';
import { faultTypes } from '../../../src/targets/registry.js';
import { openstackClient } from '../../../src/targets/openstack/client.js';
import type { AnyFaultType, TargetRef } from '../../../src/targets/types.js';
import { withOpenStackLab } from './lab-env.js';

const marker = { runId: 'run-1', faultId: 'run-1-f1', experiment: 'kill-worker-vm' };
const fault = (type: string): AnyFaultType => faultTypes.get(type)!;

/** The one server of that name, as the fault selects it. */
async function pick(f: AnyFaultType, ctx: Parameters<AnyFaultType['select']>[0], name = 'worker-002'): Promise<TargetRef> {
  const refs = await f.select(ctx, f.target.parse({ name }), f.params.parse({}));
  if (refs.length !== 1) throw new Error(`expected one server named ${name}, got ${refs.length}`);
  return refs[0]!;
}

const cases = [
  { type: 'openstack.server.stop', faulted: 'SHUTOFF' },
  { type: 'openstack.server.pause', faulted: 'PAUSED' },
  { type: 'openstack.server.suspend', faulted: 'SUSPENDED' },
] as const;

for (const { type, faulted } of cases) {
  test(`${type}: the plan records the prior state, inject reaches ${faulted} and marks the server, restore gives back ACTIVE unmarked`, async (t) => {
    const { lab, ctx } = await withOpenStackLab(t);
    const f = fault(type);
    const ref = await pick(f, ctx);
    t.true(ref.ready);
    const plan = await f.plan(ctx, ref, f.params.parse({}));
    t.like(plan.data as object, { name: 'worker-002', statusBefore: 'ACTIVE', serverId: ref.id });
    t.is(lab.world.openstack.server('worker-002')?.status, 'ACTIVE', 'plan changes nothing');

    await f.inject(ctx, ref, f.params.parse({}), marker);
    const hit = lab.world.openstack.server('worker-002')!;
    t.is(hit.status, faulted);
    t.is(hit.metadata['gameday:fault'], 'run-1-f1');
    t.is(hit.metadata['gameday:type'], type);
    t.false((await f.verify!(ctx, plan)).ok);

    await f.restore(ctx, plan);
    const back = lab.world.openstack.server('worker-002')!;
    t.is(back.status, 'ACTIVE');
    t.deepEqual(Object.keys(back.metadata).filter((k) => k.startsWith('gameday:')), []);
    t.true((await f.verify!(ctx, plan)).ok);

    await f.restore(ctx, plan);
    t.is(lab.world.openstack.server('worker-002')?.status, 'ACTIVE', 'restoring twice is harmless');
  });
}

test('openstack.server.reboot: inject sees the reboot happen (not only the 202), restore waits for ACTIVE', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t, 5);
  const f = fault('openstack.server.reboot');
  const ref = await pick(f, ctx);
  const plan = await f.plan(ctx, ref, f.params.parse({}));
  await f.inject(ctx, ref, f.params.parse({ type: 'HARD' }), marker);
  t.not(lab.world.openstack.server('worker-002')?.status, 'ACTIVE', 'rebooting right after inject');
  await f.restore(ctx, plan);
  t.is(lab.world.openstack.server('worker-002')?.status, 'ACTIVE');
  t.is(lab.world.openstack.server('worker-002')?.metadata['gameday:fault'], undefined);
});

test('restore without inject, and of a server that is gone, is harmless', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const f = fault('openstack.server.stop');
  const ref = await pick(f, ctx);
  const plan = await f.plan(ctx, ref, f.params.parse({}));
  await f.restore(ctx, plan);
  t.is(lab.world.openstack.server('worker-002')?.status, 'ACTIVE');
  const ghost = { ...plan, data: { ...(plan.data as object), serverId: '00000000-0000-0000-0000-000000000000' } };
  await t.notThrowsAsync(f.restore(ctx, ghost));
});

test('selection matches globs, regular expressions and metadata, and a marked server is not available', async (t) => {
  const { ctx } = await withOpenStackLab(t);
  const f = fault('openstack.server.stop');
  const names = async (target: Record<string, unknown>): Promise<string[]> =>
    (await f.select(ctx, f.target.parse(target), {})).map((r) => r.name).sort();
  t.deepEqual(await names({ name: 'worker-*' }), ['worker-001', 'worker-002', 'worker-003', 'worker-004']);
  t.deepEqual(await names({ name: '/^worker-00[12]$/' }), ['worker-001', 'worker-002']);
  t.deepEqual(await names({ name: 'brick-00?' }), ['brick-001', 'brick-002', 'brick-003', 'brick-004']);
  const { nova } = openstackClient(ctx);
  await nova.setMetadata((await pick(f, ctx, 'worker-001')).id, 'gpu', 'a100');
  t.deepEqual(await names({ metadata: { gpu: 'a100' } }), ['worker-001']);
  t.deepEqual(await names({ name: 'worker-*', metadata: { gpu: 'v100' } }), []);
  const ref = await pick(f, ctx, 'worker-003');
  await fault('openstack.server.isolate').inject(ctx, ref, { method: 'port-down' }, marker);
  const refs = await f.select(ctx, f.target.parse({ name: 'worker-*' }), {});
  t.false(refs.find((r) => r.name === 'worker-003')!.ready, 'a marked server is not selectable');
  t.false(f.target.safeParse({}).success, 'a target that names nothing is refused');
});

test('findLeftovers rebuilds restore plans from the marks alone, and restoring them puts the servers back', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const f = fault('openstack.server.stop');
  const ref = await pick(f, ctx, 'worker-004');
  await f.inject(ctx, ref, {}, marker);
  const plans = await f.findLeftovers!(ctx);
  t.deepEqual(plans.map((p) => p.target.name), ['worker-004']);
  for (const p of plans) await f.restore(ctx, p);
  t.is(lab.world.openstack.server('worker-004')?.status, 'ACTIVE');
  t.deepEqual(await f.findLeftovers!(ctx), []);
});

test('a 409 from Nova on a second inject of the same fault is harmless', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const f = fault('openstack.server.stop');
  const ref = await pick(f, ctx);
  await f.inject(ctx, ref, {}, marker);
  await t.notThrowsAsync(f.inject(ctx, ref, {}, marker));
  t.is(lab.world.openstack.server('worker-002')?.status, 'SHUTOFF');
});

test('a server someone else stopped is not touched: inject refuses it and sets no mark', async (t) => {
  const { lab, ctx } = await withOpenStackLab(t);
  const f = fault('openstack.server.pause');
  const ref = await pick(f, ctx);
  lab.world.openstack.act('worker-002', 'os-stop');
  const deadline = Date.now() + 5000;
  while (lab.world.openstack.server('worker-002')?.status !== 'SHUTOFF' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await t.throwsAsync(f.inject(ctx, ref, {}, marker), { message: /not ACTIVE: not touching it/ });
  t.is(lab.world.openstack.server('worker-002')?.status, 'SHUTOFF');
  t.deepEqual(Object.keys(lab.world.openstack.server('worker-002')!.metadata).filter((k) => k.startsWith('gameday:')), []);
});
