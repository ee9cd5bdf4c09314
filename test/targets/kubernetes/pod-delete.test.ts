import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import type { Pod } from '../../../src/lab/index.js';
import { kubeClients } from '../../../src/targets/kubernetes/client.js';
import { markPatch } from '../../../src/targets/kubernetes/markers.js';
import { podDelete } from '../../../src/targets/kubernetes/pod-delete.js';
import type { Marker, RestorePlan, TargetRef } from '../../../src/targets/types.js';
import { eventually, withLab } from './lab.js';

const marker: Marker = { runId: 'run-7', faultId: 'fault-1', experiment: 'kill-hub' };
const MARK_KEYS = ['gameday.io/injected', 'gameday.io/run', 'gameday.io/fault', 'gameday.io/experiment'];

function byName(pods: Pod[], name: string): Pod | undefined {
  return pods.find((p) => p.metadata.name === name);
}

function marks(pod: Pod | undefined): string[] {
  const keys = [...Object.keys(pod?.metadata.labels ?? {}), ...Object.keys(pod?.metadata.annotations ?? {})];
  return keys.filter((k) => MARK_KEYS.includes(k)).sort();
}

async function selectOne(ctx: Parameters<typeof podDelete.select>[0], labelSelector: string): Promise<TargetRef> {
  const [ref] = await podDelete.select(ctx, { namespace: 'jhub', labelSelector }, {});
  if (!ref) throw new Error(`nothing matches ${labelSelector}`);
  return ref;
}

interface PlanData {
  namespace: string;
  name: string;
  uid: string;
  owner: { kind: string; name: string } | null;
  replicasBefore: number | null;
  readyBefore: number | null;
  manifest: { metadata: Record<string, unknown>; spec: Record<string, unknown>; status?: unknown } | null;
}

const data = (plan: RestorePlan): PlanData => plan.data as unknown as PlanData;

test('select lists the pods matching the selectors, grouped by their workload, with their facts', async (t) => {
  const { ctx, lab } = await withLab(t);
  const users = await podDelete.select(ctx, { namespace: 'jhub', labelSelector: 'component=singleuser-server' }, {});
  t.deepEqual(users.map((r) => r.name), ['jupyter-user-001', 'jupyter-user-002', 'jupyter-user-003', 'jupyter-user-004', 'jupyter-user-005', 'jupyter-user-006']);
  // Bare pods have no group: maxUnavailable counts them against the whole selection.
  t.true(users.every((r) => r.ready && r.kind === 'kubernetes.pod' && r.group === undefined && r.attributes['owner'] === ''));
  const first = users[0];
  const stored = byName(lab.world.pods('jhub'), 'jupyter-user-001');
  t.deepEqual(first?.attributes, { namespace: 'jhub', node: stored?.spec.nodeName ?? '', uid: stored?.metadata.uid ?? '', owner: '', phase: 'Running' });
  t.is(first?.id, 'jhub/jupyter-user-001');

  const control = await podDelete.select(ctx, { namespace: 'jhub', labelSelector: 'component in (hub,user-scheduler)' }, {});
  t.deepEqual(control.map((r) => r.group), ['jhub/Deployment/hub', 'jhub/Deployment/user-scheduler', 'jhub/Deployment/user-scheduler']);
  t.true(control.every((r) => r.attributes['owner']?.startsWith('Deployment/')));
});

test('select narrows by field selector and reports pods of a NotReady node as not ready', async (t) => {
  const { ctx, lab } = await withLab(t);
  const node = byName(lab.world.pods('jhub'), 'jupyter-user-001')?.spec.nodeName ?? '';
  const onNode = await podDelete.select(ctx, { namespace: 'jhub', labelSelector: 'component=singleuser-server', fieldSelector: `spec.nodeName=${node}` }, {});
  t.true(onNode.length >= 1);
  t.true(onNode.every((r) => r.attributes['node'] === node));
  lab.world.setNodeReady(node, false);
  t.true(
    await eventually(async () => {
      const refs = await podDelete.select(ctx, { namespace: 'jhub', labelSelector: 'component=singleuser-server', fieldSelector: `spec.nodeName=${node}` }, {});
      return refs.length > 0 && refs.every((r) => !r.ready);
    }),
  );
});

