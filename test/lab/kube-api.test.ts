import test from 'ava';
import type { KubeObject } from '../../src/lab/index.js';
import { kube, labFor } from './helpers.js';

interface List {
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

test('discovery lists the core group and the apps, policy, coordination and networking groups', async (t) => {
  const lab = await labFor(t);
  const api = await kube(lab, '/api');
  t.is(api.body['kind'], 'APIVersions');
  t.deepEqual(api.body['versions'], ['v1']);
  const groups = await kube<{ groups: { preferredVersion: { groupVersion: string } }[] }>(lab, '/apis');
  const versions = groups.body.groups.map((g) => g.preferredVersion.groupVersion);
  for (const gv of ['apps/v1', 'policy/v1', 'coordination.k8s.io/v1', 'networking.k8s.io/v1']) t.true(versions.includes(gv), gv);
  const core = await kube<{ groupVersion: string; resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] }>(lab, '/api/v1');
  t.is(core.body.groupVersion, 'v1');
  const byName = new Map(core.body.resources.map((r) => [r.name, r]));
  t.is(byName.get('pods/eviction')?.kind, 'Eviction');
  t.false(byName.get('nodes')?.namespaced);
  t.true(byName.get('pods')?.verbs.includes('watch'));
  const apps = await kube<{ resources: { name: string }[] }>(lab, '/apis/apps/v1');
  t.true(apps.body.resources.some((r) => r.name === 'deployments/scale'));
  t.is((await kube(lab, '/apis/apps')).body['kind'], 'APIGroup');
  t.is((await kube(lab, '/version')).body['gitVersion'], 'v1.32.4');
});

test('a missing object is a 404 NotFound Status naming the resource', async (t) => {
  const lab = await labFor(t);
  const pod = await kube(lab, '/api/v1/namespaces/jhub/pods/nope');
  t.is(pod.status, 404);
  t.deepEqual(pod.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404 });
  const deployment = await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/nope');
  t.is(deployment.body['message'], 'deployments.apps "nope" not found');
  t.deepEqual(deployment.body['details'], { name: 'nope', group: 'apps', kind: 'deployments' });
});

test('unknown routes are 404s: a Status under /api and /apis, plain text elsewhere', async (t) => {
  const lab = await labFor(t);
  for (const path of ['/api/v1/widgets', '/apis/batch/v1/jobs', '/api/v1/pods/x', '/api/v1/namespaces/jhub/nodes/x', '/apis/nope/v1']) {
    const answer = await kube(lab, path);
    t.is(answer.status, 404, path);
    t.is(answer.body['reason'], 'NotFound', path);
  }
  const other = await kube(lab, '/metrics-nope');
  t.is(other.status, 404);
  t.is(other.body as unknown, '404 page not found\n');
});

test('a verb the path does not serve is a 405 Status', async (t) => {
  const lab = await labFor(t);
  const answer = await kube(lab, '/api/v1/namespaces/jhub/pods', { method: 'PUT', json: {} });
  t.is(answer.status, 405);
  t.is(answer.body['reason'], 'MethodNotAllowed');
  t.is((await kube(lab, '/api/v1/namespaces/jhub/pods/jupyter-user-001/eviction')).status, 405);
});

test('a wrong bearer token is a 401 Status, while /version stays open', async (t) => {
  const lab = await labFor(t);
  const wrong = await kube(lab, '/api/v1/pods', { headers: { authorization: 'Bearer not-the-token' } });
  t.is(wrong.status, 401);
  t.is(wrong.body['reason'], 'Unauthorized');
  const basic = await kube(lab, '/api/v1/pods', { headers: { authorization: 'Basic dTpw' } });
  t.is(basic.status, 401);
  const version = await fetch(`${lab.endpoints.kubernetes}/version`, { headers: { authorization: 'Bearer wrong' } });
  t.is(version.status, 200);
});

