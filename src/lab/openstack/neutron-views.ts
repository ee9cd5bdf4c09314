/**
 * Neutron's JSON views (ports, security groups and their rules, networks, subnets) and its
 * list semantics: attribute filters (several values of one key OR-ed, unknown keys a 400 as
 * with filter validation), tag filters, `fields`, sorting and `limit`/`marker` paging with
 * `<collection>_links`. Rule: views only read; admin-only attributes (`binding:host_id`,
 * `binding:profile`, …) are never shown — the lab's user is a project member.
 */
import { isoSeconds } from './api.js';
import type { OpenStackCloud } from './cloud.js';
import { CloudError } from './errors.js';
import type { NetworkRecord, PortRecord, SecurityGroupRecord, SecurityGroupRuleRecord, SubnetRecord } from './types.js';

type Json = Record<string, unknown>;

function stamps(record: { created: number; updated: number; revision: number }): Json {
  return { created_at: isoSeconds(record.created), updated_at: isoSeconds(record.updated), revision_number: record.revision };
}

/** A port as Neutron shows it to its project. */
export function portView(cloud: OpenStackCloud, port: PortRecord): Json {
  const server = cloud.serverList().find((s) => s.id === port.deviceId);
  return {
    id: port.id,
    name: port.name,
    network_id: port.networkId,
    tenant_id: port.projectId,
    project_id: port.projectId,
    mac_address: port.macAddress,
    admin_state_up: port.adminStateUp,
    status: cloud.portStatus(port),
    device_id: port.deviceId,
    device_owner: port.deviceOwner,
    fixed_ips: port.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })),
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    security_groups: [...port.securityGroups],
    description: port.description,
    port_security_enabled: port.portSecurityEnabled,
    'binding:vnic_type': 'normal',
    dns_name: '',
    dns_assignment: port.fixedIps.map((f) => {
      const hostname = server?.name ?? `host-${f.ipAddress.replace(/[.:]/g, '-')}`;
      return { ip_address: f.ipAddress, hostname, fqdn: `${hostname}.jupytercloud.lab.` };
    }),
    dns_domain: '',
    ip_allocation: 'immediate',
    propagate_uplink_status: false,
    qos_policy_id: null,
    qos_network_policy_id: null,
    resource_request: null,
    tags: [...port.tags],
    ...stamps(port),
  };
}

/** A security group rule. */
export function ruleView(group: SecurityGroupRecord, rule: SecurityGroupRuleRecord): Json {
  return {
    id: rule.id,
    tenant_id: group.projectId,
    project_id: group.projectId,
    security_group_id: group.id,
    direction: rule.direction,
    ethertype: rule.ethertype,
    protocol: rule.protocol,
    port_range_min: rule.portRangeMin,
    port_range_max: rule.portRangeMax,
    remote_ip_prefix: rule.remoteIpPrefix,
    normalized_cidr: rule.remoteIpPrefix,
    remote_group_id: rule.remoteGroupId,
    remote_address_group_id: null,
    description: rule.description,
    tags: [],
    created_at: isoSeconds(rule.created),
    updated_at: isoSeconds(rule.created),
    revision_number: 0,
  };
}

/** A security group with its rules. */
export function groupView(group: SecurityGroupRecord): Json {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    tenant_id: group.projectId,
    project_id: group.projectId,
    stateful: true,
    shared: false,
    security_group_rules: group.rules.map((r) => ruleView(group, r)),
    tags: [...group.tags],
    ...stamps(group),
  };
}

/** A network. */
export function networkView(network: NetworkRecord): Json {
  return {
    id: network.id, name: network.name, tenant_id: network.projectId, project_id: network.projectId, admin_state_up: true, status: 'ACTIVE', subnets: [...network.subnets],
    shared: false, 'router:external': network.external, mtu: 1450, port_security_enabled: true, availability_zone_hints: [], availability_zones: ['nova'],
    ipv4_address_scope: null, ipv6_address_scope: null, description: '', dns_domain: '', l2_adjacency: true, qos_policy_id: null, tags: [...network.tags], ...stamps(network),
  };
}

/** A subnet. */
export function subnetView(subnet: SubnetRecord): Json {
  return {
    id: subnet.id, name: subnet.name, network_id: subnet.networkId, tenant_id: subnet.projectId, project_id: subnet.projectId, cidr: subnet.cidr, ip_version: 4,
    gateway_ip: subnet.gatewayIp, allocation_pools: subnet.allocationPools.map((p) => ({ ...p })), dns_nameservers: [...subnet.dnsNameservers], host_routes: [],
    enable_dhcp: true, ipv6_ra_mode: null, ipv6_address_mode: null, subnetpool_id: null, service_types: [], description: '', dns_publish_fixed_ip: false,
    tags: [...subnet.tags], ...stamps(subnet),
  };
}