test('plan captures the owner and its ready replicas before, and changes nothing', async (t) => {
  const { ctx, lab } = await withLab(t);
  const before = JSON.stringify(lab.world.pods('jhub'));
  const hub = await podDelete.plan(ctx, await selectOne(ctx, 'component=hub'), { gracePeriod: '0s' });
  t.is(hub.type, 'kubernetes.pod.delete');
  t.like(data(hub), { namespace: 'jhub', owner: { kind: 'Deployment', name: 'hub' }, replicasBefore: 1, readyBefore: 1, manifest: null });
  const scheduler = await podDelete.plan(ctx, await selectOne(ctx, 'component=user-scheduler'), {});
  t.like(data(scheduler), { owner: { kind: 'Deployment', name: 'user-scheduler' }, replicasBefore: 2, readyBefore: 2 });
  t.is(JSON.stringify(lab.world.pods('jhub')), before);
  t.is(podDelete.describe(hub.target, { gracePeriod: '0s' }), `delete pod ${hub.target.id} (grace 0s)`);
});

test('plan keeps a bare pod manifest without status, server-set fields or node', async (t) => {
  const { ctx } = await withLab(t);
  const plan = await podDelete.plan(ctx, await selectOne(ctx, 'component=singleuser-server'), {});
  const d = data(plan);
  t.is(d.owner, null);
  t.is(d.readyBefore, null);
  const manifest = d.manifest;
  t.truthy(manifest);
  t.is(manifest?.metadata['name'], 'jupyter-user-001');
  t.like(manifest?.metadata['labels'], { component: 'singleuser-server' });
  for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields']) t.false(key in (manifest?.metadata ?? {}), key);
  t.false('status' in (manifest ?? {}));
  t.false('nodeName' in (manifest?.spec ?? {}));
  t.true(Array.isArray(manifest?.spec['containers']));
});

test('inject marks the pod before deleting it with the grace period', async (t) => {
  const { ctx, lab } = await withLab(t);
  const ref = await selectOne(ctx, 'component=singleuser-server');
  await podDelete.inject(ctx, ref, { gracePeriod: '1m' }, marker);
  const dying = byName(lab.world.pods('jhub'), ref.name);
  t.truthy(dying?.metadata.deletionTimestamp);
  t.deepEqual(marks(dying), [...MARK_KEYS].sort());
  t.is(dying?.metadata.annotations?.['gameday.io/run'], 'run-7');
  t.true(await eventually(() => byName(lab.world.pods('jhub'), ref.name) === undefined));
});

test('inject twice deletes once: the replacement pod is left alone', async (t) => {
  const { ctx, lab } = await withLab(t);
  const ref = await selectOne(ctx, 'component=hub');
  await podDelete.inject(ctx, ref, { gracePeriod: '0s' }, marker);
  t.is(byName(lab.world.pods('jhub'), ref.name), undefined);
  await podDelete.inject(ctx, ref, { gracePeriod: '0s' }, marker);
  const hubs = () => lab.world.pods('jhub').filter((p) => p.metadata.labels?.['component'] === 'hub');
  t.true(await eventually(() => hubs().length === 1 && hubs()[0]?.metadata.name !== ref.name));
  const replacement = hubs()[0]?.metadata.uid;
  await podDelete.inject(ctx, ref, { gracePeriod: '0s' }, marker);
  t.is(hubs()[0]?.metadata.uid, replacement);
  t.deepEqual(marks(hubs()[0]), []);
});

