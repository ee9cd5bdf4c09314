import test from 'ava';
import type { Lab } from '../../src/lab/index.js';
import { labFor } from './helpers.js';
import { openstackBase, osCall, osToken, type NovaServer } from './openstack-helpers.js';

interface ServerList {
  servers: { id: string; name: string; links: { rel: string; href: string }[] }[];
  servers_links?: { rel: string; href: string }[];
}

async function nova<T = Record<string, unknown>>(lab: Lab, token: string, path: string, init: RequestInit & { json?: unknown; version?: string } = {}) {
  const headers = init.version ? { 'openstack-api-version': `compute ${init.version}` } : {};
  return osCall<T>(lab, `/compute/v2.1${path}`, { ...init, token, headers });
}

function idOf(lab: Lab, name: string): string {
  const server = lab.world.openstack.server(name);
  if (!server) throw new Error(`no server ${name}`);
  return server.id;
}

test('the seed has master, the workers, four bricks, the bastion and two name servers, all ACTIVE', async (t) => {
  const lab = await labFor(t, { workers: 3 });
  const names = lab.world.openstack.servers().map((s) => s.name);
  t.deepEqual(names, ['master', 'worker-001', 'worker-002', 'worker-003', 'brick-001', 'brick-002', 'brick-003', 'brick-004', 'bastion', 'ns-001', 'ns-002']);
  t.true(lab.world.openstack.servers().every((s) => s.status === 'ACTIVE' && s.powerState === 1 && s.taskState === null));
  const nodeIps = lab.world.nodes().map((n) => [n.metadata.name, n.status.addresses.find((a) => a.type === 'InternalIP')?.address]);
  const vmIps = nodeIps.map(([name]) => [name, lab.world.openstack.ports().find((p) => p.deviceId === idOf(lab, name ?? ''))?.fixedIps[0]?.ipAddress]);
  t.deepEqual(vmIps, nodeIps, 'each node\'s InternalIP is its VM\'s fixed IP');
});

test('version documents are open and carry 2.1..2.90; the microversion is echoed and checked', async (t) => {
  const lab = await labFor(t);
  const root = await osCall<{ versions: { id: string; status: string; version: string; min_version: string }[] }>(lab, '/compute/');
  t.is(root.status, 200);
  t.like(root.body.versions.find((v) => v.id === 'v2.1'), { status: 'CURRENT', version: '2.90', min_version: '2.1' });
  const v21 = await osCall<{ version: { id: string; links: { rel: string; href: string }[] } }>(lab, '/compute/v2.1');
  t.is(v21.status, 200);
  t.is(v21.body.version.links[0]?.href, `${openstackBase(lab)}/compute/v2.1/`);
  const token = await osToken(lab);
  const plain = await nova(lab, token, '/servers');
  t.is(plain.headers.get('openstack-api-version'), 'compute 2.1');
  t.is(plain.headers.get('x-openstack-nova-api-version'), '2.1');
  const modern = await nova(lab, token, '/servers', { version: '2.79' });
  t.is(modern.headers.get('openstack-api-version'), 'compute 2.79');
  const legacy = await osCall(lab, '/compute/v2.1/servers', { token, headers: { 'x-openstack-nova-api-version': '2.60' } });
  t.is(legacy.headers.get('x-openstack-nova-api-version'), '2.60');
  const latest = await nova(lab, token, '/servers', { version: 'latest' });
  t.is(latest.headers.get('openstack-api-version'), 'compute 2.90');
  const tooNew = await nova(lab, token, '/servers', { version: '2.200' });
  t.is(tooNew.status, 406);
  t.regex(JSON.stringify(tooNew.body), /Minimum is 2\.1 and maximum is 2\.90/);
  t.is((await nova(lab, token, '/servers', { version: 'two' })).status, 400);
});

