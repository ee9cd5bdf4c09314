import test from 'ava';
import { TargetError } from '../../../../src/errors.js';
import { openstackClientFrom } from '../../../../src/targets/openstack/client.js';
import { FAST_RETRY, passwordCloud, startFakeCloud, type Answer, type Seen } from './fake-cloud.js';

interface Group {
  id: string;
  name: string;
  description: string;
  tags: string[];
  security_group_rules: unknown[];
}

/** A tiny Neutron: ports of two servers, security groups with tags, one group in use. */
function neutron() {
  const ports = [
    { id: 'p1', device_id: 'srv-1', network_id: 'n1', status: 'ACTIVE', admin_state_up: true, security_groups: ['default'], fixed_ips: [{ ip_address: '10.0.0.11', subnet_id: 'sn' }] },
    { id: 'p2', device_id: 'srv-2', network_id: 'n1', status: 'ACTIVE', admin_state_up: true, security_groups: ['default'] },
  ];
  const groups: Group[] = [{ id: 'in-use', name: 'busy', description: '', tags: [], security_group_rules: [] }];
  let created = 0;
  const handle = (req: Seen): Answer | undefined => {
    if (req.service !== 'network') return undefined;
    const { method, rest, query } = req;
    if (method === 'GET' && rest === '/ports') {
      const device = query.get('device_id');
      return { status: 200, body: { ports: ports.filter((p) => device === null || p.device_id === device) } };
    }
    const port = /^\/ports\/([^/]+)$/.exec(rest);
    if (port && method === 'PUT') {
      const found = ports.find((p) => p.id === port[1]);
      if (!found) return { status: 404, body: { NeutronError: { type: 'PortNotFound', message: `Port ${port[1]} could not be found.`, detail: '' } } };
      Object.assign(found, (req.body as { port: object }).port);
      return { status: 200, body: { port: found } };
    }
    if (method === 'GET' && rest === '/security-groups') {
      const name = query.get('name');
      const tags = query.get('tags')?.split(',') ?? [];
      return { status: 200, body: { security_groups: groups.filter((g) => (name === null || g.name === name) && tags.every((tag) => g.tags.includes(tag))) } };
    }
    if (method === 'POST' && rest === '/security-groups') {
      const { name, description } = (req.body as { security_group: { name: string; description: string } }).security_group;
      const group: Group = { id: `sg-${++created}`, name, description, tags: [], security_group_rules: [{ id: `r-${created}`, security_group_id: `sg-${created}`, direction: 'egress', ethertype: 'IPv4' }] };
      groups.push(group);
      return { status: 201, body: { security_group: group } };
    }
    const tagsAll = /^\/security-groups\/([^/]+)\/tags$/.exec(rest);
    if (tagsAll && method === 'PUT') {
      const group = groups.find((g) => g.id === tagsAll[1]);
      if (!group) return { status: 404, body: { NeutronError: { type: 'NotFound', message: 'not found' } } };
      group.tags = (req.body as { tags: string[] }).tags;
      return { status: 200, body: { tags: group.tags } };
    }
    const tagOne = /^\/security-groups\/([^/]+)\/tags\/([^/]+)$/.exec(rest);
    if (tagOne) {
      const group = groups.find((g) => g.id === tagOne[1]);
      const tag = decodeURIComponent(tagOne[2] ?? '');
      if (!group) return { status: 404, body: { NeutronError: { type: 'NotFound', message: 'not found' } } };
      if (method === 'PUT') {
        if (!group.tags.includes(tag)) group.tags.push(tag);
        return { status: 201 };
      }
      if (method === 'DELETE') {
        if (!group.tags.includes(tag)) return { status: 404, body: { NeutronError: { type: 'TagNotFound', message: `Tag ${tag} could not be found.` } } };
        group.tags = group.tags.filter((x) => x !== tag);
        return { status: 204 };
      }
    }
    const group = /^\/security-groups\/([^/]+)$/.exec(rest);
    if (group && method === 'DELETE') {
      if (group[1] === 'in-use') {
        return {
          status: 409,
          headers: { 'x-openstack-request-id': 'req-n-409' },
          body: { NeutronError: { type: 'SecurityGroupInUse', message: 'Security Group in-use in use.', detail: '' } },
        };
      }
      const i = groups.findIndex((g) => g.id === group[1]);
      if (i < 0) return { status: 404, body: { NeutronError: { type: 'SecurityGroupNotFound', message: 'Security group could not be found.' } } };
      groups.splice(i, 1);
      return { status: 204 };
    }
    const rule = /^\/security-group-rules\/([^/]+)$/.exec(rest);
    if (rule && method === 'DELETE') return { status: 404, body: { NeutronError: { type: 'SecurityGroupRuleNotFound', message: 'gone' } } };
    return undefined;
  };
  return { handle, ports, groups };
}