test('a deleted bare user pod is created again by restore, same name and labels, without marks', async (t) => {
  const { ctx, lab } = await withLab(t);
  const ref = await selectOne(ctx, 'component=singleuser-server');
  const original = byName(lab.world.pods('jhub'), ref.name);
  const plan = await podDelete.plan(ctx, ref, { gracePeriod: '0s' });
  await podDelete.inject(ctx, ref, { gracePeriod: '0s' }, marker);
  t.is(byName(lab.world.pods('jhub'), ref.name), undefined);
  t.false((await podDelete.verify!(ctx, plan)).ok);

  await podDelete.restore(ctx, plan);
  const again = byName(lab.world.pods('jhub'), ref.name);
  t.truthy(again);
  t.not(again?.metadata.uid, original?.metadata.uid);
  t.deepEqual(again?.metadata.labels, original?.metadata.labels);
  t.deepEqual(marks(again), []);
  t.true(await eventually(async () => (await podDelete.verify!(ctx, plan)).ok));
  t.deepEqual(await podDelete.verify!(ctx, plan), { ok: true, value: 1, detail: `pod ${ref.id} ready` });
});

test('restoring twice is harmless', async (t) => {
  const { ctx, lab } = await withLab(t);
  const ref = await selectOne(ctx, 'component=singleuser-server');
  const plan = await podDelete.plan(ctx, ref, {});
  await podDelete.inject(ctx, ref, { gracePeriod: '0s' }, marker);
  await podDelete.restore(ctx, plan);
  const first = byName(lab.world.pods('jhub'), ref.name)?.metadata.uid;
  await podDelete.restore(ctx, plan);
  const users = lab.world.pods('jhub').filter((p) => p.metadata.name === ref.name);
  t.is(users.length, 1);
  t.is(users[0]?.metadata.uid, first);
});

test('restoring without an inject changes nothing and verify is ok', async (t) => {
  const { ctx, lab } = await withLab(t);
  const hub = await podDelete.plan(ctx, await selectOne(ctx, 'component=hub'), {});
  const user = await podDelete.plan(ctx, await selectOne(ctx, 'component=singleuser-server'), {});
  const before = JSON.stringify(lab.world.pods('jhub'));
  await podDelete.restore(ctx, hub);
  await podDelete.restore(ctx, user);
  t.is(JSON.stringify(lab.world.pods('jhub')), before);
  t.true((await podDelete.verify!(ctx, hub)).ok);
  t.true((await podDelete.verify!(ctx, user)).ok);
});

test('a pod marked but never deleted is a leftover whose restore only removes the marks', async (t) => {
  const { ctx, lab } = await withLab(t);
  const ref = await selectOne(ctx, 'component=hub');
  // What a crash between marking and deleting leaves behind.
  const clients = await kubeClients(ctx);
  await clients.core.patchNamespacedPod({ name: ref.name, namespace: 'jhub', body: markPatch(marker) }, clients.mergePatch());
  const [leftover, ...rest] = await podDelete.findLeftovers!(ctx);
  t.deepEqual(rest, []);
  t.is(leftover?.target.id, ref.id);
  t.like(data(leftover as RestorePlan), { owner: { kind: 'Deployment', name: 'hub' }, readyBefore: 1, manifest: null });
  await podDelete.restore(ctx, leftover as RestorePlan);
  const pod = byName(lab.world.pods('jhub'), ref.name);
  t.is(pod?.metadata.uid, ref.attributes['uid']);
  t.falsy(pod?.metadata.deletionTimestamp);
  t.deepEqual(marks(pod), []);
  t.true((await podDelete.verify!(ctx, leftover as RestorePlan)).ok);
});

test('restore of a bare pod still terminating is a retryable error, so it is retried until the pod is gone', async (t) => {
  const { ctx, lab } = await withLab(t);
  const ref = await selectOne(ctx, 'component=singleuser-server');
  const plan = await podDelete.plan(ctx, ref, {});
  await podDelete.inject(ctx, ref, { gracePeriod: '1h' }, marker);
  t.deepEqual(marks(byName(lab.world.pods('jhub'), ref.name)), [...MARK_KEYS].sort());
  const err = await t.throwsAsync(podDelete.restore(ctx, plan), { instanceOf: TargetError });
  t.true(err.retryable);
  t.regex(err.message, /still terminating/);
});

