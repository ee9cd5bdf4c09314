/**
 * Nova's JSON views: version documents, servers (summary and detail) and flavors, shaped by
 * the request's microversion as Nova shapes them (2.9 locked, 2.19 description, 2.26 tags,
 * 2.47 embedded flavor, 2.55 flavor description, 2.61 extra_specs, 2.73 locked_reason,
 * 2.75 swap as a number, 2.90 hostname). Rule: views only read; admin-only attributes
 * (`OS-EXT-SRV-ATTR:*`, host_status) are never shown — the lab's user is a project member.
 */
import { createHash } from 'node:crypto';
import { isoSeconds } from './api.js';
import { statusFromState, type OpenStackCloud } from './cloud.js';
import { atLeast, NOVA_MAX_VERSION, NOVA_MIN_VERSION, versionText, type Microversion } from './microversion.js';
import type { FlavorRecord, ServerRecord } from './types.js';

const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);

/** Nova's v2.1 version entry. */
export function computeVersion(baseUrl: string, withDetails: boolean): Record<string, unknown> {
  const version: Record<string, unknown> = {
    id: 'v2.1',
    status: 'CURRENT',
    version: versionText(NOVA_MAX_VERSION),
    min_version: versionText(NOVA_MIN_VERSION),
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${baseUrl}/compute/v2.1/` }],
  };
  if (withDetails) {
    version['links'] = [{ rel: 'self', href: `${baseUrl}/compute/v2.1/` }, { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' }];
    version['media-types'] = [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }];
  }
  return version;
}

/** Nova's root versions document. */
export function computeVersions(baseUrl: string): unknown {
  return {
    versions: [
      { id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z', links: [{ rel: 'self', href: `${baseUrl}/compute/v2/` }] },
      computeVersion(baseUrl, false),
    ],
  };
}

function links(baseUrl: string, collection: string, id: string): unknown[] {
  return [
    { rel: 'self', href: `${baseUrl}/compute/v2.1/${collection}/${id}` },
    { rel: 'bookmark', href: `${baseUrl}/compute/${collection}/${id}` },
  ];
}

/** `GET /servers` entry: id, name, links. */
export function serverSummary(server: ServerRecord, baseUrl: string): unknown {
  return { id: server.id, links: links(baseUrl, 'servers', server.id), name: server.name };
}

/** Nova's launched_at format (`2025-01-02T03:04:05.000000`, no zone). */
function usageTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}

/** The server's addresses by network name, from its ports. */
function addresses(cloud: OpenStackCloud, server: ServerRecord): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {};
  for (const port of cloud.portList().filter((p) => p.deviceId === server.id)) {
    const network = cloud.networkRecords.get(port.networkId)?.name ?? port.networkId;
    const list = (result[network] ??= []);
    for (const ip of port.fixedIps) list.push({ version: ip.ipAddress.includes(':') ? 6 : 4, addr: ip.ipAddress, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.macAddress });
  }
  return result;
}

/** The names of the security groups on the server's ports (each once). */
export function serverGroupNames(cloud: OpenStackCloud, server: ServerRecord): string[] {
  const ids = new Set(cloud.portList().filter((p) => p.deviceId === server.id).flatMap((p) => p.securityGroups));
  return [...ids].map((id) => cloud.findGroup(id)?.name ?? id);
}

function flavorRef(cloud: OpenStackCloud, server: ServerRecord, baseUrl: string, v: Microversion): unknown {
  const flavor = cloud.flavorRecords.get(server.flavorId);
  if (!atLeast(v, 47) || !flavor) return { id: server.flavorId, links: [{ rel: 'bookmark', href: `${baseUrl}/compute/flavors/${server.flavorId}` }] };
  return { vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk, ephemeral: 0, swap: 0, original_name: flavor.name, extra_specs: {} };
}

/** `GET /servers/{id}` and `/servers/detail` entry at microversion `v`. */
export function serverDetail(cloud: OpenStackCloud, server: ServerRecord, baseUrl: string, v: Microversion): Record<string, unknown> {
  const status = statusFromState(server.vmState, server.taskState);
  const body: Record<string, unknown> = {
    id: server.id,
    name: server.name,
    status,
    tenant_id: server.projectId,
    user_id: server.userId,
    metadata: { ...server.metadata },
    hostId: createHash('sha224').update(server.projectId + server.host).digest('hex'),
    image: { id: server.imageId, links: [{ rel: 'bookmark', href: `${baseUrl}/compute/images/${server.imageId}` }] },
    flavor: flavorRef(cloud, server, baseUrl, v),
    created: isoSeconds(server.created),
    updated: isoSeconds(server.updated),
    addresses: addresses(cloud, server),
    accessIPv4: '',
    accessIPv6: '',
    links: links(baseUrl, 'servers', server.id),
    'OS-DCF:diskConfig': 'MANUAL',
    'OS-EXT-AZ:availability_zone': server.availabilityZone,
    config_drive: '',
    key_name: server.keyName,
    'OS-SRV-USG:launched_at': usageTime(server.launchedAt),
    'OS-SRV-USG:terminated_at': null,
    security_groups: serverGroupNames(cloud, server).map((name) => ({ name })),
    'OS-EXT-STS:task_state': server.taskState,
    'OS-EXT-STS:vm_state': server.vmState,
    'OS-EXT-STS:power_state': server.powerState,
    'os-extended-volumes:volumes_attached': [],
  };
  if (PROGRESS_STATUSES.has(status)) body['progress'] = 0;
  if (atLeast(v, 9)) body['locked'] = server.locked;
  if (atLeast(v, 19)) body['description'] = server.description;
  if (atLeast(v, 26)) body['tags'] = [...server.tags];
  if (atLeast(v, 63)) body['trusted_image_certificates'] = null;
  if (atLeast(v, 73)) body['locked_reason'] = null;
  if (atLeast(v, 90)) body['OS-EXT-SRV-ATTR:hostname'] = server.name;
  return body;
}

/** A flavor, summary or detail, at microversion `v`. */
export function flavorView(flavor: FlavorRecord, baseUrl: string, v: Microversion, detail: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { id: flavor.id, name: flavor.name, links: links(baseUrl, 'flavors', flavor.id) };
  if (atLeast(v, 55)) body['description'] = null;
  if (!detail) return body;
  Object.assign(body, {
    ram: flavor.ram,
    disk: flavor.disk,
    vcpus: flavor.vcpus,
    swap: atLeast(v, 75) ? 0 : '',
    rxtx_factor: 1.0,
    'OS-FLV-DISABLED:disabled': false,
    'OS-FLV-EXT-DATA:ephemeral': 0,
    'os-flavor-access:is_public': true,
  });
  if (atLeast(v, 61)) body['extra_specs'] = {};
  return body;
}