test('servers page with limit and marker, newest first, with a next link while a page is full', async (t) => {
  const lab = await labFor(t, { workers: 6 });
  const token = await osToken(lab);
  const seen: string[] = [];
  let url: string | undefined = `${openstackBase(lab)}/compute/v2.1/servers?limit=5`;
  let pages = 0;
  while (url) {
    const answer: { status: number; body: ServerList } = await osCall<ServerList>(lab, url.replace(openstackBase(lab), ''), { token });
    t.is(answer.status, 200);
    pages += 1;
    seen.push(...answer.body.servers.map((s) => s.name));
    const next = answer.body.servers_links?.find((l) => l.rel === 'next')?.href;
    if (next) t.regex(next, /\/compute\/v2\.1\/servers\?limit=5&marker=[0-9a-f-]{36}$/);
    url = next;
  }
  t.is(pages, 3, '14 servers in pages of 5');
  const all = lab.world.openstack.servers().map((s) => s.name);
  t.deepEqual(seen, [...all].reverse(), 'every server once, newest first');
  const detail = await nova<{ servers: NovaServer[]; servers_links?: unknown[] }>(lab, token, '/servers/detail?limit=2');
  t.is(detail.body.servers.length, 2);
  t.is(detail.body.servers[0]?.status, 'ACTIVE');
  t.truthy(detail.body.servers_links);
  const unknown = await nova(lab, token, '/servers?marker=00000000-0000-0000-0000-000000000000');
  t.is(unknown.status, 400);
  t.deepEqual(unknown.body, { badRequest: { code: 400, message: 'marker [00000000-0000-0000-0000-000000000000] not found' } });
  t.is((await nova(lab, token, '/servers?limit=abc')).status, 400);
});

test('the name filter is a regular expression, as in Nova; status filters through the status map', async (t) => {
  const lab = await labFor(t, { speed: 5 });
  const token = await osToken(lab);
  const names = async (query: string): Promise<string[]> => (await nova<ServerList>(lab, token, `/servers?${query}`)).body.servers.map((s) => s.name).sort();
  t.deepEqual(await names('name=worker'), ['worker-001', 'worker-002', 'worker-003', 'worker-004']);
  t.deepEqual(await names(`name=${encodeURIComponent('^worker-00[12]$')}`), ['worker-001', 'worker-002']);
  t.deepEqual(await names(`name=${encodeURIComponent('^(brick-004|ns-.*)$')}`), ['brick-004', 'ns-001', 'ns-002']);
  t.deepEqual(await names('name=nothing-like-this'), []);
  lab.world.openstack.act('ns-002', 'os-stop');
  t.deepEqual(await names('status=SHUTOFF'), []);
  t.true((await names('status=ACTIVE')).includes('ns-002'), 'powering-off is still ACTIVE');
  await new Promise((resolve) => setTimeout(resolve, 800));
  t.deepEqual(await names('status=SHUTOFF'), ['ns-002']);
  t.false((await names('status=active')).includes('ns-002'));
});

