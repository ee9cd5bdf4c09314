/**
 * Nova (compute v2.1) at `/compute`: versions, servers (list, detail, show), server actions,
 * server metadata, interfaces and flavors. Rules: lists are sorted newest first (created_at
 * desc, then id) and paged with `limit`/`marker` — an unknown marker is a 400, a full page
 * gets a `servers_links` next link; `name` filters by regular expression as Nova does, `status`
 * through Nova's status map; metadata can change in any task state but not in vm_state error,
 * and not on a locked server.
 */
import { Router } from '../http-frame.js';
import { isObject, param, readJson, reply, type OsContext } from './api.js';
import { statesForStatus, type OpenStackCloud } from './cloud.js';
import { parseAction } from './compute-actions.js';
import { CloudError } from './errors.js';
import { atLeast } from './microversion.js';
import { computeVersion, computeVersions, flavorView, serverDetail, serverSummary } from './nova-views.js';
import type { ServerRecord } from './types.js';

const MAX_LIMIT = 1000;
const METADATA_STATES = new Set(['active', 'paused', 'suspended', 'stopped']);

/** Paths of Nova served without a token (the version documents). */
export function novaOpen(method: string, path: string): boolean {
  const clean = path.replace(/\/+$/, '');
  return method === 'GET' && (clean === '' || clean === '/v2.1');
}

