/**
 * The Neutron calls gameday makes: ports (read, swap security groups, take down), security
 * groups and their rules (create, find by name or tag, delete), and tags. Rules: deleting
 * what is already gone is fine (404); deleting a group still used by a port is an error
 * (409, not retryable). Creating is not idempotent: callers find by tag before creating.
 * A group created with tags that cannot be tagged is deleted again, never left untagged.
 */
import { TargetError } from '../../../errors.js';
import { openstackShapeError } from '../errors.js';
import type { OpenStackRequest, ServiceResponse } from './http.js';
import { listAllPages } from './paging.js';
import { Port, SecurityGroup, SecurityGroupRule } from '../types.js';
import type { z } from 'zod';

/** Neutron resources that carry tags, as they appear in URLs. */
export type TaggedResource = 'ports' | 'security-groups' | 'networks' | 'subnets' | 'routers' | 'floatingips';

/** What a port update may change. */
export interface PortUpdate {
  security_groups?: string[];
  admin_state_up?: boolean;
}

/** A new security group rule; absent fields mean "any". */
export interface NewSecurityGroupRule {
  security_group_id: string;
  direction: 'ingress' | 'egress';
  ethertype?: 'IPv4' | 'IPv6';
  protocol?: string;
  port_range_min?: number;
  port_range_max?: number;
  remote_ip_prefix?: string;
  remote_group_id?: string;
  description?: string;
}

/** The Neutron client. Every method throws TargetError (see errors.ts for which are retryable). */
export interface Neutron {
  /** Ports, optionally those of one device (a server id) or network. */
  listPorts(filter?: { deviceId?: string; networkId?: string; signal?: AbortSignal }): Promise<Port[]>;
  /** The port, or null when Neutron answers 404. */
  getPort(id: string, signal?: AbortSignal): Promise<Port | null>;
  /** Changes the port's security groups and/or admin state; returns the port as Neutron now has it. */
  updatePort(id: string, update: PortUpdate, signal?: AbortSignal): Promise<Port>;
  /** Security groups by exact name and/or carrying every one of `tags`. */
  listSecurityGroups(filter?: { name?: string; tags?: readonly string[]; signal?: AbortSignal }): Promise<SecurityGroup[]>;
  /** The group, or null when Neutron answers 404. */
  getSecurityGroup(id: string, signal?: AbortSignal): Promise<SecurityGroup | null>;
  /** Creates a group (Neutron adds its default egress rules), then sets `tags` on it. */
  createSecurityGroup(name: string, description: string, options?: { tags?: readonly string[]; signal?: AbortSignal }): Promise<SecurityGroup>;
  /** Deletes a group; already gone is fine, in use (409) is an error. */
  deleteSecurityGroup(id: string, signal?: AbortSignal): Promise<void>;
  createSecurityGroupRule(rule: NewSecurityGroupRule, signal?: AbortSignal): Promise<SecurityGroupRule>;
  /** Deletes a rule; already gone is fine. */
  deleteSecurityGroupRule(id: string, signal?: AbortSignal): Promise<void>;
  /** Adds one tag (idempotent). */
  addTag(resource: TaggedResource, id: string, tag: string, signal?: AbortSignal): Promise<void>;
  /** Removes one tag; a tag or resource already gone is fine. */
  removeTag(resource: TaggedResource, id: string, tag: string, signal?: AbortSignal): Promise<void>;
  /** Replaces every tag of the resource with `tags`. */
  replaceTags(resource: TaggedResource, id: string, tags: readonly string[], signal?: AbortSignal): Promise<void>;
}

