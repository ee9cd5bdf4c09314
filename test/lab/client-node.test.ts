import test from 'ava';
import type { Lab } from '../../src/lab/index.js';
import { eventually, isReady, labFor } from './helpers.js';

const k8s = await import('@kubernetes/client-node');

function clients(lab: Lab): { kc: InstanceType<typeof k8s.KubeConfig>; core: InstanceType<typeof k8s.CoreV1Api>; apps: InstanceType<typeof k8s.AppsV1Api> } {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(lab.kubeconfig());
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

test('client-node lists pods by label selector and reads a Deployment', async (t) => {
  const lab = await labFor(t);
  const { core, apps } = clients(lab);
  const hubPods = await core.listNamespacedPod({ namespace: 'jhub', labelSelector: 'component=hub' });
  t.is(hubPods.items.length, 1);
  t.is(hubPods.items[0]?.status?.phase, 'Running');
  t.true(hubPods.items[0]?.metadata?.creationTimestamp instanceof Date);
  const hub = await apps.readNamespacedDeployment({ name: 'hub', namespace: 'jhub' });
  t.is(hub.spec?.replicas, 1);
  t.is(hub.status?.readyReplicas, 1);
  t.is(hub.metadata?.labels?.['component'], 'hub');
  const nodes = await core.listNode();
  t.is(nodes.items.length, 5);
});

test('client-node patches pod annotations with its default patch content type', async (t) => {
  const lab = await labFor(t);
  const { core } = clients(lab);
  const patched = await core.patchNamespacedPod({
    name: 'jupyter-user-003',
    namespace: 'jhub',
    body: [{ op: 'add', path: '/metadata/annotations/gameday.io~1marker', value: 'run-1' }],
  });
  t.is(patched.metadata?.annotations?.['gameday.io/marker'], 'run-1');
  t.is(lab.world.pods('jhub').find((p) => p.metadata.name === 'jupyter-user-003')?.metadata.annotations?.['gameday.io/marker'], 'run-1');
});

test('client-node deletes a pod gracefully: terminating first, gone after the grace period', async (t) => {
  const lab = await labFor(t);
  const { core } = clients(lab);
  const deleted = await core.deleteNamespacedPod({ name: 'jupyter-user-002', namespace: 'jhub', gracePeriodSeconds: 5 });
  t.truthy(deleted.metadata?.deletionTimestamp);
  t.is(deleted.metadata?.deletionGracePeriodSeconds, 5);
  await eventually(() => !lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-user-002'), 'the pod to go');
  const error = await t.throwsAsync(core.readNamespacedPod({ name: 'jupyter-user-002', namespace: 'jhub' }));
  t.is((error as unknown as { code: number }).code, 404);
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-user-002'), 'a bare user pod is not recreated');
});

test('a client-node Watch sees the deleted hub pod go and its replacement arrive', async (t) => {
  const lab = await labFor(t);
  const { kc, core } = clients(lab);
  const before = await core.listNamespacedPod({ namespace: 'jhub', labelSelector: 'component=hub' });
  const old = before.items[0]?.metadata?.name ?? '';
  const events: { type: string; name: string }[] = [];
  const watch = new k8s.Watch(kc);
  const request = await watch.watch(
    '/api/v1/namespaces/jhub/pods',
    { labelSelector: 'component=hub', resourceVersion: before.metadata?.resourceVersion },
    (type: string, object: { metadata: { name: string } }) => events.push({ type, name: object.metadata.name }),
    () => undefined,
  );
  t.teardown(() => request.abort());
  await core.deleteNamespacedPod({ name: old, namespace: 'jhub', gracePeriodSeconds: 0 });
  await eventually(() => events.some((e) => e.type === 'ADDED' && e.name !== old), 'the replacement ADDED event');
  const deletedAt = events.findIndex((e) => e.type === 'DELETED' && e.name === old);
  const addedAt = events.findIndex((e) => e.type === 'ADDED' && e.name !== old);
  t.true(deletedAt >= 0 && deletedAt < addedAt, JSON.stringify(events));
  t.regex(events[addedAt]?.name ?? '', /^hub-[a-z0-9]+-[a-z0-9]{5}$/);
});

test('client-node scales a Deployment and evicts a pod', async (t) => {
  const lab = await labFor(t);
  const { core, apps } = clients(lab);
  const scale = await apps.patchNamespacedDeploymentScale({ name: 'proxy', namespace: 'jhub', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
  t.is(scale.spec?.replicas, 3);
  await eventually(() => lab.world.pods('jhub').filter((p) => p.metadata.labels?.['component'] === 'proxy' && isReady(p)).length === 3, 'three ready proxies');
  const read = await apps.readNamespacedDeploymentScale({ name: 'proxy', namespace: 'jhub' });
  t.is(read.status?.replicas, 3);
  await core.createNamespacedPodEviction({ name: 'jupyter-user-004', namespace: 'jhub', body: { metadata: { name: 'jupyter-user-004', namespace: 'jhub' } } });
  t.truthy(lab.world.pods('jhub').find((p) => p.metadata.name === 'jupyter-user-004')?.metadata.deletionTimestamp);
});

test('a client-node informer lists then follows the pods', async (t) => {
  const lab = await labFor(t);
  const { kc, core } = clients(lab);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/jhub/pods', () => core.listNamespacedPod({ namespace: 'jhub' }));
  const deleted: string[] = [];
  informer.on('delete', (pod) => deleted.push(pod.metadata?.name ?? ''));
  await informer.start();
  t.teardown(() => informer.stop());
  t.is(informer.list('jhub').length, 10);
  await core.deleteNamespacedPod({ name: 'jupyter-user-001', namespace: 'jhub', gracePeriodSeconds: 0 });
  await eventually(() => deleted.includes('jupyter-user-001'), 'the informer delete event');
  t.is(informer.list('jhub').length, 9);
});
