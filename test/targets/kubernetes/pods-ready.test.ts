import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { LAB_KUBE_TOKEN } from '../../../src/lab/index.js';
import { podsReady } from '../../../src/targets/kubernetes/pods-ready.js';
import { kubernetes } from '../../../src/targets/kubernetes/index.js';
import { eventually, withLab } from './lab.js';

const signal = new AbortController().signal;
const params = (p: Record<string, unknown>) => podsReady.params.parse({ namespace: 'jhub', ...p });

test('enough ready pods is ok, with the ready count as value', async (t) => {
  const { ctx } = await withLab(t);
  const r = await podsReady.check(ctx, params({ labelSelector: 'component=user-scheduler', min: 2 }), signal);
  t.deepEqual(r, { ok: true, value: 2, detail: '2/2 ready (min 2)' });
  t.true((await podsReady.check(ctx, params({ labelSelector: 'component=hub' }), signal)).ok);
});

test('fewer ready pods than min is a breach', async (t) => {
  const { ctx } = await withLab(t);
  const r = await podsReady.check(ctx, params({ labelSelector: 'component=user-scheduler', min: 3 }), signal);
  t.deepEqual(r, { ok: false, value: 2, detail: '2/2 ready (min 3)' });
  const none = await podsReady.check(ctx, params({ labelSelector: 'component=nothing-here' }), signal);
  t.deepEqual(none, { ok: false, value: 0, detail: '0/0 ready (min 1)' });
});

test('a terminating pod does not count as ready', async (t) => {
  const { ctx, lab } = await withLab(t);
  const [user] = lab.world.pods('jhub').filter((p) => p.metadata.labels?.['component'] === 'singleuser-server');
  const name = user?.metadata.name ?? '';
  const selector = params({ labelSelector: 'component=singleuser-server', fieldSelector: `metadata.name=${name}` });
  t.true((await podsReady.check(ctx, selector, signal)).ok);
  // A slow deletion through the API leaves the pod terminating for a while.
  const response = await fetch(`${lab.endpoints.kubernetes}/api/v1/namespaces/jhub/pods/${name}?gracePeriodSeconds=3600`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${LAB_KUBE_TOKEN}` },
  });
  t.is(response.status, 200);
  t.deepEqual(await podsReady.check(ctx, selector, signal), { ok: false, value: 0, detail: '0/1 ready (min 1)' });
});

test('pods of a NotReady node drop out of the count', async (t) => {
  const { ctx, lab } = await withLab(t);
  const users = params({ labelSelector: 'component=singleuser-server', min: 6 });
  t.true((await podsReady.check(ctx, users, signal)).ok);
  const node = lab.world.pods('jhub').find((p) => p.metadata.labels?.['component'] === 'singleuser-server')?.spec.nodeName ?? '';
  lab.world.setNodeReady(node, false);
  t.true(await eventually(async () => !(await podsReady.check(ctx, users, signal)).ok));
});

test('an API answering 503 is a retryable probe error, not a breach', async (t) => {
  const { ctx, lab } = await withLab(t);
  lab.world.apiFaults.set('kubernetes', { errorStatus: 503, errorRate: 1 });
  const err = await t.throwsAsync(podsReady.check(ctx, params({ labelSelector: 'component=hub' }), signal), { instanceOf: TargetError });
  t.true(err.retryable);
});

test('a check aborted by its signal ends at once with a retryable error', async (t) => {
  const { ctx, lab } = await withLab(t);
  lab.world.apiFaults.set('kubernetes', { latencyMs: 5_000 });
  const controller = new AbortController();
  const started = Date.now();
  const pending = podsReady.check(ctx, params({ labelSelector: 'component=hub' }), controller.signal);
  setTimeout(() => controller.abort(new Error('timeout')), 100);
  const err = await t.throwsAsync(pending, { instanceOf: TargetError });
  t.true(err.retryable);
  t.true(Date.now() - started < 3_000);
});

test('the kubernetes target registers the pod fault and the pods and nodes probes', (t) => {
  t.is(kubernetes.name, 'kubernetes');
  t.deepEqual(kubernetes.faults.map((f) => f.type), ['kubernetes.pod.delete']);
  t.deepEqual(kubernetes.probes.map((p) => p.type), ['kubernetes.nodes.ready', 'kubernetes.pods.ready']);
});
