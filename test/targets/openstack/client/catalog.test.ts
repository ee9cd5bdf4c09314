import test from 'ava';
import { TargetError } from '../../../../src/errors.js';
import { findEndpoint, serviceBaseUrl, type CatalogEntry } from '../../../../src/targets/openstack/api/catalog.js';
import { openstackClientFrom } from '../../../../src/targets/openstack/client.js';
import { passwordCloud, PROJECT_ID, startFakeCloud } from './fake-cloud.js';

const CATALOG: CatalogEntry[] = [
  {
    type: 'compute',
    name: 'nova',
    endpoints: [
      { interface: 'public', region_id: 'North', region: 'North', url: 'https://north.example.org:8774/v2.1/p1/' },
      { interface: 'internal', region_id: 'North', region: 'North', url: 'http://nova.north.internal:8774/v2.1/p1' },
      { interface: 'public', region_id: 'South', region: 'South', url: 'https://south.example.org:8774/v2.1/p1' },
    ],
  },
  { type: 'network', name: 'neutron', endpoints: [{ interface: 'public', region_id: 'North', region: 'North', url: 'https://north.example.org:9696' }] },
  { type: 'image', name: 'glance', endpoints: [{ interface: 'public', region: 'North', url: 'https://north.example.org:9292' }] },
];

test('an endpoint is chosen by service type and interface, public by default', (t) => {
  t.is(findEndpoint(CATALOG, { type: 'compute' }), 'https://north.example.org:8774/v2.1/p1');
  t.is(findEndpoint(CATALOG, { type: 'compute', interface: 'internal' }), 'http://nova.north.internal:8774/v2.1/p1');
  t.is(findEndpoint(CATALOG, { type: 'image' }), 'https://north.example.org:9292');
});

test('a region narrows the choice, by region id or by the legacy region name', (t) => {
  t.is(findEndpoint(CATALOG, { type: 'compute', region: 'South' }), 'https://south.example.org:8774/v2.1/p1');
  t.is(findEndpoint(CATALOG, { type: 'image', region: 'North' }), 'https://north.example.org:9292');
});

test('a missing endpoint is a non-retryable error listing what the catalog has', (t) => {
  const err = t.throws(() => findEndpoint(CATALOG, { type: 'network', interface: 'admin', region: 'South' }), { instanceOf: TargetError });
  t.is(
    err?.message,
    'the OpenStack catalog has no network endpoint (interface admin, region South); it has: compute (public North, internal North, public South), network (public North), image (public North)',
  );
  t.false(err?.retryable);
  const empty = t.throws(() => findEndpoint([], { type: 'compute' }), { instanceOf: TargetError });
  t.is(empty?.message, 'the OpenStack catalog has no compute endpoint (interface public); it has: nothing (is the token scoped to a project?)');
});

test('Nova keeps /v2.1 or /v2.1/{project_id} as written; Neutron gets /v2.0 appended once', (t) => {
  t.is(serviceBaseUrl('compute', 'https://n.example.org:8774/v2.1/p1'), 'https://n.example.org:8774/v2.1/p1');
  t.is(serviceBaseUrl('compute', 'https://n.example.org/compute/v2.1'), 'https://n.example.org/compute/v2.1');
  t.is(serviceBaseUrl('compute', 'https://n.example.org:8774/'), 'https://n.example.org:8774/v2.1');
  t.is(serviceBaseUrl('network', 'https://n.example.org:9696'), 'https://n.example.org:9696/v2.0');
  t.is(serviceBaseUrl('network', 'https://n.example.org/networking/v2.0/'), 'https://n.example.org/networking/v2.0');
});

test('the client uses the interface and region it is given, and the catalog reports base URLs', async (t) => {
  const fake = await startFakeCloud({ handle: (req) => (req.service === 'compute-internal' && req.rest === '/servers/detail' ? { status: 200, body: { servers: [] } } : undefined) });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { interface: 'internal', regionName: 'RegionOne' });
  t.deepEqual(await client.nova.listServers(), []);
  t.is(await client.catalog.baseUrl('compute'), `${fake.url}/compute-internal/v2.1/${PROJECT_ID}`);
  t.deepEqual((await client.catalog.entries()).map((e) => e.type), ['compute', 'network', 'identity']);
  const elsewhere = openstackClientFrom(passwordCloud(fake), { regionName: 'Mars' });
  const err = await t.throwsAsync(elsewhere.nova.listServers(), { instanceOf: TargetError });
  t.regex(err?.message ?? '', /^the OpenStack catalog has no compute endpoint \(interface public, region Mars\); it has: compute \(public RegionOne, internal RegionOne\)/);
});
