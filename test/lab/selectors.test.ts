import test from 'ava';
import { RESOURCES } from '../../src/lab/kubernetes/resources.js';
import { formatLabelSelector, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../src/lab/kubernetes/selectors.js';
import { KubeError } from '../../src/lab/kubernetes/status.js';
import type { KubeObject } from '../../src/lab/kubernetes/types.js';
import { kube, labFor } from './helpers.js';

const pods = RESOURCES.find((r) => r.key === 'pods')!;
const nodes = RESOURCES.find((r) => r.key === 'nodes')!;
const labels = { app: 'jupyterhub', component: 'hub', 'hub.jupyter.org/username': 'user-001', tier: '5' };

const matches = (selector: string, l: Record<string, string> | undefined = labels): boolean => matchesLabels(parseLabelSelector(selector), l);

test('equality, inequality and set-based label requirements match like the API server', (t) => {
  t.true(matches('component=hub'));
  t.true(matches('component==hub,app=jupyterhub'));
  t.false(matches('component=proxy'));
  t.true(matches('component!=proxy'));
  t.true(matches('missing!=x'), '!= matches objects without the key');
  t.true(matches('component in (hub, proxy)'));
  t.false(matches('component notin (hub,proxy)'));
  t.true(matches('missing notin (a)'), 'notin matches objects without the key');
  t.true(matches('hub.jupyter.org/username'));
  t.true(matches('!missing'));
  t.false(matches('!component'));
  t.true(matches('tier>4'));
  t.false(matches('tier<4'));
  t.true(matches(''), 'an empty selector matches everything');
  t.false(matchesLabels(parseLabelSelector('component=hub'), undefined));
});

test('a malformed label selector is a 400 Status, never an empty match', (t) => {
  for (const bad of ['component in hub', 'component in ()', '=x', 'a=b,', 'a b', 'bad key!=x', 'component=in valid']) {
    const error = t.throws(() => parseLabelSelector(bad), { instanceOf: KubeError }, bad);
    t.is(error?.status, 400, bad);
  }
});

test('label selectors print back in their string form', (t) => {
  t.is(formatLabelSelector({ matchLabels: { app: 'x', component: 'y' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['a', 'b'] }, { key: 'z', operator: 'DoesNotExist' }] }), 'app=x,component=y,k in (a,b),!z');
});

test('field selectors accept only the fields the resource declares', (t) => {
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'jhub' }, spec: { nodeName: 'worker-001' }, status: { phase: 'Running' } };
  t.true(matchesFields(parseFieldSelector('spec.nodeName=worker-001,status.phase=Running', pods), pod));
  t.true(matchesFields(parseFieldSelector('metadata.name!=q', pods), pod));
  t.false(matchesFields(parseFieldSelector('metadata.namespace==default', pods), pod));
  t.is(t.throws(() => parseFieldSelector('spec.hostname=x', pods), { instanceOf: KubeError })?.status, 400);
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: {} };
  t.true(matchesFields(parseFieldSelector('spec.unschedulable=false', nodes), node), 'an unset boolean reads as false');
});

test('pod lists honour label selectors across and within namespaces', async (t) => {
  const lab = await labFor(t);
  const names = async (path: string): Promise<string[]> => (await kube<{ items: KubeObject[] }>(lab, path)).body.items.map((p) => p.metadata.name).sort();
  const jhub = '/api/v1/namespaces/jhub/pods';
  t.is((await names(`${jhub}?labelSelector=${encodeURIComponent('component in (hub,proxy)')}`)).length, 2);
  t.is((await names(`${jhub}?labelSelector=${encodeURIComponent('component notin (singleuser-server)')}`)).length, 4);
  t.is((await names(`${jhub}?labelSelector=${encodeURIComponent('!hub.jupyter.org/username')}`)).length, 4);
  t.deepEqual(await names(`${jhub}?labelSelector=${encodeURIComponent('hub.jupyter.org/username=user-002')}`), ['jupyter-user-002']);
  t.is((await names(`${jhub}?labelSelector=${encodeURIComponent('component!=singleuser-server,component!=user-scheduler')}`)).length, 2);
  t.is((await names(`/api/v1/pods?labelSelector=${encodeURIComponent('k8s-app=kube-dns')}`)).length, 2);
  t.is((await names(`/api/v1/pods?labelSelector=app`)).length, 10);
  const bad = await kube(lab, `${jhub}?labelSelector=${encodeURIComponent('component in hub')}`);
  t.is(bad.status, 400);
  t.is(bad.body['reason'], 'BadRequest');
});

test('pod lists honour field selectors on name, namespace, node and phase', async (t) => {
  const lab = await labFor(t);
  const list = async (selector: string): Promise<KubeObject[]> => (await kube<{ items: KubeObject[] }>(lab, `/api/v1/pods?fieldSelector=${encodeURIComponent(selector)}`)).body.items;
  const onWorker = await list('spec.nodeName=worker-001');
  t.true(onWorker.length > 0);
  t.true(onWorker.every((p) => (p['spec'] as { nodeName: string }).nodeName === 'worker-001'));
  t.is((await list('metadata.namespace=kube-system')).length, 2);
  t.deepEqual((await list('metadata.name=jupyter-user-001')).map((p) => p.metadata.name), ['jupyter-user-001']);
  t.is((await list('status.phase=Running,metadata.namespace=jhub')).length, 10);
  t.is((await list('status.phase=Pending')).length, 0);
  const unsupported = await kube(lab, `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.hostname=x')}`);
  t.is(unsupported.status, 400);
  t.regex(String(unsupported.body['message']), /field label not supported: spec\.hostname/);
});
