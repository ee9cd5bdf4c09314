import test from 'ava';
import type { Lab } from '../../src/lab/index.js';
import { labFor } from './helpers.js';
import { osCall, osToken } from './openstack-helpers.js';

interface Port {
  id: string;
  status: string;
  admin_state_up: boolean;
  device_id: string;
  device_owner: string;
  security_groups: string[];
  revision_number: number;
  fixed_ips: { ip_address: string; subnet_id: string }[];
  tags: string[];
}

interface Group {
  id: string;
  name: string;
  description: string;
  tags: string[];
  revision_number: number;
  security_group_rules: { direction: string; ethertype: string; protocol: string | null; remote_ip_prefix: string | null }[];
}

async function neutronFor(lab: Lab): Promise<<T = Record<string, unknown>>(path: string, init?: RequestInit & { json?: unknown }) => ReturnType<typeof osCall<T>>> {
  const token = await osToken(lab);
  return (path, init = {}) => osCall(lab, `/network/v2.0${path}`, { ...init, token });
}

function serverId(lab: Lab, name: string): string {
  return lab.world.openstack.server(name)?.id ?? '';
}

function groupId(lab: Lab, name: string): string {
  return lab.world.openstack.securityGroup(name)?.id ?? '';
}

test('the versions document is open; ports filter by device_id, device_owner and fixed IP', async (t) => {
  const lab = await labFor(t);
  const versions = await osCall<{ versions: { id: string; status: string }[] }>(lab, '/network/');
  t.is(versions.status, 200);
  t.like(versions.body.versions[0], { id: 'v2.0', status: 'CURRENT' });
  const neutron = await neutronFor(lab);
  const all = await neutron<{ ports: Port[] }>('/ports');
  t.is(all.body.ports.length, 13, '12 VMs and the DHCP port');
  const mine = await neutron<{ ports: Port[] }>(`/ports?device_id=${serverId(lab, 'worker-002')}`);
  t.is(mine.body.ports.length, 1);
  t.like(mine.body.ports[0], { status: 'ACTIVE', admin_state_up: true, device_owner: 'compute:nova', fixed_ips: [{ ip_address: '10.0.0.12' }] });
  t.deepEqual(mine.body.ports[0]?.security_groups.sort(), [groupId(lab, 'default'), groupId(lab, 'jhub-workers')].sort());
  const byIp = await neutron<{ ports: Port[] }>(`/ports?fixed_ips=${encodeURIComponent('ip_address=10.0.0.203')}`);
  t.is(byIp.body.ports[0]?.device_id, serverId(lab, 'brick-003'));
  const two = await neutron<{ ports: Port[] }>(`/ports?device_id=${serverId(lab, 'ns-001')}&device_id=${serverId(lab, 'ns-002')}&fields=id&fields=device_id`);
  t.is(two.body.ports.length, 2);
  t.deepEqual(Object.keys(two.body.ports[0] ?? {}).sort(), ['device_id', 'id']);
  const compute = await neutron<{ ports: Port[] }>('/ports?device_owner=compute:nova');
  t.is(compute.body.ports.length, 12);
  const bad = await neutron('/ports?colour=blue');
  t.is(bad.status, 400);
  t.deepEqual(bad.body, { NeutronError: { type: 'HTTPBadRequest', message: '[colour] is invalid attribute for filtering', detail: '' } });
});

test('ports page with limit and marker and a next link', async (t) => {
  const lab = await labFor(t);
  const neutron = await neutronFor(lab);
  const first = await neutron<{ ports: Port[]; ports_links?: { rel: string; href: string }[] }>('/ports?limit=10');
  t.is(first.body.ports.length, 10);
  const next = first.body.ports_links?.find((l) => l.rel === 'next')?.href ?? '';
  t.regex(next, /\/network\/v2\.0\/ports\?limit=10&marker=/);
  const second = await neutron<{ ports: Port[] }>(next.replace(/^.*\/network\/v2\.0/, ''));
  t.is(second.body.ports.length, 3);
  t.is(new Set([...first.body.ports, ...second.body.ports].map((p) => p.id)).size, 13);
  t.is((await neutron('/ports?marker=00000000-0000-0000-0000-000000000000')).status, 404);
});