test('after the hub pod is deleted, verify is false until the replacement is Ready, then true', async (t) => {
  const { ctx, lab } = await withLab(t);
  const ref = await selectOne(ctx, 'component=hub');
  const plan = await podDelete.plan(ctx, ref, { gracePeriod: '0s' });
  await podDelete.inject(ctx, ref, { gracePeriod: '0s' }, marker);
  await podDelete.restore(ctx, plan);
  const early = await podDelete.verify!(ctx, plan);
  t.false(early.ok);
  t.is(early.value, 0);
  t.true(await eventually(async () => (await podDelete.verify!(ctx, plan)).ok));
  const late = await podDelete.verify!(ctx, plan);
  t.is(late.value, 1);
  t.is(late.detail, 'Deployment jhub/hub: 1/1 ready (before 1)');
  t.true(lab.world.pods('jhub').some((p) => p.metadata.labels?.['component'] === 'hub' && p.metadata.name !== ref.name));
});

test('with the hub Deployment broken, verify stays false', async (t) => {
  const { ctx, lab } = await withLab(t);
  lab.world.setDeploymentBroken('jhub', 'hub', true);
  const ref = await selectOne(ctx, 'component=hub');
  const plan = await podDelete.plan(ctx, ref, {});
  await podDelete.inject(ctx, ref, { gracePeriod: '0s' }, marker);
  await podDelete.restore(ctx, plan);
  t.false(await eventually(async () => (await podDelete.verify!(ctx, plan)).ok, 2_000));
  lab.world.setDeploymentBroken('jhub', 'hub', false);
});

test('findLeftovers finds marked pods still present, and restore clears them', async (t) => {
  const { ctx, lab } = await withLab(t);
  t.deepEqual(await podDelete.findLeftovers!(ctx), []);
  const ref = await selectOne(ctx, 'component=singleuser-server');
  await podDelete.inject(ctx, ref, { gracePeriod: '2m' }, marker);
  const leftovers = await podDelete.findLeftovers!(ctx);
  t.deepEqual(leftovers.map((p) => p.target.id), [ref.id]);
  const plan = leftovers[0] as RestorePlan;
  t.like(data(plan), { name: ref.name, owner: null });
  t.deepEqual(marks({ metadata: data(plan).manifest?.metadata } as Pod), []);
  // Once the bare pod is gone, the leftover plan brings it back.
  t.true(await eventually(() => byName(lab.world.pods('jhub'), ref.name) === undefined));
  await podDelete.restore(ctx, plan);
  t.deepEqual(marks(byName(lab.world.pods('jhub'), ref.name)), []);
  t.deepEqual(await podDelete.findLeftovers!(ctx), []);
});

test('an API answering 503 gives retryable TargetErrors', async (t) => {
  const { ctx, lab } = await withLab(t);
  lab.world.apiFaults.set('kubernetes', { errorStatus: 503, errorRate: 1 });
  const err = await t.throwsAsync(podDelete.select(ctx, { namespace: 'jhub', labelSelector: 'component=hub' }, {}), { instanceOf: TargetError });
  t.true(err.retryable);
  t.is(err.status, 503);
});

test('an API answering 403 or 404 gives non-retryable TargetErrors', async (t) => {
  const { ctx, lab } = await withLab(t);
  const ref = await selectOne(ctx, 'component=hub');
  const missing: TargetRef = { ...ref, id: 'jhub/no-such-pod', name: 'no-such-pod' };
  const e404 = await t.throwsAsync(podDelete.plan(ctx, missing, {}), { instanceOf: TargetError });
  t.false(e404.retryable);
  t.is(e404.status, 404);
  t.regex(e404.message, /no-such-pod/);
  lab.world.apiFaults.set('kubernetes', { errorStatus: 403, errorRate: 1 });
  const e403 = await t.throwsAsync(podDelete.select(ctx, { namespace: 'jhub', labelSelector: 'component=hub' }, {}), { instanceOf: TargetError });
  t.false(e403.retryable);
  t.is(e403.status, 403);
});

test('an API that refuses connections gives retryable TargetErrors', async (t) => {
  const { ctx, lab } = await withLab(t);
  lab.world.apiFaults.set('kubernetes', { refuse: true });
  const err = await t.throwsAsync(podDelete.select(ctx, { namespace: 'jhub', labelSelector: 'component=hub' }, {}), { instanceOf: TargetError });
  t.true(err.retryable);
});
