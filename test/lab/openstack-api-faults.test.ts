import test from 'ava';
import { kube, labFor } from './helpers.js';
import { openstackBase, osCall, osToken, passwordAuth } from './openstack-helpers.js';

test('an injected error on openstack answers each service in its own error shape, until cleared', async (t) => {
  const lab = await labFor(t);
  const token = await osToken(lab);
  lab.world.apiFaults.set('openstack', { errorStatus: 503 });
  const compute = await osCall(lab, '/compute/v2.1/servers', { token });
  t.is(compute.status, 503);
  t.deepEqual(compute.body, { serviceUnavailable: { code: 503, message: 'injected fault' } });
  const network = await osCall(lab, '/network/v2.0/ports', { token });
  t.deepEqual(network.body, { NeutronError: { type: 'HTTPServiceUnavailable', message: 'injected fault', detail: '' } });
  const identity = await osCall(lab, '/identity/v3/auth/tokens', { method: 'POST', json: passwordAuth() });
  t.deepEqual(identity.body, { error: { code: 503, title: 'Service Unavailable', message: 'injected fault' } });
  const image = await osCall(lab, '/image/v2/images', { token });
  t.is(image.status, 503);
  t.regex(String(image.body), /<title>503 Service Unavailable<\/title>/);
  t.is((await kube(lab, '/api/v1/nodes')).status, 200, 'Kubernetes is not affected');
  lab.world.apiFaults.set('openstack', { errorStatus: 500, errorRate: 0 });
  t.is((await osCall(lab, '/compute/v2.1/servers', { token })).status, 200);
  lab.world.apiFaults.clear('openstack');
  t.is((await osCall(lab, '/network/v2.0/ports', { token })).status, 200);
});

test('latency and refused connections on openstack, and recovery when cleared', async (t) => {
  const lab = await labFor(t);
  const token = await osToken(lab);
  lab.world.apiFaults.set('openstack', { latencyMs: 300 });
  const started = Date.now();
  t.is((await osCall(lab, '/compute/v2.1/servers', { token })).status, 200);
  t.true(Date.now() - started >= 290);
  lab.world.apiFaults.set('openstack', { refuse: true });
  await t.throwsAsync(fetch(`${openstackBase(lab)}/identity/v3`));
  t.is((await kube(lab, '/version')).status, 200);
  lab.world.apiFaults.clear('openstack');
  t.is((await osCall(lab, '/identity/v3')).status, 200);
});

test('an unexpected failure inside a handler is a 500 in the service\'s shape and is reported', async (t) => {
  const lab = await labFor(t);
  const token = await osToken(lab);
  const flavors = lab.world.openstack.flavorRecords;
  const broken = new Map(flavors);
  broken.values = () => {
    throw new Error('flavor table gone');
  };
  Object.defineProperty(lab.world.openstack, 'flavorRecords', { value: broken });
  const answer = await osCall(lab, '/compute/v2.1/flavors', { token });
  t.is(answer.status, 500);
  t.deepEqual(answer.body, { computeFault: { code: 500, message: 'flavor table gone' } });
  t.is(lab.world.internalErrors.length, 1);
});
