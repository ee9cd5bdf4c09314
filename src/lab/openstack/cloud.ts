/**
 * The lab's OpenStack cloud: Nova servers, Neutron networks, ports and security groups,
 * Glance images and Nova flavors, with change events. Rules: readers get copies, never the
 * stored records; every change bumps the record's `updated` (and Neutron's revision) and
 * emits exactly one `change` event after it is stored; derived state — a port's status, a
 * server's reachability — is computed from the records, never stored, so it cannot go stale.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { SimClock } from '../clock.js';
import { ComputeActions, type ServerAction } from './compute-actions.js';
import { CloudError } from './errors.js';
import type {
  FlavorRecord,
  ImageRecord,
  NetworkRecord,
  PortRecord,
  SecurityGroupRecord,
  SecurityGroupRuleRecord,
  ServerRecord,
  ServerRole,
  SubnetRecord,
} from './types.js';

/** What changed in the cloud. */
export interface OpenStackChange {
  kind: 'server' | 'port' | 'security-group';
  type: 'created' | 'updated' | 'deleted';
  id: string;
  name: string;
}

interface CloudEvents {
  change: [OpenStackChange];
}

/** A server as the world shows it: the record plus Nova's status. */
export type ServerInfo = ServerRecord & { status: string };

/** A port as the world shows it: the record plus Neutron's status. */
export type PortInfo = PortRecord & { status: 'ACTIVE' | 'DOWN' };

/** The security group each role's ports need to be reachable by their peers. */
export const ROLE_SECURITY_GROUP: Partial<Record<ServerRole, string>> = {
  worker: 'jhub-workers',
  brick: 'glusterfs',
  bastion: 'bastion-ssh',
};

const STATUS: Record<string, Record<string, string>> = {
  active: {
    default: 'ACTIVE',
    rebooting: 'REBOOT',
    reboot_pending: 'REBOOT',
    reboot_started: 'REBOOT',
    rebooting_hard: 'HARD_REBOOT',
    reboot_pending_hard: 'HARD_REBOOT',
    reboot_started_hard: 'HARD_REBOOT',
  },
  stopped: { default: 'SHUTOFF' },
  paused: { default: 'PAUSED' },
  suspended: { default: 'SUSPENDED' },
  error: { default: 'ERROR' },
};

/** Nova's API status for a vm_state/task_state pair (nova.api.openstack.common.status_from_state). */
export function statusFromState(vmState: string, taskState: string | null): string {
  const map = STATUS[vmState] ?? { default: 'UNKNOWN' };
  return (taskState ? map[taskState] : undefined) ?? map['default'] ?? 'UNKNOWN';
}

/**
 * Nova's status filter (task_and_vm_state_from_status): the vm_states and task_states whose
 * status is one of `statuses` (case-insensitive); `taskStates` is undefined when a status is
 * some vm_state's default, so only the vm_state is filtered.
 */