test('the ports of one server are listed by device_id from the /v2.0 base the client adds', async (t) => {
  const world = neutron();
  const fake = await startFakeCloud({ handle: world.handle });
  t.teardown(() => fake.close());
  const ports = await openstackClientFrom(passwordCloud(fake)).neutron.listPorts({ deviceId: 'srv-1' });
  t.deepEqual(ports.map((p) => p.id), ['p1']);
  t.deepEqual(ports[0]?.security_groups, ['default']);
  t.is(ports[0]?.fixed_ips[0]?.ip_address, '10.0.0.11');
  t.true(fake.seen.some((s) => s.path === '/network/v2.0/ports' && s.query.get('device_id') === 'srv-1'));
});

test('updatePort sends only the fields given and returns the port as Neutron has it', async (t) => {
  const world = neutron();
  const fake = await startFakeCloud({ handle: world.handle });
  t.teardown(() => fake.close());
  const port = await openstackClientFrom(passwordCloud(fake)).neutron.updatePort('p2', { security_groups: ['sg-x'], admin_state_up: false });
  t.deepEqual(port.security_groups, ['sg-x']);
  t.false(port.admin_state_up);
  t.deepEqual(fake.seen.find((s) => s.method === 'PUT')?.body, { port: { security_groups: ['sg-x'], admin_state_up: false } });
});

test('a security group is created, tagged, and then found by its tag', async (t) => {
  const world = neutron();
  const fake = await startFakeCloud({ handle: world.handle });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake));
  const group = await client.neutron.createSecurityGroup('gameday-isolate', 'gameday partition', { tags: ['gameday', 'run-1'] });
  t.is(group.id, 'sg-1');
  t.deepEqual(group.tags, ['gameday', 'run-1']);
  t.is(group.security_group_rules[0]?.direction, 'egress');
  const found = await client.neutron.listSecurityGroups({ tags: ['gameday', 'run-1'] });
  t.deepEqual(found.map((g) => g.id), ['sg-1']);
  t.true(fake.seen.some((s) => s.query.get('tags') === 'gameday,run-1'));
  t.deepEqual(await client.neutron.listSecurityGroups({ name: 'busy' }).then((gs) => gs.map((g) => g.id)), ['in-use']);
});

test('deleting a group that is gone is fine; one still in use is a non-retryable 409', async (t) => {
  const world = neutron();
  const fake = await startFakeCloud({ handle: world.handle });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  const group = await client.neutron.createSecurityGroup('tmp', '');
  await client.neutron.deleteSecurityGroup(group.id);
  await t.notThrowsAsync(client.neutron.deleteSecurityGroup(group.id));
  await t.notThrowsAsync(client.neutron.deleteSecurityGroupRule('r-gone'));
  const err = await t.throwsAsync(client.neutron.deleteSecurityGroup('in-use'), { instanceOf: TargetError });
  t.is(err?.status, 409);
  t.false(err?.retryable);
  t.is(err?.message, 'Neutron delete security group in-use: HTTP 409 SecurityGroupInUse: Security Group in-use in use. (request req-n-409)');
});

test('tags are added one at a time and removed; removing a tag that is gone is fine', async (t) => {
  const world = neutron();
  const fake = await startFakeCloud({ handle: world.handle });
  t.teardown(() => fake.close());
  const n = openstackClientFrom(passwordCloud(fake)).neutron;
  await n.addTag('security-groups', 'in-use', 'gameday');
  await n.addTag('security-groups', 'in-use', 'gameday');
  t.deepEqual(world.groups[0]?.tags, ['gameday']);
  await n.removeTag('security-groups', 'in-use', 'gameday');
  await t.notThrowsAsync(n.removeTag('security-groups', 'in-use', 'gameday'));
  t.deepEqual(world.groups[0]?.tags, []);
});

test('a port that is gone reads as null and cannot be updated', async (t) => {
  const world = neutron();
  const fake = await startFakeCloud({ handle: world.handle });
  t.teardown(() => fake.close());
  const n = openstackClientFrom(passwordCloud(fake)).neutron;
  t.is(await n.getPort('nope'), null);
  const err = await t.throwsAsync(n.updatePort('nope', { admin_state_up: true }), { instanceOf: TargetError });
  t.is(err?.message, 'Neutron update port nope: HTTP 404 PortNotFound: Port nope could not be found.');
});

test('a group that cannot be tagged is deleted again, never left behind untagged', async (t) => {
  const world = neutron();
  const fake = await startFakeCloud({
    handle: (req) =>
      req.method === 'PUT' && req.rest.endsWith('/tags')
        ? { status: 400, body: { NeutronError: { type: 'InvalidInput', message: 'Invalid input for operation: tag too long.' } } }
        : world.handle(req),
  });
  t.teardown(() => fake.close());
  const n = openstackClientFrom(passwordCloud(fake)).neutron;
  const err = await t.throwsAsync(n.createSecurityGroup('gameday-isolate', '', { tags: ['x'.repeat(300)] }), { instanceOf: TargetError });
  t.is(err?.status, 400);
  t.deepEqual(world.groups.map((g) => g.id), ['in-use']);
  t.true(fake.seen.some((s) => s.method === 'DELETE' && s.rest === '/security-groups/sg-1'));
});