function newestFirst(a: ServerRecord, b: ServerRecord): number {
  return b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function parseLimit(value: string | null): number {
  if (value === null) return MAX_LIMIT;
  if (!/^[0-9]+$/.test(value)) throw new CloudError(400, `Invalid input for query parameters limit. Value: ${value}. '${value}' does not match '^[0-9]*$'`);
  return Math.min(Number(value), MAX_LIMIT);
}

function nameMatcher(pattern: string): (name: string) => boolean {
  try {
    const regex = new RegExp(pattern);
    return (name) => regex.test(name);
  } catch {
    return (name) => name.includes(pattern);
  }
}

function tagFilter(q: URLSearchParams, key: string): string[] | undefined {
  const value = q.get(key);
  return value === null ? undefined : value.split(',').filter((t) => t !== '');
}

function filterServers(cloud: OpenStackCloud, servers: ServerRecord[], ctx: OsContext): ServerRecord[] {
  const q = ctx.url.searchParams;
  let result = servers;
  const name = q.get('name');
  if (name !== null) {
    const matches = nameMatcher(name);
    result = result.filter((s) => matches(s.name));
  }
  const statuses = q.getAll('status');
  if (statuses.length > 0) {
    const { vmStates, taskStates } = statesForStatus(statuses);
    result = result.filter((s) => vmStates.has(s.vmState) && (taskStates === undefined || taskStates.has(s.taskState ?? '')));
  }
  const ip = q.get('ip');
  if (ip !== null) {
    const matches = nameMatcher(ip);
    result = result.filter((s) => cloud.portList().some((p) => p.deviceId === s.id && p.fixedIps.some((f) => matches(f.ipAddress))));
  }
  for (const [key, field] of [['flavor', 'flavorId'], ['image', 'imageId'], ['key_name', 'keyName'], ['availability_zone', 'availabilityZone']] as const) {
    const value = q.get(key);
    if (value !== null) result = result.filter((s) => s[field] === value);
  }
  if (atLeast(ctx.microversion, 26)) {
    const all = tagFilter(q, 'tags');
    const any = tagFilter(q, 'tags-any');
    const notAll = tagFilter(q, 'not-tags');
    const notAny = tagFilter(q, 'not-tags-any');
    if (all) result = result.filter((s) => all.every((t) => s.tags.includes(t)));
    if (any) result = result.filter((s) => any.some((t) => s.tags.includes(t)));
    if (notAll) result = result.filter((s) => !notAll.every((t) => s.tags.includes(t)));
    if (notAny) result = result.filter((s) => !notAny.some((t) => s.tags.includes(t)));
  }
  return result;
}

function nextLink(ctx: OsContext, collection: string, marker: string): string {
  const params = new Map<string, string>();
  for (const [key, value] of ctx.url.searchParams) params.set(key, value);
  params.set('marker', marker);
  const query = new URLSearchParams([...params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${ctx.baseUrl}/compute/v2.1/${collection}?${query.toString()}`;
}

function listServers(cloud: OpenStackCloud, ctx: OsContext, detail: boolean): void {
  const q = ctx.url.searchParams;
  const limit = parseLimit(q.get('limit'));
  const sorted = cloud.serverList().sort(newestFirst);
  const marker = q.get('marker');
  let candidates = sorted;
  if (marker !== null) {
    const at = sorted.findIndex((s) => s.id === marker);
    if (at < 0) throw new CloudError(400, `marker [${marker}] not found`);
    candidates = sorted.slice(at + 1);
  }
  const page = filterServers(cloud, candidates, ctx).slice(0, limit);
  const servers = page.map((s) => (detail ? serverDetail(cloud, s, ctx.baseUrl, ctx.microversion) : serverSummary(s, ctx.baseUrl)));
  const body: Record<string, unknown> = { servers };
  const last = page.at(-1);
  if (limit > 0 && page.length === limit && last) {
    body['servers_links'] = [{ rel: 'next', href: nextLink(ctx, detail ? 'servers/detail' : 'servers', last.id) }];
  }
  reply(ctx, 200, body);
}

function knownServer(cloud: OpenStackCloud, id: string): ServerRecord {
  const server = cloud.serverList().find((s) => s.id === id);
  if (!server) throw new CloudError(404, `Instance ${id} could not be found.`);
  return server;
}

function checkMetadataState(server: ServerRecord, verb: string): void {
  if (server.locked) throw new CloudError(409, `Instance ${server.id} is locked`);
  if (!METADATA_STATES.has(server.vmState)) throw new CloudError(409, `Cannot '${verb}' instance ${server.id} while it is in vm_state ${server.vmState}`);
}

function metadataBody(body: unknown, field: 'metadata' | 'meta'): Record<string, string> {
  const value = isObject(body) ? body[field] : undefined;
  if (!isObject(value)) throw new CloudError(400, `Invalid input for field/attribute ${field}. Value: ${JSON.stringify(value ?? null)}. '${field}' is a required property`);
  for (const [key, item] of Object.entries(value)) {
    if (key.length < 1 || key.length > 255 || typeof item !== 'string' || item.length > 255) {
      throw new CloudError(400, `Invalid input for field/attribute ${field}. Value: ${JSON.stringify(value)}. Keys and values must be strings of at most 255 characters`);
    }
  }
  return value as Record<string, string>;
}

function addServerRoutes(router: Router<OsContext>, cloud: OpenStackCloud): void {
  router.add('GET', '/v2.1/servers', (ctx) => listServers(cloud, ctx, false));
  router.add('GET', '/v2.1/servers/detail', (ctx) => listServers(cloud, ctx, true));
  router.add('GET', '/v2.1/servers/:id', (ctx) => {
    reply(ctx, 200, { server: serverDetail(cloud, knownServer(cloud, param(ctx, 'id')), ctx.baseUrl, ctx.microversion) });
  });
  router.add('POST', '/v2.1/servers/:id/action', async (ctx) => {
    const server = knownServer(cloud, param(ctx, 'id'));
    const { action, params } = parseAction(await readJson(ctx, 'Malformed request body'));
    cloud.act(server.id, action, params);
    reply(ctx, 202);
  });
  router.add('GET', '/v2.1/servers/:id/os-interface', (ctx) => {
    const server = knownServer(cloud, param(ctx, 'id'));
    const attachments = cloud.portList().filter((p) => p.deviceId === server.id).map((p) => ({
      port_state: cloud.portStatus(p), fixed_ips: p.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })), port_id: p.id, net_id: p.networkId, mac_addr: p.macAddress,
      ...(atLeast(ctx.microversion, 70) ? { tag: null } : {}),
    }));
    reply(ctx, 200, { interfaceAttachments: attachments });
  });
}

function addMetadataRoutes(router: Router<OsContext>, cloud: OpenStackCloud): void {
  router.add('GET', '/v2.1/servers/:id/metadata', (ctx) => reply(ctx, 200, { metadata: { ...knownServer(cloud, param(ctx, 'id')).metadata } }));
  const update = (replace: boolean) => async (ctx: OsContext): Promise<void> => {
    const server = knownServer(cloud, param(ctx, 'id'));
    const metadata = metadataBody(await readJson(ctx, 'Malformed request body'), 'metadata');
    checkMetadataState(server, 'update metadata');
    const changed = cloud.changeServer(server.id, (s) => (s.metadata = replace ? { ...metadata } : { ...s.metadata, ...metadata }));
    reply(ctx, 200, { metadata: { ...changed.metadata } });
  };
  router.add('PUT', '/v2.1/servers/:id/metadata', update(true));
  router.add('POST', '/v2.1/servers/:id/metadata', update(false));
  router.add('GET', '/v2.1/servers/:id/metadata/:key', (ctx) => {
    const server = knownServer(cloud, param(ctx, 'id'));
    const key = param(ctx, 'key');
    const value = server.metadata[key];
    if (value === undefined) throw new CloudError(404, 'Metadata item was not found');
    reply(ctx, 200, { meta: { [key]: value } });
  });
  router.add('PUT', '/v2.1/servers/:id/metadata/:key', async (ctx) => {
    const server = knownServer(cloud, param(ctx, 'id'));
    const key = param(ctx, 'key');
    const meta = metadataBody(await readJson(ctx, 'Malformed request body'), 'meta');
    if (!(key in meta)) throw new CloudError(400, 'Request body and URI mismatch');
    if (Object.keys(meta).length > 1) throw new CloudError(400, 'Request body contains too many items');
    checkMetadataState(server, 'update metadata');
    const value = meta[key] ?? '';
    cloud.changeServer(server.id, (s) => (s.metadata = { ...s.metadata, [key]: value }));
    reply(ctx, 200, { meta: { [key]: value } });
  });
  router.add('DELETE', '/v2.1/servers/:id/metadata/:key', (ctx) => {
    const server = knownServer(cloud, param(ctx, 'id'));
    const key = param(ctx, 'key');
    if (!(key in server.metadata)) throw new CloudError(404, 'Metadata item was not found');
    checkMetadataState(server, 'delete metadata');
    cloud.changeServer(server.id, (s) => {
      const { [key]: _removed, ...rest } = s.metadata;
      s.metadata = rest;
    });
    reply(ctx, 204);
  });
}

function addFlavorRoutes(router: Router<OsContext>, cloud: OpenStackCloud): void {
  const list = (detail: boolean) => (ctx: OsContext): void => {
    const flavors = [...cloud.flavorRecords.values()].map((f) => flavorView(f, ctx.baseUrl, ctx.microversion, detail));
    reply(ctx, 200, { flavors });
  };
  const known = (ctx: OsContext): NonNullable<ReturnType<typeof cloud.flavorRecords.get>> => {
    const flavor = cloud.flavorRecords.get(param(ctx, 'id'));
    if (!flavor) throw new CloudError(404, `Flavor ${param(ctx, 'id')} could not be found.`);
    return flavor;
  };
  router.add('GET', '/v2.1/flavors', list(false));
  router.add('GET', '/v2.1/flavors/detail', list(true));
  router.add('GET', '/v2.1/flavors/:id', (ctx) => reply(ctx, 200, { flavor: flavorView(known(ctx), ctx.baseUrl, ctx.microversion, true) }));
  router.add('GET', '/v2.1/flavors/:id/os-extra_specs', (ctx) => {
    known(ctx);
    reply(ctx, 200, { extra_specs: {} });
  });
}

/** Nova's routes (paths relative to `/compute`). */
export function novaRoutes(cloud: OpenStackCloud): Router<OsContext> {
  const router = new Router<OsContext>();
  router.add('GET', '/', (ctx) => reply(ctx, 200, computeVersions(ctx.baseUrl)));
  router.add('GET', '/v2.1', (ctx) => reply(ctx, 200, { version: computeVersion(ctx.baseUrl, true) }));
  addServerRoutes(router, cloud);
  addMetadataRoutes(router, cloud);
  addFlavorRoutes(router, cloud);
  return router;
}