const PAGING = new Set(['fields', 'limit', 'marker', 'page_reverse', 'sort_key', 'sort_dir', 'tags', 'tags-any', 'not-tags', 'not-tags-any']);

function matchesValue(actual: unknown, wanted: string): boolean {
  if (Array.isArray(actual)) {
    const [subKey, subValue] = wanted.includes('=') ? wanted.split(/=(.*)/s) : [undefined, wanted];
    return actual.some((item) => (subKey && typeof item === 'object' && item !== null ? String((item as Json)[subKey]) === subValue : String(item) === wanted));
  }
  if (typeof actual === 'boolean') return ['true', '1', 'yes'].includes(wanted.toLowerCase()) === actual;
  if (actual === null) return wanted === '' || wanted.toLowerCase() === 'none';
  return String(actual) === wanted;
}

function tags(q: URLSearchParams, key: string): string[] | undefined {
  const values = q.getAll(key).flatMap((v) => v.split(',')).filter((t) => t !== '');
  return values.length > 0 ? values : undefined;
}

function filterItems(items: Json[], q: URLSearchParams): Json[] {
  const keys = [...new Set([...q.keys()])].filter((k) => !PAGING.has(k));
  const known = new Set(items.flatMap((i) => Object.keys(i)));
  const invalid = keys.find((k) => items.length > 0 && !known.has(k));
  if (invalid) throw new CloudError(400, `[${invalid}] is invalid attribute for filtering`);
  let result = items.filter((item) => keys.every((k) => q.getAll(k).some((v) => matchesValue(item[k], v))));
  const has = (item: Json): string[] => (Array.isArray(item['tags']) ? (item['tags'] as string[]) : []);
  const all = tags(q, 'tags');
  const any = tags(q, 'tags-any');
  const notAll = tags(q, 'not-tags');
  const notAny = tags(q, 'not-tags-any');
  if (all) result = result.filter((i) => all.every((t) => has(i).includes(t)));
  if (any) result = result.filter((i) => any.some((t) => has(i).includes(t)));
  if (notAll) result = result.filter((i) => !notAll.every((t) => has(i).includes(t)));
  if (notAny) result = result.filter((i) => !notAny.some((t) => has(i).includes(t)));
  return result;
}

function sortItems(items: Json[], q: URLSearchParams): Json[] {
  const key = q.get('sort_key') ?? (q.has('limit') || q.has('marker') ? 'id' : undefined);
  if (!key) return items;
  const direction = q.get('sort_dir') === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => {
    const x = String(a[key] ?? '');
    const y = String(b[key] ?? '');
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  });
}

function pickFields(item: Json, fields: string[]): Json {
  if (fields.length === 0) return item;
  return Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]]));
}

/**
 * A Neutron list answer: filtered, sorted, paged. `notFound` names the resource's NotFound
 * error for an unknown marker.
 */
export function listAnswer(collection: string, items: Json[], q: URLSearchParams, url: string, notFound: (id: string) => CloudError): Json {
  const sorted = sortItems(filterItems(items, q), q);
  const marker = q.get('marker');
  let start = 0;
  if (marker !== null) {
    const at = sorted.findIndex((i) => i['id'] === marker);
    if (at < 0 && !items.some((i) => i['id'] === marker)) throw notFound(marker);
    start = at + 1;
  }
  const limitText = q.get('limit');
  const limit = limitText === null ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new CloudError(400, `Limit must be an integer 0 or greater and not '${limitText}'`);
  const page = limit ? sorted.slice(start, start + limit) : sorted.slice(start);
  const body: Json = { [collection]: page.map((i) => pickFields(i, q.getAll('fields'))) };
  const links: Json[] = [];
  const link = (rel: string, id: string, reverse: boolean): Json => {
    const params = new URLSearchParams(q);
    params.set('marker', id);
    if (reverse) params.set('page_reverse', 'True');
    else params.delete('page_reverse');
    return { rel, href: `${url}?${params.toString()}` };
  };
  const last = page.at(-1);
  const first = page[0];
  if (limit && page.length === limit && last) links.push(link('next', String(last['id']), false));
  if (marker !== null && first) links.push(link('previous', String(first['id']), true));
  if (links.length > 0) body[`${collection}_links`] = links;
  return body;
}
