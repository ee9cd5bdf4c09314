/**
 * Neutron (networking v2.0) at `/network`: versions, extensions, networks and subnets (read),
 * ports (list, show, update), security groups (list, show, create, update, delete), their
 * rules (neutron-rules.ts) and the
 * tag API of ports and security groups. Rules: an update names only attributes Neutron lets
 * a project member change (400 otherwise) and honours `If-Match: revision_number=N` (412); a
 * group is deleted only when no port uses it (409 SecurityGroupInUse); setting an existing
 * tag or deleting all tags is idempotent, deleting a missing tag is a 404.
 */
import { Router } from '../http-frame.js';
import { isObject, param, readJson, reply, type OsContext } from './api.js';
import type { OpenStackCloud } from './cloud.js';
import { CloudError } from './errors.js';
import { groupView, listAnswer, networkView, portView, subnetView } from './neutron-views.js';
import { addRuleRoutes } from './neutron-rules.js';
import type { PortRecord, SecurityGroupRecord } from './types.js';

const EXTENSIONS: [string, string][] = [
  ['security-group', 'security-group'],
  ['port-security', 'Port Security'],
  ['standard-attr-tag', 'Tag support for resources with standard attribute: port, security_group, network, subnet, …'],
  ['standard-attr-revisions', 'Resource revision numbers'],
  ['standard-attr-timestamp', 'Resource timestamps'],
  ['revision-if-match', 'If-Match constraints based on revision_number'],
  ['filter-validation', 'Filter parameters validation'],
  ['project-id', 'project_id field enabled'],
  ['binding', 'Port Binding'],
  ['dns-integration', 'DNS Integration'],
];

/** Paths of Neutron served without a token (the versions document). */
export function neutronOpen(method: string, path: string): boolean {
  return method === 'GET' && path.replace(/\/+$/, '') === '';
}

function ifRevision(ctx: OsContext): number | undefined {
  const header = ctx.req.headers['if-match'];
  const match = /revision_number=(\d+)/.exec(Array.isArray(header) ? header.join(',') : (header ?? ''));
  return match ? Number(match[1]) : undefined;
}

function toBoolean(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && ['true', 'false', '1', '0'].includes(value.toLowerCase())) return ['true', '1'].includes(value.toLowerCase());
  throw new CloudError(400, `Invalid input for ${field}. Reason: '${String(value)}' cannot be converted to boolean.`);
}

export function requireString(field: string, value: unknown, max = 255): string {
  if (typeof value !== 'string') throw new CloudError(400, `Invalid input for ${field}. Reason: '${String(value)}' is not a valid string.`);
  if (value.length > max) throw new CloudError(400, `Invalid input for ${field}. Reason: '${value}' exceeds maximum length of ${max}.`);
  return value;
}

export async function resourceBody(ctx: OsContext, resource: string, allowed: Set<string>): Promise<Record<string, unknown>> {
  const body = await readJson(ctx, 'Body contains invalid data');
  const fields = isObject(body) ? body[resource] : undefined;
  if (!isObject(fields)) throw new CloudError(400, `Resource body required`);
  const unknown = Object.keys(fields).filter((k) => !allowed.has(k));
  if (unknown.length > 0) throw new CloudError(400, `Unrecognized attribute(s) '${unknown.join(', ')}'`);
  return fields;
}

const PORT_UPDATABLE = new Set(['name', 'description', 'admin_state_up', 'security_groups', 'port_security_enabled', 'device_id', 'device_owner']);
const GROUP_CREATABLE = new Set(['name', 'description', 'stateful', 'tenant_id', 'project_id', 'tags']);
const GROUP_UPDATABLE = new Set(['name', 'description', 'stateful']);

