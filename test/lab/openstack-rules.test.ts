import test from 'ava';
import { labFor } from './helpers.js';
import { osCall, osToken } from './openstack-helpers.js';

interface Rule { id: string; security_group_id: string; direction: string; protocol: string | null; port_range_min: number | null }

test('security group rules are created, listed by group, refused when duplicated, and deleted', async (t) => {
  const lab = await labFor(t);
  const token = await osToken(lab);
  const call = <T>(path: string, init: RequestInit & { json?: unknown } = {}) => osCall<T>(lab, `/network/v2.0${path}`, { ...init, token });
  const group = lab.world.openstack.securityGroup('glusterfs')!;
  const rule = { security_group_rule: { security_group_id: group.id, direction: 'ingress', protocol: 'tcp', port_range_min: 24007, port_range_max: 24008 } };

  const created = await call<{ security_group_rule: Rule }>('/security-group-rules', { method: 'POST', json: rule });
  t.is(created.status, 201);
  t.like(created.body.security_group_rule, { security_group_id: group.id, direction: 'ingress', protocol: 'tcp', port_range_min: 24007 });
  const id = created.body.security_group_rule.id;

  const twin = await call<{ NeutronError: { type: string } }>('/security-group-rules', { method: 'POST', json: rule });
  t.is(twin.status, 409);
  t.is(twin.body.NeutronError.type, 'SecurityGroupRuleExists');

  const listed = await call<{ security_group_rules: Rule[] }>(`/security-group-rules?security_group_id=${group.id}`);
  t.true(listed.body.security_group_rules.some((r) => r.id === id));
  t.true(listed.body.security_group_rules.every((r) => r.security_group_id === group.id));

  t.is((await call(`/security-group-rules/${id}`, { method: 'DELETE' })).status, 204);
  t.false(lab.world.openstack.securityGroup('glusterfs')!.rules.some((r) => r.id === id));
  const gone = await call<{ NeutronError: { type: string } }>(`/security-group-rules/${id}`);
  t.is(gone.status, 404);
  t.is(gone.body.NeutronError.type, 'SecurityGroupRuleNotFound');

  const bad = await call('/security-group-rules', { method: 'POST', json: { security_group_rule: { security_group_id: group.id, direction: 'sideways' } } });
  t.is(bad.status, 400);
});
