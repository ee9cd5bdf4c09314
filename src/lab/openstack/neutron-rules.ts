/**
 * Neutron's security group rules at `/network/v2.0/security-group-rules`: list (with the
 * usual filters), show, create, delete. Rules: direction and security_group_id are required;
 * a rule identical to one the group has is a 409 SecurityGroupRuleExists; an unknown rule
 * is a 404 SecurityGroupRuleNotFound. Every change bumps the group's revision.
 */
import { randomUUID } from 'node:crypto';
import type { Router } from '../http-frame.js';
import { param, reply, type OsContext } from './api.js';
import type { OpenStackCloud } from './cloud.js';
import { CloudError } from './errors.js';
import { requireString, resourceBody } from './neutron-api.js';
import { listAnswer, ruleView } from './neutron-views.js';
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from './types.js';

const RULE_CREATABLE = new Set([
  'security_group_id', 'direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max',
  'remote_ip_prefix', 'remote_group_id', 'description', 'tenant_id', 'project_id',
]);

const notFound = (id: string): CloudError => new CloudError(404, `Security group rule ${id} does not exist`, 'SecurityGroupRuleNotFound');

function findRule(cloud: OpenStackCloud, id: string): { group: SecurityGroupRecord; rule: SecurityGroupRuleRecord } {
  for (const group of cloud.groupList()) {
    const rule = group.rules.find((r) => r.id === id);
    if (rule) return { group, rule };
  }
  throw notFound(id);
}

function port(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new CloudError(400, `Invalid input for ${field}. Reason: '${String(value)}' is not a valid port.`);
  }
  return value;
}

const same = (a: SecurityGroupRuleRecord, b: SecurityGroupRuleRecord): boolean =>
  a.direction === b.direction && a.ethertype === b.ethertype && a.protocol === b.protocol && a.portRangeMin === b.portRangeMin &&
  a.portRangeMax === b.portRangeMax && a.remoteIpPrefix === b.remoteIpPrefix && a.remoteGroupId === b.remoteGroupId;

/** Adds the rule routes to Neutron's router. */
export function addRuleRoutes(router: Router<OsContext>, cloud: OpenStackCloud): void {
  router.add('GET', '/v2.0/security-group-rules', (ctx) => {
    const items = cloud.groupList().flatMap((g) => g.rules.map((r) => ruleView(g, r)));
    reply(ctx, 200, listAnswer('security_group_rules', items, ctx.url.searchParams, `${ctx.baseUrl}/network/v2.0/security-group-rules`, notFound));
  });
  router.add('GET', '/v2.0/security-group-rules/:id', (ctx) => {
    const { group, rule } = findRule(cloud, param(ctx, 'id'));
    reply(ctx, 200, { security_group_rule: ruleView(group, rule) });
  });
  router.add('POST', '/v2.0/security-group-rules', async (ctx) => {
    const f = await resourceBody(ctx, 'security_group_rule', RULE_CREATABLE);
    const groupId = requireString('security_group_id', f['security_group_id']);
    if (f['direction'] !== 'ingress' && f['direction'] !== 'egress') throw new CloudError(400, `Invalid input for direction. Reason: '${String(f['direction'])}' is not in ['ingress', 'egress'].`);
    const ethertype = f['ethertype'] ?? 'IPv4';
    if (ethertype !== 'IPv4' && ethertype !== 'IPv6') throw new CloudError(400, `Invalid input for ethertype. Reason: '${String(ethertype)}' is not in ['IPv4', 'IPv6'].`);
    const rule: SecurityGroupRuleRecord = {
      id: randomUUID(),
      direction: f['direction'],
      ethertype,
      protocol: f['protocol'] === undefined || f['protocol'] === null ? null : requireString('protocol', f['protocol']),
      portRangeMin: port('port_range_min', f['port_range_min']),
      portRangeMax: port('port_range_max', f['port_range_max']),
      remoteIpPrefix: f['remote_ip_prefix'] === undefined || f['remote_ip_prefix'] === null ? null : requireString('remote_ip_prefix', f['remote_ip_prefix']),
      remoteGroupId: f['remote_group_id'] === undefined || f['remote_group_id'] === null ? null : requireString('remote_group_id', f['remote_group_id']),
      description: f['description'] === undefined ? '' : requireString('description', f['description']),
      created: cloud.now(),
    };
    const group = cloud.changeGroup(groupId, (g) => {
      const twin = g.rules.find((r) => same(r, rule));
      if (twin) throw new CloudError(409, `Security group rule already exists. Rule id is ${twin.id}.`, 'SecurityGroupRuleExists');
      g.rules.push(rule);
    });
    reply(ctx, 201, { security_group_rule: ruleView(group, rule) });
  });
  router.add('DELETE', '/v2.0/security-group-rules/:id', (ctx) => {
    const { group, rule } = findRule(cloud, param(ctx, 'id'));
    cloud.changeGroup(group.id, (g) => {
      g.rules = g.rules.filter((r) => r.id !== rule.id);
    });
    reply(ctx, 204);
  });
}