function portChange(cloud: OpenStackCloud, fields: Record<string, unknown>): (port: PortRecord) => void {
  const groups = fields['security_groups'];
  let groupIds: string[] | undefined;
  if (groups !== undefined) {
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) throw new CloudError(400, `Invalid input for security_groups. Reason: '${JSON.stringify(groups)}' is not a list.`);
    groupIds = [...new Set(groups as string[])];
    for (const id of groupIds) if (!cloud.findGroup(id)) throw new CloudError(404, `Security group ${id} does not exist`, 'SecurityGroupNotFound');
  }
  const adminUp = fields['admin_state_up'] === undefined ? undefined : toBoolean('admin_state_up', fields['admin_state_up']);
  const portSecurity = fields['port_security_enabled'] === undefined ? undefined : toBoolean('port_security_enabled', fields['port_security_enabled']);
  const text = (key: string): string | undefined => (fields[key] === undefined ? undefined : requireString(key, fields[key]));
  const [name, description, deviceId, deviceOwner] = [text('name'), text('description'), text('device_id'), text('device_owner')];
  return (port) => {
    const nextGroups = groupIds ?? port.securityGroups;
    const nextSecurity = portSecurity ?? port.portSecurityEnabled;
    if (!nextSecurity && nextGroups.length > 0) {
      throw new CloudError(409, 'Port has security group associated. Cannot disable port security or ip address until security group is removed', 'PortSecurityPortHasSecurityGroup');
    }
    port.securityGroups = nextGroups;
    port.portSecurityEnabled = nextSecurity;
    if (adminUp !== undefined) port.adminStateUp = adminUp;
    if (name !== undefined) port.name = name;
    if (description !== undefined) port.description = description;
    if (deviceId !== undefined) port.deviceId = deviceId;
    if (deviceOwner !== undefined) port.deviceOwner = deviceOwner;
  };
}

function addPortRoutes(router: Router<OsContext>, cloud: OpenStackCloud): void {
  const notFound = (id: string): CloudError => new CloudError(404, `Port ${id} could not be found.`, 'PortNotFound');
  router.add('GET', '/v2.0/ports', (ctx) => {
    const items = cloud.portList().map((p) => portView(cloud, p));
    reply(ctx, 200, listAnswer('ports', items, ctx.url.searchParams, `${ctx.baseUrl}/network/v2.0/ports`, notFound));
  });
  router.add('GET', '/v2.0/ports/:id', (ctx) => {
    const port = cloud.findPort(param(ctx, 'id'));
    if (!port) throw notFound(param(ctx, 'id'));
    reply(ctx, 200, { port: portView(cloud, port) });
  });
  router.add('PUT', '/v2.0/ports/:id', async (ctx) => {
    if (!cloud.findPort(param(ctx, 'id'))) throw notFound(param(ctx, 'id'));
    const fields = await resourceBody(ctx, 'port', PORT_UPDATABLE);
    const port = cloud.changePort(param(ctx, 'id'), portChange(cloud, fields), ifRevision(ctx));
    reply(ctx, 200, { port: portView(cloud, port) });
  });
}

