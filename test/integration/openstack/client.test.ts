/** gameday's OpenStack client against a real Keystone, Nova and Neutron (Debian Zed). */
import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { openstackClient } from '../../../src/targets/openstack/client.js';
import { realCtx } from './real-cloud.js';

const SEEDED = ['brick-001', 'master', 'worker-001', 'worker-002', 'worker-003'];

test('password auth gets a token whose catalog has compute and network endpoints', async (t) => {
  const client = openstackClient(realCtx('gameday-it'));
  const session = await client.auth.session();
  t.true(session.token.length > 20);
  t.regex(await client.catalog.baseUrl('compute'), /^http:\/\/127\.0\.0\.1:8774\/v2\.1/);
  t.regex(await client.catalog.baseUrl('network'), /^http:\/\/127\.0\.0\.1:9696\/v2\.0$/);
});

test('application-credential auth lists the seeded servers', async (t) => {
  const client = openstackClient(realCtx('gameday-it-appcred'));
  const names = (await client.nova.listServers()).map((s) => s.name).sort();
  t.deepEqual(names.filter((n) => SEEDED.includes(n)), SEEDED);
});

test('pagination follows servers_links across pages of two', async (t) => {
  const client = openstackClient(realCtx());
  const all = (await client.nova.listServers()).map((s) => s.id).sort();
  const paged = (await client.nova.listServers({ limit: 2 })).map((s) => s.id).sort();
  t.true(all.length >= 5);
  t.deepEqual(paged, all);
});

test('Nova answers 409 to os-start of an ACTIVE server: a non-retryable error with its message and request id', async (t) => {
  const { nova } = openstackClient(realCtx());
  const [server] = await nova.listServers({ nameRegex: '^master$' });
  t.is(server?.status, 'ACTIVE');
  const err = await t.throwsAsync(nova.action(server!.id, 'os-start'), { instanceOf: TargetError });
  t.is(err?.status, 409);
  t.false(err?.retryable);
  t.regex(err?.message ?? '', /vm_state active/i);
  t.truthy(err?.requestId);
});

test('server metadata is set and removed, and a missing key removes harmlessly', async (t) => {
  const { nova } = openstackClient(realCtx());
  const [server] = await nova.listServers({ nameRegex: '^master$' });
  await nova.setMetadata(server!.id, 'gameday:probe', 'x');
  t.is((await nova.getServer(server!.id))?.metadata['gameday:probe'], 'x');
  await nova.deleteMetadata(server!.id, 'gameday:probe');
  await t.notThrowsAsync(nova.deleteMetadata(server!.id, 'gameday:probe'));
  t.is((await nova.getServer(server!.id))?.metadata['gameday:probe'], undefined);
});

test('Neutron lists a server\'s ports, and security groups are created with tags and deleted', async (t) => {
  const { nova, neutron } = openstackClient(realCtx());
  const [server] = await nova.listServers({ nameRegex: '^worker-001$' });
  const ports = await neutron.listPorts({ deviceId: server!.id });
  t.true(ports.length >= 1);
  const group = await neutron.createSecurityGroup('gameday-it-probe', 'integration test', { tags: ['gameday-it'] });
  t.deepEqual((await neutron.listSecurityGroups({ tags: ['gameday-it'] })).map((g) => g.id), [group.id]);
  await neutron.deleteSecurityGroup(group.id);
  await t.notThrowsAsync(neutron.deleteSecurityGroup(group.id));
  t.deepEqual(await neutron.listSecurityGroups({ tags: ['gameday-it'] }), []);
});