test('a port set admin-down is DOWN; its security groups can be replaced; unknown groups are 404', async (t) => {
  const lab = await labFor(t);
  const neutron = await neutronFor(lab);
  const port = lab.world.openstack.ports().find((p) => p.deviceId === serverId(lab, 'worker-004'));
  if (!port) throw new Error('no port');
  const down = await neutron<{ port: Port }>(`/ports/${port.id}`, { method: 'PUT', json: { port: { admin_state_up: false } } });
  t.is(down.status, 200);
  t.like(down.body.port, { admin_state_up: false, status: 'DOWN', revision_number: port.revision + 1 });
  t.is(lab.world.openstack.port(port.id)?.status, 'DOWN');
  const groups = await neutron<{ port: Port }>(`/ports/${port.id}`, { method: 'PUT', json: { port: { security_groups: [groupId(lab, 'default')] } } });
  t.deepEqual(groups.body.port.security_groups, [groupId(lab, 'default')]);
  const up = await neutron<{ port: Port }>(`/ports/${port.id}`, { method: 'PUT', json: { port: { admin_state_up: true, security_groups: [groupId(lab, 'default'), groupId(lab, 'jhub-workers')] } } });
  t.like(up.body.port, { status: 'ACTIVE', admin_state_up: true });
  const unknown = await neutron(`/ports/${port.id}`, { method: 'PUT', json: { port: { security_groups: ['00000000-0000-0000-0000-000000000000'] } } });
  t.is(unknown.status, 404);
  t.deepEqual(unknown.body, { NeutronError: { type: 'SecurityGroupNotFound', message: 'Security group 00000000-0000-0000-0000-000000000000 does not exist', detail: '' } });
  const readOnly = await neutron(`/ports/${port.id}`, { method: 'PUT', json: { port: { status: 'ACTIVE' } } });
  t.is(readOnly.status, 400);
  const stale = await neutron(`/ports/${port.id}`, { method: 'PUT', json: { port: { name: 'x' } }, headers: { 'if-match': 'revision_number=1' } });
  t.is(stale.status, 412);
  const missing = await neutron('/ports/00000000-0000-0000-0000-000000000000');
  t.deepEqual(missing.body, { NeutronError: { type: 'PortNotFound', message: 'Port 00000000-0000-0000-0000-000000000000 could not be found.', detail: '' } });
});

test('a new security group gets the default egress rules and can be shown, listed and deleted', async (t) => {
  const lab = await labFor(t);
  const neutron = await neutronFor(lab);
  const created = await neutron<{ security_group: Group }>('/security-groups', { method: 'POST', json: { security_group: { name: 'gameday-isolate', description: 'cut off by gameday' } } });
  t.is(created.status, 201);
  const group = created.body.security_group;
  t.like(group, { name: 'gameday-isolate', description: 'cut off by gameday', tags: [] });
  t.deepEqual(group.security_group_rules.map((r) => `${r.direction}/${r.ethertype}/${String(r.protocol)}/${String(r.remote_ip_prefix)}`).sort(), ['egress/IPv4/null/null', 'egress/IPv6/null/null']);
  t.like((await neutron<{ security_group: Group }>(`/security-groups/${group.id}`)).body.security_group, { id: group.id, name: 'gameday-isolate' });
  const byName = await neutron<{ security_groups: Group[] }>('/security-groups?name=gameday-isolate');
  t.deepEqual(byName.body.security_groups.map((g) => g.id), [group.id]);
  t.is((await neutron(`/security-groups/${group.id}`, { method: 'DELETE' })).status, 204);
  const gone = await neutron(`/security-groups/${group.id}`);
  t.is(gone.status, 404);
  t.like(gone.body, { NeutronError: { type: 'SecurityGroupNotFound' } });
  t.is((await neutron('/security-groups', { method: 'POST', json: { security_group: { name: 'x', colour: 'red' } } })).status, 400);
});