/** A Neutron client over `request`. */
export function createNeutron(request: OpenStackRequest): Neutron {
  const one = <T>(answer: ServiceResponse, key: string, schema: z.ZodType<T>, action: string): T => {
    const parsed = schema.safeParse((answer.body as Record<string, unknown> | undefined)?.[key]);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw openstackShapeError('network', action, `${key}.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'bad body'}`, answer.requestId);
  };
  const getOrNull = async <T>(path: string, key: string, schema: z.ZodType<T>, action: string, signal?: AbortSignal): Promise<T | null> => {
    const answer = await request({ service: 'network', method: 'GET', path, ok: [200, 404], action, signal });
    return answer.status === 404 ? null : one(answer, key, schema, action);
  };
  const remove = async (path: string, action: string, signal?: AbortSignal): Promise<void> => {
    await request({ service: 'network', method: 'DELETE', path, ok: [200, 204, 404], action, signal });
  };
  const tagsPath = (resource: TaggedResource, id: string): string => `/${resource}/${encodeURIComponent(id)}/tags`;

  const neutron: Neutron = {
    listPorts: (filter = {}) =>
      listAllPages(request, {
        service: 'network',
        path: '/ports',
        key: 'ports',
        item: Port,
        query: { device_id: filter.deviceId, network_id: filter.networkId },
        action: filter.deviceId ? `list ports of device ${filter.deviceId}` : 'list ports',
        signal: filter.signal,
      }),

    getPort: (id, signal) => getOrNull(`/ports/${encodeURIComponent(id)}`, 'port', Port, `read port ${id}`, signal),

    async updatePort(id, update, signal) {
      const action = `update port ${id}`;
      const answer = await request({ service: 'network', method: 'PUT', path: `/ports/${encodeURIComponent(id)}`, body: { port: update }, action, signal });
      return one(answer, 'port', Port, action);
    },

    listSecurityGroups: (filter = {}) =>
      listAllPages(request, {
        service: 'network',
        path: '/security-groups',
        key: 'security_groups',
        item: SecurityGroup,
        query: { name: filter.name, tags: filter.tags && filter.tags.length > 0 ? filter.tags.join(',') : undefined },
        action: 'list security groups',
        signal: filter.signal,
      }),

    getSecurityGroup: (id, signal) =>
      getOrNull(`/security-groups/${encodeURIComponent(id)}`, 'security_group', SecurityGroup, `read security group ${id}`, signal),

    async createSecurityGroup(name, description, options = {}) {
      const action = `create security group ${name}`;
      const answer = await request({
        service: 'network',
        method: 'POST',
        path: '/security-groups',
        body: { security_group: { name, description } },
        action,
        signal: options.signal,
      });
      const group = one(answer, 'security_group', SecurityGroup, action);
      const tags = options.tags ?? [];
      if (tags.length === 0) return group;
      try {
        await neutron.replaceTags('security-groups', group.id, tags, options.signal);
      } catch (err) {
        await neutron.deleteSecurityGroup(group.id).catch(() => undefined);
        throw err instanceof TargetError ? err : new TargetError(`Neutron tag security group ${group.id}: failed`, { retryable: true, cause: err });
      }
      return { ...group, tags: [...tags] };
    },

    deleteSecurityGroup: (id, signal) => remove(`/security-groups/${encodeURIComponent(id)}`, `delete security group ${id}`, signal),

    async createSecurityGroupRule(rule, signal) {
      const action = `create ${rule.direction} rule in security group ${rule.security_group_id}`;
      const answer = await request({ service: 'network', method: 'POST', path: '/security-group-rules', body: { security_group_rule: rule }, action, signal });
      return one(answer, 'security_group_rule', SecurityGroupRule, action);
    },

    deleteSecurityGroupRule: (id, signal) => remove(`/security-group-rules/${encodeURIComponent(id)}`, `delete security group rule ${id}`, signal),

    async addTag(resource, id, tag, signal) {
      const path = `${tagsPath(resource, id)}/${encodeURIComponent(tag)}`;
      await request({ service: 'network', method: 'PUT', path, action: `tag ${resource} ${id} with ${tag}`, signal });
    },

    removeTag: (resource, id, tag, signal) =>
      remove(`${tagsPath(resource, id)}/${encodeURIComponent(tag)}`, `remove tag ${tag} from ${resource} ${id}`, signal),

    async replaceTags(resource, id, tags, signal) {
      await request({ service: 'network', method: 'PUT', path: tagsPath(resource, id), body: { tags: [...tags] }, action: `set tags of ${resource} ${id}`, signal });
    },
  };
  return neutron;
}