test('objects carry uid, resourceVersion, creationTimestamp and a controller chain Pod → ReplicaSet → Deployment', async (t) => {
  const lab = await labFor(t);
  const list = (await kube<List>(lab, '/api/v1/namespaces/jhub/pods?labelSelector=component%3Dhub')).body;
  t.is(list.kind, 'PodList');
  t.regex(list.metadata.resourceVersion, /^\d+$/);
  const pod = list.items[0]!;
  t.false('kind' in pod, 'list items carry no kind, like the API server');
  t.regex(pod.metadata.name, /^hub-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  t.truthy(pod.metadata.uid);
  t.regex(pod.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const podOwner = pod.metadata.ownerReferences?.[0];
  t.like(podOwner, { apiVersion: 'apps/v1', kind: 'ReplicaSet', controller: true });
  const rs = (await kube<KubeObject>(lab, `/apis/apps/v1/namespaces/jhub/replicasets/${podOwner?.name ?? ''}`)).body;
  t.is(rs.metadata.uid, podOwner?.uid);
  t.like(rs.metadata.ownerReferences?.[0], { kind: 'Deployment', name: 'hub', controller: true });
  t.true(Number(rs.metadata.resourceVersion) <= Number(list.metadata.resourceVersion));
  const all = (await kube<List>(lab, '/apis/apps/v1/replicasets')).body;
  t.is(all.items.length, 4);
});

test('creating an object that exists is a 409 AlreadyExists; a stale update is a 409 Conflict', async (t) => {
  const lab = await labFor(t);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };
  const created = await kube<KubeObject>(lab, '/api/v1/namespaces/jhub/configmaps', { method: 'POST', json: cm });
  t.is(created.status, 201);
  const again = await kube(lab, '/api/v1/namespaces/jhub/configmaps', { method: 'POST', json: cm });
  t.is(again.status, 409);
  t.is(again.body['reason'], 'AlreadyExists');
  const stale = { ...created.body, data: { a: '2' }, metadata: { ...created.body.metadata, resourceVersion: '1' } };
  const conflict = await kube(lab, '/api/v1/namespaces/jhub/configmaps/settings', { method: 'PUT', json: stale });
  t.is(conflict.status, 409);
  t.is(conflict.body['reason'], 'Conflict');
  const fresh = { ...created.body, data: { a: '3' } };
  const updated = await kube<KubeObject>(lab, '/api/v1/namespaces/jhub/configmaps/settings', { method: 'PUT', json: fresh });
  t.is(updated.status, 200);
  t.deepEqual(updated.body['data'], { a: '3' });
  const inMissingNamespace = await kube(lab, '/api/v1/namespaces/nope/configmaps', { method: 'POST', json: cm });
  t.is(inMissingNamespace.status, 404);
});

test('invalid objects and scales are 422 Invalid with causes; unparseable bodies are 400', async (t) => {
  const lab = await labFor(t);
  const scale = await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/hub/scale', { method: 'PATCH', json: { spec: { replicas: -1 } }, contentType: 'application/merge-patch+json' });
  t.is(scale.status, 422);
  t.is(scale.body['reason'], 'Invalid');
  t.is((scale.body['details'] as { causes: { field: string }[] }).causes[0]?.field, 'spec.replicas');
  const badName = await kube(lab, '/api/v1/namespaces/jhub/configmaps', { method: 'POST', json: { metadata: { name: 'Not_Valid' } } });
  t.is(badName.status, 422);
  const podSpec = await kube(lab, '/api/v1/namespaces/jhub/pods/jupyter-user-001', { method: 'PATCH', json: { spec: { nodeName: 'worker-004' } }, contentType: 'application/merge-patch+json' });
  t.is(podSpec.status, 422);
  const garbage = await fetch(`${lab.endpoints.kubernetes}/api/v1/namespaces/jhub/configmaps`, { method: 'POST', headers: { authorization: 'Bearer lab-kube-token', 'content-type': 'application/json' }, body: '{nope' });
  t.is(garbage.status, 400);
  const applyPatch = await kube(lab, '/api/v1/namespaces/jhub/pods/jupyter-user-001', { method: 'PATCH', json: {}, contentType: 'application/apply-patch+yaml' });
  t.is(applyPatch.status, 415);
});

test('patches change labels and annotations of pods, nodes and deployments in every patch type', async (t) => {
  const lab = await labFor(t);
  const json = await kube<KubeObject>(lab, '/api/v1/namespaces/jhub/pods/jupyter-user-001', { method: 'PATCH', json: [{ op: 'add', path: '/metadata/annotations/gameday.io~1run', value: 'r1' }], contentType: 'application/json-patch+json' });
  t.is(json.status, 200);
  t.is(json.body.metadata.annotations?.['gameday.io/run'], 'r1');
  const merge = await kube<KubeObject>(lab, '/api/v1/nodes/worker-002', { method: 'PATCH', json: { metadata: { labels: { 'gameday.io/target': 'yes' } } }, contentType: 'application/merge-patch+json' });
  t.is(merge.body.metadata.labels?.['gameday.io/target'], 'yes');
  const strategic = await kube<KubeObject>(lab, '/apis/apps/v1/namespaces/jhub/deployments/hub', { method: 'PATCH', json: { metadata: { annotations: { note: 'x' } } }, contentType: 'application/strategic-merge-patch+json' });
  t.is(strategic.body.metadata.annotations?.['note'], 'x');
  t.is(lab.world.deployments('jhub').find((d) => d.metadata.name === 'hub')?.metadata.annotations?.['note'], 'x');
  const stale = await kube(lab, '/api/v1/nodes/worker-002', { method: 'PATCH', json: { metadata: { resourceVersion: '1', labels: { x: 'y' } } }, contentType: 'application/merge-patch+json' });
  t.is(stale.status, 409);
  const missingPath = await kube(lab, '/api/v1/namespaces/jhub/pods/jupyter-user-001', { method: 'PATCH', json: [{ op: 'replace', path: '/metadata/nothing/here', value: 1 }], contentType: 'application/json-patch+json' });
  t.is(missingPath.status, 422);
});

test('lists page with limit and continue', async (t) => {
  const lab = await labFor(t);
  const first = (await kube<List>(lab, '/api/v1/namespaces/jhub/pods?limit=4')).body;
  t.is(first.items.length, 4);
  t.is(first.metadata.remainingItemCount, 6);
  const second = (await kube<List>(lab, `/api/v1/namespaces/jhub/pods?limit=10&continue=${first.metadata.continue ?? ''}`)).body;
  t.is(second.items.length, 6);
  t.is(second.metadata.continue, undefined);
  t.deepEqual([...first.items, ...second.items].map((p) => p.metadata.name), lab.world.pods('jhub').map((p) => p.metadata.name));
});

test('a Table is answered when the client asks for one', async (t) => {
  const lab = await labFor(t);
  const table = await kube<{ kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(lab, '/api/v1/nodes', {
    headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
  });
  t.is(table.body.kind, 'Table');
  t.deepEqual(table.body.columnDefinitions.slice(0, 5).map((c) => c.name), ['Name', 'Status', 'Roles', 'Age', 'Version']);
  t.deepEqual(table.body.rows[0]?.cells.slice(0, 3), ['master', 'Ready', 'control-plane']);
});

test('deleting a Deployment removes its ReplicaSet and pods', async (t) => {
  const lab = await labFor(t);
  const answer = await kube(lab, '/apis/apps/v1/namespaces/kube-system/deployments/coredns', { method: 'DELETE' });
  t.is(answer.status, 200);
  t.is(answer.body['status'], 'Success');
  t.is(lab.world.replicaSets('kube-system').length, 0);
  t.true(lab.world.pods('kube-system').every((p) => p.metadata.deletionTimestamp !== undefined));
});

test('a scale can be replaced with PUT, and a stale one is a 409', async (t) => {
  const lab = await labFor(t);
  const scale = (await kube<{ metadata: { resourceVersion: string }; spec: { replicas: number } }>(lab, '/apis/apps/v1/namespaces/jhub/deployments/proxy/scale')).body;
  const put = await kube<{ spec: { replicas: number } }>(lab, '/apis/apps/v1/namespaces/jhub/deployments/proxy/scale', { method: 'PUT', json: { ...scale, spec: { replicas: 2 } } });
  t.is(put.status, 200);
  t.is(put.body.spec.replicas, 2);
  const stale = await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/proxy/scale', { method: 'PUT', json: { ...scale, spec: { replicas: 3 } } });
  t.is(stale.status, 409);
  t.is(lab.world.deployments('jhub').find((d) => d.metadata.name === 'proxy')?.spec.replicas, 2);
});

test('network policies and leases are stored, listed and deleted like any resource', async (t) => {
  const lab = await labFor(t);
  const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-hub', labels: { 'gameday.io/run': 'r1' } }, spec: { podSelector: { matchLabels: { component: 'hub' } }, policyTypes: ['Ingress'] } };
  const created = await kube<KubeObject>(lab, '/apis/networking.k8s.io/v1/namespaces/jhub/networkpolicies', { method: 'POST', json: policy });
  t.is(created.status, 201);
  t.is(created.body.metadata.generation, 1);
  const listed = await kube<List>(lab, '/apis/networking.k8s.io/v1/networkpolicies?labelSelector=gameday.io%2Frun%3Dr1');
  t.deepEqual(listed.body.items.map((p) => p.metadata.name), ['deny-hub']);
  const deleted = await kube(lab, '/apis/networking.k8s.io/v1/namespaces/jhub/networkpolicies/deny-hub', { method: 'DELETE' });
  t.like(deleted.body, { kind: 'Status', status: 'Success', details: { name: 'deny-hub', group: 'networking.k8s.io', kind: 'networkpolicies' } });
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'gameday' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } };
  t.is((await kube(lab, '/apis/coordination.k8s.io/v1/namespaces/jhub/leases', { method: 'POST', json: lease })).status, 201);
  const wrongKind = await kube(lab, '/apis/coordination.k8s.io/v1/namespaces/jhub/leases', { method: 'POST', json: { ...lease, kind: 'Pod' } });
  t.is(wrongKind.status, 400);
});

test('a percent-encoding the server cannot decode is a 404, not a crash', async (t) => {
  const lab = await labFor(t);
  t.is((await kube(lab, '/api/v1/namespaces/jhub/pods/%E0%A4%A')).status, 404);
  t.deepEqual(lab.world.internalErrors, []);
});