function addGroupRoutes(router: Router<OsContext>, cloud: OpenStackCloud): void {
  const notFound = (id: string): CloudError => new CloudError(404, `Security group ${id} does not exist`, 'SecurityGroupNotFound');
  const known = (ctx: OsContext): SecurityGroupRecord => {
    const group = cloud.findGroup(param(ctx, 'id'));
    if (!group) throw notFound(param(ctx, 'id'));
    return group;
  };
  router.add('GET', '/v2.0/security-groups', (ctx) => {
    const items = cloud.groupList().map(groupView);
    reply(ctx, 200, listAnswer('security_groups', items, ctx.url.searchParams, `${ctx.baseUrl}/network/v2.0/security-groups`, notFound));
  });
  router.add('GET', '/v2.0/security-groups/:id', (ctx) => reply(ctx, 200, { security_group: groupView(known(ctx)) }));
  router.add('POST', '/v2.0/security-groups', async (ctx) => {
    const fields = await resourceBody(ctx, 'security_group', GROUP_CREATABLE);
    const name = fields['name'] === undefined ? '' : requireString('name', fields['name']);
    const description = fields['description'] === undefined ? '' : requireString('description', fields['description']);
    const tags = fields['tags'] === undefined ? [] : validTags(fields['tags']);
    reply(ctx, 201, { security_group: groupView(cloud.createGroup(name, description, tags)) });
  });
  router.add('PUT', '/v2.0/security-groups/:id', async (ctx) => {
    known(ctx);
    const fields = await resourceBody(ctx, 'security_group', GROUP_UPDATABLE);
    const name = fields['name'] === undefined ? undefined : requireString('name', fields['name']);
    const description = fields['description'] === undefined ? undefined : requireString('description', fields['description']);
    const group = cloud.changeGroup(param(ctx, 'id'), (g) => {
      if (g.name === 'default' && name !== undefined && name !== 'default') throw new CloudError(409, 'Insufficient rights for removing default security group.', 'SecurityGroupCannotUpdateDefault');
      if (name !== undefined) g.name = name;
      if (description !== undefined) g.description = description;
    }, ifRevision(ctx));
    reply(ctx, 200, { security_group: groupView(group) });
  });
  router.add('DELETE', '/v2.0/security-groups/:id', (ctx) => {
    cloud.deleteGroup(param(ctx, 'id'));
    reply(ctx, 204);
  });
}

function validTags(value: unknown): string[] {
  if (!Array.isArray(value)) throw new CloudError(400, `Invalid input for tags. Reason: '${JSON.stringify(value)}' is not a list.`);
  return [...new Set(value.map((t) => validTag(t)))];
}

function validTag(tag: unknown): string {
  if (typeof tag !== 'string' || tag === '') throw new CloudError(400, `Invalid input for tags. Reason: '${String(tag)}' is not a valid tag.`);
  if (tag.length > 255) throw new CloudError(400, `Invalid input for tags. Reason: '${tag}' exceeds maximum length of 255.`);
  return tag;
}

interface Taggable {
  /** Neutron's resource name in messages (`port`, `security_group`). */
  resource: string;
  exists(id: string): boolean;
  tags(id: string): string[];
  setTags(id: string, tags: string[]): void;
  notFound(id: string): CloudError;
}

function addTagRoutes(router: Router<OsContext>, collection: string, t: Taggable): void {
  const base = `/v2.0/${collection}/:id/tags`;
  const known = (ctx: OsContext): string => {
    const id = param(ctx, 'id');
    if (!t.exists(id)) throw t.notFound(id);
    return id;
  };
  const missing = (ctx: OsContext): CloudError => new CloudError(404, `Tag ${param(ctx, 'tag')} could not be found for ${t.resource} ${param(ctx, 'id')}.`, 'TagNotFound');
  router.add('GET', base, (ctx) => reply(ctx, 200, { tags: t.tags(known(ctx)) }));
  router.add('GET', `${base}/:tag`, (ctx) => {
    if (!t.tags(known(ctx)).includes(param(ctx, 'tag'))) throw missing(ctx);
    reply(ctx, 204);
  });
  router.add('PUT', base, async (ctx) => {
    const id = known(ctx);
    const body = await readJson(ctx, 'Body contains invalid data');
    const tags = validTags(isObject(body) ? body['tags'] : undefined);
    t.setTags(id, tags);
    reply(ctx, 200, { tags: t.tags(id) });
  });
  router.add('PUT', `${base}/:tag`, (ctx) => {
    const id = known(ctx);
    const tag = validTag(param(ctx, 'tag'));
    if (!t.tags(id).includes(tag)) t.setTags(id, [...t.tags(id), tag]);
    reply(ctx, 201);
  });
  router.add('DELETE', base, (ctx) => {
    const id = known(ctx);
    if (t.tags(id).length > 0) t.setTags(id, []);
    reply(ctx, 204);
  });
  router.add('DELETE', `${base}/:tag`, (ctx) => {
    const id = known(ctx);
    if (!t.tags(id).includes(param(ctx, 'tag'))) throw missing(ctx);
    t.setTags(id, t.tags(id).filter((x) => x !== param(ctx, 'tag')));
    reply(ctx, 204);
  });
}

