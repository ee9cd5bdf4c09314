import test from 'ava';
import type { Pod } from '../../src/lab/index.js';
import { eventually, isReady, kube, labFor, podOf } from './helpers.js';

const component = (pods: Pod[], name: string): Pod[] => pods.filter((p) => p.metadata.labels?.['component'] === name);

test('a deleted Deployment pod is replaced, and the replacement goes Pending → Running → Ready on a worker', async (t) => {
  const lab = await labFor(t);
  const old = podOf(lab, 'hub');
  const phases = new Set<string>();
  lab.world.on('change', (e) => {
    if (e.key === 'pods' && e.object.metadata.name !== old && e.object.metadata.labels?.['component'] === 'hub') {
      const pod = e.object as Pod;
      const waiting = pod.status.containerStatuses?.[0]?.state.waiting?.reason;
      phases.add(waiting ? `${pod.status.phase}/${waiting}` : `${pod.status.phase}${isReady(pod) ? '/Ready' : ''}`);
    }
  });
  await kube(lab, `/api/v1/namespaces/jhub/pods/${old}`, { method: 'DELETE' });
  const terminating = lab.world.pods('jhub').find((p) => p.metadata.name === old);
  t.truthy(terminating?.metadata.deletionTimestamp, 'the old pod is Terminating');
  const fresh = await eventually(() => component(lab.world.pods('jhub'), 'hub').find((p) => p.metadata.name !== old && isReady(p)), 'a Ready replacement');
  t.deepEqual([...phases], ['Pending', 'Pending/ContainerCreating', 'Running', 'Running/Ready']);
  t.regex(fresh.spec.nodeName ?? '', /^worker-00\d$/);
  t.truthy(fresh.status.podIP);
  t.truthy(fresh.status.hostIP);
  t.deepEqual(fresh.status.conditions?.map((c) => `${c.type}=${c.status}`).sort(), ['ContainersReady=True', 'Initialized=True', 'PodReadyToStartContainers=True', 'PodScheduled=True', 'Ready=True']);
  t.like(fresh.status.containerStatuses?.[0], { name: 'hub', ready: true, started: true, restartCount: 0 });
  await eventually(() => !lab.world.pods('jhub').some((p) => p.metadata.name === old), 'the old pod to go after its grace period');
  const hub = lab.world.deployments('jhub').find((d) => d.metadata.name === 'hub');
  t.like(hub?.status, { replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 });
  t.deepEqual(lab.world.internalErrors, []);
});