test('a server shows like Nova\'s, shaped by the microversion; an unknown id is itemNotFound', async (t) => {
  const lab = await labFor(t);
  const token = await osToken(lab);
  const id = idOf(lab, 'worker-001');
  const base = openstackBase(lab);
  const old = await nova<{ server: NovaServer }>(lab, token, `/servers/${id}`);
  t.is(old.status, 200);
  t.like(old.body.server, {
    id,
    name: 'worker-001',
    status: 'ACTIVE',
    'OS-EXT-STS:vm_state': 'active',
    'OS-EXT-STS:task_state': null,
    'OS-EXT-STS:power_state': 1,
    'OS-EXT-AZ:availability_zone': 'nova',
    key_name: 'jupytercloud',
    tenant_id: lab.world.keystone.project.id,
    user_id: lab.world.keystone.user.id,
    metadata: { role: 'worker' },
    flavor: { id: '5' },
  });
  t.deepEqual(old.body.server['security_groups'], [{ name: 'default' }, { name: 'jhub-workers' }]);
  t.like(old.body.server['addresses'], { 'jupytercloud-net': [{ addr: '10.0.0.11', version: 4, 'OS-EXT-IPS:type': 'fixed' }] });
  t.regex(String(old.body.server['hostId']), /^[0-9a-f]{56}$/);
  t.regex(String(old.body.server['created']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.deepEqual(old.body.server['links'], [{ rel: 'self', href: `${base}/compute/v2.1/servers/${id}` }, { rel: 'bookmark', href: `${base}/compute/servers/${id}` }]);
  t.false('tags' in old.body.server);
  t.false('OS-EXT-SRV-ATTR:host' in old.body.server, 'admin-only attributes stay hidden');
  const modern = await nova<{ server: NovaServer }>(lab, token, `/servers/${id}`, { version: '2.79' });
  t.like(modern.body.server, { locked: false, tags: [], description: null, flavor: { original_name: 'm1.xlarge', vcpus: 8, ram: 16384 } });
  const missing = await nova(lab, token, '/servers/worker-001');
  t.is(missing.status, 404);
  t.deepEqual(missing.body, { itemNotFound: { code: 404, message: 'Instance worker-001 could not be found.' } });
});

test('metadata can be listed, set, merged, replaced and deleted', async (t) => {
  const lab = await labFor(t);
  const token = await osToken(lab);
  const id = idOf(lab, 'worker-002');
  const path = `/servers/${id}/metadata`;
  t.deepEqual((await nova(lab, token, path)).body, { metadata: { role: 'worker' } });
  const one = await nova(lab, token, `${path}/gameday.fault`, { method: 'PUT', json: { meta: { 'gameday.fault': 'run-1' } } });
  t.is(one.status, 200);
  t.deepEqual(one.body, { meta: { 'gameday.fault': 'run-1' } });
  t.deepEqual((await nova(lab, token, `${path}/gameday.fault`)).body, { meta: { 'gameday.fault': 'run-1' } });
  const merged = await nova(lab, token, path, { method: 'POST', json: { metadata: { owner: 'sre' } } });
  t.deepEqual(merged.body, { metadata: { role: 'worker', 'gameday.fault': 'run-1', owner: 'sre' } });
  t.deepEqual(lab.world.openstack.server('worker-002')?.metadata, { role: 'worker', 'gameday.fault': 'run-1', owner: 'sre' });
  t.is((await nova(lab, token, `${path}/gameday.fault`, { method: 'DELETE' })).status, 204);
  const gone = await nova(lab, token, `${path}/gameday.fault`, { method: 'DELETE' });
  t.is(gone.status, 404);
  t.deepEqual(gone.body, { itemNotFound: { code: 404, message: 'Metadata item was not found' } });
  const mismatch = await nova(lab, token, `${path}/a`, { method: 'PUT', json: { meta: { b: '1' } } });
  t.is(mismatch.status, 400);
  t.like(mismatch.body, { badRequest: { message: 'Request body and URI mismatch' } });
  const replaced = await nova(lab, token, path, { method: 'PUT', json: { metadata: { role: 'worker' } } });
  t.deepEqual(replaced.body, { metadata: { role: 'worker' } });
  t.is((await nova(lab, token, path, { method: 'PUT', json: { metadata: { role: 7 } } })).status, 400);
});

test('flavors list and show, and the interfaces of a server are its ports', async (t) => {
  const lab = await labFor(t);
  const token = await osToken(lab);
  const flavors = await nova<{ flavors: { id: string; name: string; vcpus: number; swap: unknown }[] }>(lab, token, '/flavors/detail');
  t.deepEqual(flavors.body.flavors.map((f) => f.name), ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']);
  t.is(flavors.body.flavors[0]?.swap, '');
  t.like((await nova(lab, token, '/flavors/3')).body, { flavor: { name: 'm1.medium', vcpus: 2, ram: 4096 } });
  t.is((await nova(lab, token, '/flavors/99')).status, 404);
  const id = idOf(lab, 'brick-001');
  const interfaces = await nova<{ interfaceAttachments: { port_id: string; port_state: string; fixed_ips: { ip_address: string }[] }[] }>(lab, token, `/servers/${id}/os-interface`);
  t.is(interfaces.body.interfaceAttachments.length, 1);
  t.like(interfaces.body.interfaceAttachments[0], { port_state: 'ACTIVE', fixed_ips: [{ ip_address: '10.0.0.201' }] });
});