function addNetworkRoutes(router: Router<OsContext>, cloud: OpenStackCloud): void {
  const networkMissing = (id: string): CloudError => new CloudError(404, `Network ${id} could not be found.`, 'NetworkNotFound');
  const subnetMissing = (id: string): CloudError => new CloudError(404, `Subnet ${id} could not be found.`, 'SubnetNotFound');
  router.add('GET', '/v2.0/networks', (ctx) => {
    const items = [...cloud.networkRecords.values()].map(networkView);
    reply(ctx, 200, listAnswer('networks', items, ctx.url.searchParams, `${ctx.baseUrl}/network/v2.0/networks`, networkMissing));
  });
  router.add('GET', '/v2.0/networks/:id', (ctx) => {
    const network = cloud.networkRecords.get(param(ctx, 'id'));
    if (!network) throw networkMissing(param(ctx, 'id'));
    reply(ctx, 200, { network: networkView(network) });
  });
  router.add('GET', '/v2.0/subnets', (ctx) => {
    const items = [...cloud.subnetRecords.values()].map(subnetView);
    reply(ctx, 200, listAnswer('subnets', items, ctx.url.searchParams, `${ctx.baseUrl}/network/v2.0/subnets`, subnetMissing));
  });
  router.add('GET', '/v2.0/subnets/:id', (ctx) => {
    const subnet = cloud.subnetRecords.get(param(ctx, 'id'));
    if (!subnet) throw subnetMissing(param(ctx, 'id'));
    reply(ctx, 200, { subnet: subnetView(subnet) });
  });
}

/** Neutron's routes (paths relative to `/network`). */
export function neutronRoutes(cloud: OpenStackCloud): Router<OsContext> {
  const router = new Router<OsContext>();
  router.add('GET', '/', (ctx) => reply(ctx, 200, { versions: [{ status: 'CURRENT', id: 'v2.0', links: [{ href: `${ctx.baseUrl}/network/v2.0/`, rel: 'self' }] }] }));
  router.add('GET', '/v2.0', (ctx) => {
    const resources = ['network', 'subnet', 'port', 'security_group'].map((name) => {
      const collection = name === 'security_group' ? 'security-groups' : `${name}s`;
      return { links: [{ href: `${ctx.baseUrl}/network/v2.0/${collection}`, rel: 'self' }], name, collection: collection.replace('-', '_') };
    });
    reply(ctx, 200, { resources });
  });
  router.add('GET', '/v2.0/extensions', (ctx) => {
    reply(ctx, 200, { extensions: EXTENSIONS.map(([alias, name]) => ({ alias, name, description: name, links: [], updated: '2013-01-01T00:00:00-00:00' })) });
  });
  addNetworkRoutes(router, cloud);
  addPortRoutes(router, cloud);
  addGroupRoutes(router, cloud);
  addRuleRoutes(router, cloud);
  addTagRoutes(router, 'ports', {
    resource: 'port',
    exists: (id) => cloud.findPort(id) !== undefined,
    tags: (id) => [...(cloud.findPort(id)?.tags ?? [])],
    setTags: (id, tags) => cloud.changePort(id, (p) => (p.tags = [...tags])),
    notFound: (id) => new CloudError(404, `Port ${id} could not be found.`, 'PortNotFound'),
  });
  addTagRoutes(router, 'security-groups', {
    resource: 'security_group',
    exists: (id) => cloud.findGroup(id) !== undefined,
    tags: (id) => [...(cloud.findGroup(id)?.tags ?? [])],
    setTags: (id, tags) => cloud.changeGroup(id, (g) => (g.tags = [...tags])),
    notFound: (id) => new CloudError(404, `Security group ${id} does not exist`, 'SecurityGroupNotFound'),
  });
  return router;
}