test('the replacement takes about the hub readiness time, in simulated seconds', async (t) => {
  const lab = await labFor(t, { speed: 10 });
  const deletedAt = lab.world.clock.now();
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'hub')}?gracePeriodSeconds=0`, { method: 'DELETE' });
  const fresh = await eventually(() => component(lab.world.pods('jhub'), 'hub').find(isReady), 'a Ready hub');
  const readyAt = Date.parse(fresh.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
  const seconds = (readyAt - deletedAt) / 1000;
  t.true(seconds >= 10 && seconds < 18, `${seconds} s simulated`);
});

test('scaling a Deployment adds and removes pods and keeps its status accurate', async (t) => {
  const lab = await labFor(t);
  await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/user-scheduler/scale', { method: 'PATCH', json: { spec: { replicas: 4 } }, contentType: 'application/merge-patch+json' });
  await eventually(() => component(lab.world.pods('jhub'), 'user-scheduler').filter(isReady).length === 4, 'four ready user-schedulers');
  await eventually(() => lab.world.deployments('jhub').find((d) => d.metadata.name === 'user-scheduler')?.status.readyReplicas === 4, 'status readyReplicas 4');
  await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/user-scheduler', { method: 'PATCH', json: { spec: { replicas: 1 } }, contentType: 'application/merge-patch+json' });
  await eventually(() => component(lab.world.pods('jhub'), 'user-scheduler').length === 1, 'one user-scheduler left');
  const deployment = lab.world.deployments('jhub').find((d) => d.metadata.name === 'user-scheduler');
  t.like(deployment?.status, { replicas: 1, readyReplicas: 1, availableReplicas: 1 });
  t.is(deployment?.metadata.generation, 3);
  t.is(lab.world.replicaSets('jhub').find((rs) => rs.metadata.name.startsWith('user-scheduler-'))?.status.replicas, 1);
});

test('a broken Deployment crash-loops its new pods and never gets them Ready', async (t) => {
  const lab = await labFor(t, { speed: 200 });
  lab.world.setDeploymentBroken('jhub', 'hub', true);
  const old = podOf(lab, 'hub');
  await kube(lab, `/api/v1/namespaces/jhub/pods/${old}?gracePeriodSeconds=0`, { method: 'DELETE' });
  const crashing = await eventually(() => component(lab.world.pods('jhub'), 'hub').find((p) => (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 2), 'two restarts');
  t.is(crashing.status.phase, 'Running');
  t.false(isReady(crashing));
  t.like(crashing.status.containerStatuses?.[0]?.lastState.terminated, { exitCode: 1, reason: 'Error' });
  t.is(lab.world.deployments('jhub').find((d) => d.metadata.name === 'hub')?.status.readyReplicas, undefined);
  lab.world.setDeploymentBroken('jhub', 'hub', false);
  await eventually(() => component(lab.world.pods('jhub'), 'hub').some(isReady), 'the hub Ready after the fix', 20_000);
  t.pass();
});

test('user pods are bare: deleting one does not bring it back', async (t) => {
  const lab = await labFor(t);
  await kube(lab, '/api/v1/namespaces/jhub/pods/jupyter-user-006?gracePeriodSeconds=0', { method: 'DELETE' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name.startsWith('jupyter-user-006')));
  t.is(component(lab.world.pods('jhub'), 'singleuser-server').length, 5);
});

test('a node that stops being Ready has its pods marked not Ready, then evicted and replaced elsewhere', async (t) => {
  const lab = await labFor(t, { speed: 1000 });
  const hubNode = lab.world.pods('jhub').find((p) => p.metadata.labels?.['component'] === 'hub')?.spec.nodeName ?? '';
  t.true(lab.world.setNodeReady(hubNode, 'Unknown'));
  const node = lab.world.nodes().find((n) => n.metadata.name === hubNode);
  t.is(node?.status.conditions.find((c) => c.type === 'Ready')?.status, 'Unknown');
  t.true(node?.spec.taints?.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute'));
  t.false(component(lab.world.pods('jhub'), 'hub').some(isReady), 'pods on the node are not Ready at once');
  t.false(lab.world.hubHealthy());
  const moved = await eventually(() => component(lab.world.pods('jhub'), 'hub').find((p) => isReady(p) && p.spec.nodeName !== hubNode), 'a hub Ready on another node');
  t.not(moved.spec.nodeName, hubNode);
  const stuck = component(lab.world.pods('jhub'), 'hub').find((p) => p.spec.nodeName === hubNode);
  t.truthy(stuck?.metadata.deletionTimestamp, 'the evicted pod stays Terminating while its node is unreachable');
  lab.world.setNodeReady(hubNode, true);
  await eventually(() => !lab.world.pods('jhub').some((p) => p.spec.nodeName === hubNode && p.metadata.labels?.['component'] === 'hub'), 'the terminating pod removed once the node is back');
  t.falsy(lab.world.nodes().find((n) => n.metadata.name === hubNode)?.spec.taints?.length);
});

test('pods are not scheduled on the tainted control plane nor on not-Ready nodes', async (t) => {
  const lab = await labFor(t, { workers: 2 });
  const before = new Set(lab.world.pods().map((p) => p.metadata.name));
  lab.world.setNodeReady('worker-001', false);
  await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/user-scheduler/scale', { method: 'PATCH', json: { spec: { replicas: 5 } }, contentType: 'application/merge-patch+json' });
  const fresh = await eventually(() => {
    const added = lab.world.pods('jhub').filter((p) => !before.has(p.metadata.name));
    return added.length === 3 && added.every(isReady) && added;
  }, 'three new ready user-schedulers');
  t.deepEqual([...new Set(fresh.map((p) => p.spec.nodeName))], ['worker-002']);
});

test('evictions respect the user-scheduler disruption budget with a 429', async (t) => {
  const lab = await labFor(t);
  const [first, second] = component(lab.world.pods('jhub'), 'user-scheduler').map((p) => p.metadata.name);
  const evict = (name: string | undefined): ReturnType<typeof kube<Record<string, unknown>>> =>
    kube(lab, `/api/v1/namespaces/jhub/pods/${name ?? ''}/eviction`, { method: 'POST', json: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'jhub' } } });
  t.is((await evict(first)).status, 201);
  const refused = await evict(second);
  t.is(refused.status, 429);
  t.is(refused.body['reason'], 'TooManyRequests');
  const pdb = await kube<{ status: { disruptionsAllowed: number; currentHealthy: number } }>(lab, '/apis/policy/v1/namespaces/jhub/poddisruptionbudgets/user-scheduler');
  t.is(pdb.body.status.disruptionsAllowed, 0);
  await eventually(() => component(lab.world.pods('jhub'), 'user-scheduler').filter((p) => isReady(p) && !p.metadata.deletionTimestamp).length === 2, 'the budget met again');
  t.is((await evict(second)).status, 201);
});

test('a template change rolls out a new ReplicaSet and retires the old one', async (t) => {
  const lab = await labFor(t);
  const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } };
  await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/proxy', { method: 'PATCH', json: patch, contentType: 'application/strategic-merge-patch+json' });
  await eventually(() => {
    const sets = lab.world.replicaSets('jhub').filter((rs) => rs.metadata.name.startsWith('proxy-'));
    return sets.length === 2 && sets.some((rs) => rs.spec.replicas === 0 && rs.status.replicas === 0);
  }, 'the old ReplicaSet scaled to zero');
  const deployment = lab.world.deployments('jhub').find((d) => d.metadata.name === 'proxy');
  t.is(deployment?.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  t.like(deployment?.status, { updatedReplicas: 1, readyReplicas: 1 });
});
