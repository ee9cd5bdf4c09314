import test from 'ava';
import { ApiFaults } from '../../src/lab/api-faults.js';
import { hub, kube, labFor } from './helpers.js';

test('injected latency delays every answer of that system only', async (t) => {
  const lab = await labFor(t);
  lab.world.apiFaults.set('kubernetes', { latencyMs: 400 });
  const started = Date.now();
  const answer = await kube(lab, '/api/v1/nodes');
  t.is(answer.status, 200);
  t.true(Date.now() - started >= 390);
  const hubStarted = Date.now();
  await hub(lab, '/hub/health');
  t.true(Date.now() - hubStarted < 390, 'the hub is not slowed');
});

test('an injected error status answers in the system\'s own error shape until cleared', async (t) => {
  const lab = await labFor(t);
  lab.world.apiFaults.set('kubernetes', { errorStatus: 503 });
  lab.world.apiFaults.set('jupyterhub', { errorStatus: 500 });
  const kubeAnswer = await kube(lab, '/api/v1/namespaces/jhub/pods');
  t.is(kubeAnswer.status, 503);
  t.like(kubeAnswer.body, { kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
  const hubAnswer = await hub(lab, '/hub/api/users');
  t.is(hubAnswer.status, 500);
  t.like(hubAnswer.body as object, { status: 500 });
  lab.world.apiFaults.clear('kubernetes');
  t.is((await kube(lab, '/api/v1/namespaces/jhub/pods')).status, 200);
  t.is((await hub(lab, '/hub/api/users')).status, 500, 'the other system keeps its fault');
  lab.world.apiFaults.clear();
  t.is((await hub(lab, '/hub/api/users')).status, 200);
});

test('an error rate fails about that share of requests', async (t) => {
  const lab = await labFor(t);
  lab.world.apiFaults.set('kubernetes', { errorStatus: 500, errorRate: 0.5 });
  const statuses = await Promise.all(Array.from({ length: 80 }, async () => (await kube(lab, '/version')).status));
  const failed = statuses.filter((s) => s === 500).length;
  t.true(failed > 15 && failed < 65, `${failed} of 80 failed`);
  lab.world.apiFaults.set('kubernetes', { errorStatus: 500, errorRate: 0 });
  t.is((await kube(lab, '/version')).status, 200);
});

test('refused connections fail without an answer, cut open watches, and recover when cleared', async (t) => {
  const lab = await labFor(t);
  const watch = await fetch(`${lab.endpoints.kubernetes}/api/v1/pods?watch=true`, { headers: { authorization: 'Bearer lab-kube-token' } });
  const reading = (async () => {
    try {
      for await (const _chunk of watch.body as unknown as AsyncIterable<Uint8Array>) {
        // drain
      }
      return 'ended';
    } catch {
      return 'reset';
    }
  })();
  lab.world.apiFaults.set('kubernetes', { refuse: true });
  t.truthy(await reading, 'the open watch stream ended');
  await t.throwsAsync(fetch(`${lab.endpoints.kubernetes}/version`));
  t.is((await hub(lab, '/hub/health')).status, 200, 'the hub still answers');
  lab.world.apiFaults.clear('kubernetes');
  t.is((await kube(lab, '/version')).status, 200);
});

test('faults are validated when set', (t) => {
  const faults = new ApiFaults();
  t.throws(() => faults.set('kubernetes', { errorRate: 2 }), { instanceOf: RangeError });
  t.throws(() => faults.set('kubernetes', { errorStatus: 200 }), { instanceOf: RangeError });
  t.throws(() => faults.set('kubernetes', { latencyMs: -1 }), { instanceOf: RangeError });
  t.is(faults.get('kubernetes'), undefined);
  faults.clear('jupyterhub');
  t.is(faults.get('jupyterhub'), undefined);
});