test('security group tags: add one, replace all, list, filter by tags and tags-any, remove', async (t) => {
  const lab = await labFor(t);
  const neutron = await neutronFor(lab);
  const id = groupId(lab, 'glusterfs');
  const tags = `/security-groups/${id}/tags`;
  t.is((await neutron(`${tags}/gameday`, { method: 'PUT' })).status, 201);
  t.is((await neutron(`${tags}/gameday`, { method: 'PUT' })).status, 201, 'adding a tag twice is harmless');
  t.deepEqual((await neutron(tags)).body, { tags: ['gameday'] });
  t.is((await neutron(`${tags}/gameday`)).status, 204);
  const replaced = await neutron(tags, { method: 'PUT', json: { tags: ['gameday', 'run-7'] } });
  t.is(replaced.status, 200);
  t.deepEqual(replaced.body, { tags: ['gameday', 'run-7'] });
  const both = await neutron<{ security_groups: Group[] }>('/security-groups?tags=gameday,run-7');
  t.deepEqual(both.body.security_groups.map((g) => g.name), ['glusterfs']);
  const any = await neutron<{ security_groups: Group[] }>('/security-groups?tags-any=run-7,other');
  t.deepEqual(any.body.security_groups.map((g) => g.name), ['glusterfs']);
  t.deepEqual((await neutron<{ security_groups: Group[] }>('/security-groups?tags=gameday,other')).body.security_groups, []);
  t.is((await neutron(`${tags}/run-7`, { method: 'DELETE' })).status, 204);
  const missing = await neutron(`${tags}/run-7`, { method: 'DELETE' });
  t.is(missing.status, 404);
  t.deepEqual(missing.body, { NeutronError: { type: 'TagNotFound', message: `Tag run-7 could not be found for security_group ${id}.`, detail: '' } });
  t.is((await neutron(tags, { method: 'DELETE' })).status, 204);
  t.deepEqual(lab.world.openstack.securityGroup('glusterfs')?.tags, []);
});

test('a group a port uses cannot be deleted (409 SecurityGroupInUse), nor can the default group', async (t) => {
  const lab = await labFor(t);
  const neutron = await neutronFor(lab);
  const id = groupId(lab, 'jhub-workers');
  const inUse = await neutron(`/security-groups/${id}`, { method: 'DELETE' });
  t.is(inUse.status, 409);
  t.deepEqual(inUse.body, { NeutronError: { type: 'SecurityGroupInUse', message: `Security Group ${id} in use.`, detail: '' } });
  t.truthy(lab.world.openstack.securityGroup('jhub-workers'));
  const defaultGroup = await neutron(`/security-groups/${groupId(lab, 'default')}`, { method: 'DELETE' });
  t.is(defaultGroup.status, 409);
  t.like(defaultGroup.body, { NeutronError: { type: 'SecurityGroupCannotRemoveDefault' } });
  const bastion = lab.world.openstack.ports().find((p) => p.deviceId === serverId(lab, 'bastion'));
  await neutron(`/ports/${bastion?.id ?? ''}`, { method: 'PUT', json: { port: { security_groups: [groupId(lab, 'default')] } } });
  t.is((await neutron(`/security-groups/${groupId(lab, 'bastion-ssh')}`, { method: 'DELETE' })).status, 204, 'deletable once no port uses it');
});

test('networks and subnets can be read', async (t) => {
  const lab = await labFor(t);
  const neutron = await neutronFor(lab);
  const networks = await neutron<{ networks: { id: string; name: string; subnets: string[] }[] }>('/networks?name=jupytercloud-net');
  t.is(networks.body.networks.length, 1);
  const subnet = await neutron<{ subnet: { cidr: string; gateway_ip: string } }>(`/subnets/${networks.body.networks[0]?.subnets[0] ?? ''}`);
  t.like(subnet.body.subnet, { cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1' });
});