export function statesForStatus(statuses: string[]): { vmStates: Set<string>; taskStates: Set<string> | undefined } {
  const wanted = new Set(statuses.map((s) => s.toUpperCase()));
  const vmStates = new Set<string>();
  const taskStates = new Set<string>();
  for (const [vmState, map] of Object.entries(STATUS)) {
    for (const [taskState, status] of Object.entries(map)) {
      if (!wanted.has(status)) continue;
      vmStates.add(vmState);
      taskStates.add(taskState);
    }
  }
  return { vmStates, taskStates: taskStates.has('default') ? undefined : taskStates };
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** The cloud's records and the queries every API and the world's couplings share. */
export class OpenStackCloud extends EventEmitter<CloudEvents> {
  private readonly serverRecords = new Map<string, ServerRecord>();
  private readonly portRecords = new Map<string, PortRecord>();
  private readonly groupRecords = new Map<string, SecurityGroupRecord>();
  readonly networkRecords = new Map<string, NetworkRecord>();
  readonly subnetRecords = new Map<string, SubnetRecord>();
  readonly flavorRecords = new Map<string, FlavorRecord>();
  readonly imageRecords = new Map<string, ImageRecord>();
  /** Nova's action state machine for this cloud's servers. */
  readonly actions: ComputeActions;

  constructor(
    readonly clock: SimClock,
    readonly projectId: string,
    readonly userId: string,
  ) {
    super();
    this.actions = new ComputeActions(this, clock);
  }

  /** Simulated now (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  /**
   * Runs a server action as `POST /servers/{id}/action` would (`os-stop`, `reboot` with
   * `{type: 'HARD'}`, …); throws `CloudError` 404/409/400 when Nova would refuse it.
   */
  act(nameOrId: string, action: ServerAction, params: unknown = null): void {
    const server = this.findServer(nameOrId);
    if (!server) throw new CloudError(404, `Instance ${nameOrId} could not be found.`);
    this.actions.perform(server.id, action, params);
  }

  /** Cancels every unfinished task and drops listeners. Idempotent. */
  close(): void {
    this.actions.stop();
    this.removeAllListeners('change');
  }

  /** Every server (copies, with status), in creation order. */
  servers(): ServerInfo[] {
    return [...this.serverRecords.values()].map((s) => ({ ...copy(s), status: statusFromState(s.vmState, s.taskState) }));
  }

  /** A server by id or exact name (a copy, with status). */
  server(nameOrId: string): ServerInfo | undefined {
    const found = this.findServer(nameOrId);
    return found ? { ...copy(found), status: statusFromState(found.vmState, found.taskState) } : undefined;
  }

  /** Every port (copies, with status). */
  ports(): PortInfo[] {
    return [...this.portRecords.values()].map((p) => this.portInfo(p));
  }

  /** A port by id (a copy, with status). */
  port(id: string): PortInfo | undefined {
    const found = this.portRecords.get(id);
    return found ? this.portInfo(found) : undefined;
  }

  /** Every security group (copies). */
  securityGroups(): SecurityGroupRecord[] {
    return [...this.groupRecords.values()].map(copy);
  }

  /** A security group by id or exact name (a copy). */
  securityGroup(nameOrId: string): SecurityGroupRecord | undefined {
    const found = this.groupRecords.get(nameOrId) ?? [...this.groupRecords.values()].find((g) => g.name === nameOrId);
    return found ? copy(found) : undefined;
  }

  /** Whether the server's guest runs (powered on and not in the middle of a reboot). */
  running(nameOrId: string): boolean {
    const server = this.findServer(nameOrId);
    return server !== undefined && statusFromState(server.vmState, server.taskState) === 'ACTIVE';
  }

  /**
   * Whether the server is cut off from its peers by Neutron: none of its ports is
   * administratively up, or none of its up ports carries its role's security group.
   */
  isolated(nameOrId: string): boolean {
    const server = this.findServer(nameOrId);
    if (!server) return false;
    const up = [...this.portRecords.values()].filter((p) => p.deviceId === server.id && p.adminStateUp);
    if (up.length === 0) return true;
    const required = ROLE_SECURITY_GROUP[server.role];
    if (!required) return false;
    return !up.some((p) => p.securityGroups.some((id) => this.groupRecords.get(id)?.name === required));
  }

  /** Whether the server's peers can reach it: it runs and is not isolated. */
  reachable(nameOrId: string): boolean {
    return this.running(nameOrId) && !this.isolated(nameOrId);
  }

  /** The stored server (shared — mutate only through `changeServer`). */
  findServer(nameOrId: string): ServerRecord | undefined {
    return this.serverRecords.get(nameOrId) ?? [...this.serverRecords.values()].find((s) => s.name === nameOrId);
  }

  /** Stored servers in creation order (shared). */
  serverList(): ServerRecord[] {
    return [...this.serverRecords.values()];
  }

  /** Stored ports in creation order (shared). */
  portList(): PortRecord[] {
    return [...this.portRecords.values()];
  }

  /** Stored security groups in creation order (shared). */
  groupList(): SecurityGroupRecord[] {
    return [...this.groupRecords.values()];
  }

  /** The stored port (shared). */
  findPort(id: string): PortRecord | undefined {
    return this.portRecords.get(id);
  }

  /** The stored security group (shared). */
  findGroup(id: string): SecurityGroupRecord | undefined {
    return this.groupRecords.get(id);
  }

  /** Neutron's status of a port: DOWN while administratively down or while its VM's guest is off. */
  portStatus(port: PortRecord): 'ACTIVE' | 'DOWN' {
    if (!port.adminStateUp) return 'DOWN';
    const server = this.serverRecords.get(port.deviceId);
    if (!server) return port.deviceOwner.startsWith('network:') ? 'ACTIVE' : 'DOWN';
    return server.powerState === 1 || server.powerState === 3 ? 'ACTIVE' : 'DOWN';
  }

  /** Adds records while seeding (no events: the seed is the starting state). */
  seed(records: { servers?: ServerRecord[]; ports?: PortRecord[]; groups?: SecurityGroupRecord[] }): void {
    for (const s of records.servers ?? []) this.serverRecords.set(s.id, s);
    for (const p of records.ports ?? []) this.portRecords.set(p.id, p);
    for (const g of records.groups ?? []) this.groupRecords.set(g.id, g);
  }

  /** Changes a server in place through `change`, stamps `updated`, emits one event. */
  changeServer(id: string, change: (server: ServerRecord) => void): ServerRecord {
    const server = this.serverRecords.get(id);
    if (!server) throw new CloudError(404, `Instance ${id} could not be found.`);
    change(server);
    server.updated = this.now();
    this.emit('change', { kind: 'server', type: 'updated', id, name: server.name });
    return server;
  }

  /** Changes a port through `change` (after an optional revision check), bumps its revision, emits one event. */
  changePort(id: string, change: (port: PortRecord) => void, ifRevision?: number): PortRecord {
    const port = this.portRecords.get(id);
    if (!port) throw new CloudError(404, `Port ${id} could not be found.`, 'PortNotFound');
    checkRevision(port.revision, ifRevision);
    change(port);
    port.updated = this.now();
    port.revision += 1;
    this.emit('change', { kind: 'port', type: 'updated', id, name: port.name });
    return port;
  }

  /** Changes a security group through `change`, bumps its revision, emits one event. */
  changeGroup(id: string, change: (group: SecurityGroupRecord) => void, ifRevision?: number): SecurityGroupRecord {
    const group = this.groupRecords.get(id);
    if (!group) throw new CloudError(404, `Security group ${id} does not exist`, 'SecurityGroupNotFound');
    checkRevision(group.revision, ifRevision);
    change(group);
    group.updated = this.now();
    group.revision += 1;
    this.emit('change', { kind: 'security-group', type: 'updated', id, name: group.name });
    return group;
  }

  /** Creates a security group with Neutron's default egress rules (IPv4 and IPv6, any protocol). */
  createGroup(name: string, description: string, tags: string[] = []): SecurityGroupRecord {
    if (name === 'default' && this.groupList().some((g) => g.name === 'default')) {
      throw new CloudError(409, 'Default security group already exists.', 'SecurityGroupDefaultAlreadyExists');
    }
    const now = this.now();
    const group: SecurityGroupRecord = {
      id: randomUUID(), name, description, projectId: this.projectId, tags: [...new Set(tags)], created: now, updated: now, revision: 1,
      rules: [egressRule('IPv4', now), egressRule('IPv6', now)],
    };
    this.groupRecords.set(group.id, group);
    this.emit('change', { kind: 'security-group', type: 'created', id: group.id, name });
    return group;
  }

  /** Deletes a security group; 409 while a port uses it, 409 for the project's default group. */
  deleteGroup(id: string): void {
    const group = this.groupRecords.get(id);
    if (!group) throw new CloudError(404, `Security group ${id} does not exist`, 'SecurityGroupNotFound');
    if (group.name === 'default') throw new CloudError(409, 'Insufficient rights for removing default security group.', 'SecurityGroupCannotRemoveDefault');
    if (this.portList().some((p) => p.securityGroups.includes(id))) throw new CloudError(409, `Security Group ${id} in use.`, 'SecurityGroupInUse');
    this.groupRecords.delete(id);
    this.emit('change', { kind: 'security-group', type: 'deleted', id, name: group.name });
  }

  private portInfo(port: PortRecord): PortInfo {
    return { ...copy(port), status: this.portStatus(port) };
  }
}

/** A rule as Neutron adds it to every new group: egress, any protocol, to anywhere. */
export function egressRule(ethertype: 'IPv4' | 'IPv6', now: number): SecurityGroupRuleRecord {
  return { id: randomUUID(), direction: 'egress', ethertype, protocol: null, portRangeMin: null, portRangeMax: null, remoteIpPrefix: null, remoteGroupId: null, description: '', created: now };
}

function checkRevision(current: number, wanted: number | undefined): void {
  if (wanted !== undefined && wanted !== current) {
    throw new CloudError(412, `Constrained to ${wanted}, but current revision is ${current}`, 'RevisionNumberConstraintFailed');
  }
}
