/**
 * The lab cloud's records: what Nova, Neutron, Glance and Keystone store, in the lab's own
 * shape (camelCase, epoch milliseconds of simulated time). Rule: records are internal; the
 * APIs render them into each service's wire JSON, and readers of the world get copies.
 */

/** Nova's vm_state (stable state). */
export type VmState = 'active' | 'stopped' | 'paused' | 'suspended' | 'error';

/** Nova's task_state (what is in progress), null when idle. */
export type TaskState =
  | 'powering-off'
  | 'powering-on'
  | 'rebooting'
  | 'reboot_pending'
  | 'reboot_started'
  | 'rebooting_hard'
  | 'reboot_pending_hard'
  | 'reboot_started_hard'
  | 'pausing'
  | 'unpausing'
  | 'suspending'
  | 'resuming';

/** Nova's power_state: 0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, 6 CRASHED, 7 SUSPENDED. */
export type PowerState = 0 | 1 | 3 | 4 | 6 | 7;

/** What a VM is for in the seed platform. */
export type ServerRole = 'master' | 'worker' | 'brick' | 'bastion' | 'dns';

/** A Nova instance. */
export interface ServerRecord {
  id: string;
  name: string;
  role: ServerRole;
  vmState: VmState;
  taskState: TaskState | null;
  powerState: PowerState;
  flavorId: string;
  imageId: string;
  keyName: string | null;
  availabilityZone: string;
  /** The compute host the VM runs on (hidden from non-admins; hashed into hostId). */
  host: string;
  projectId: string;
  userId: string;
  metadata: Record<string, string>;
  tags: string[];
  locked: boolean;
  description: string | null;
  created: number;
  updated: number;
  launchedAt: number;
}

/** A fixed IP of a port. */
export interface FixedIp {
  subnetId: string;
  ipAddress: string;
}

/** A Neutron port. */
export interface PortRecord {
  id: string;
  name: string;
  networkId: string;
  macAddress: string;
  fixedIps: FixedIp[];
  deviceId: string;
  deviceOwner: string;
  adminStateUp: boolean;
  /** Security group ids. */
  securityGroups: string[];
  portSecurityEnabled: boolean;
  projectId: string;
  description: string;
  tags: string[];
  created: number;
  updated: number;
  revision: number;
}

/** A rule of a security group. */
export interface SecurityGroupRuleRecord {
  id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  description: string;
  created: number;
}

/** A Neutron security group. */
export interface SecurityGroupRecord {
  id: string;
  name: string;
  description: string;
  projectId: string;
  tags: string[];
  rules: SecurityGroupRuleRecord[];
  created: number;
  updated: number;
  revision: number;
}

/** A Neutron network. */
export interface NetworkRecord {
  id: string;
  name: string;
  projectId: string;
  subnets: string[];
  external: boolean;
  tags: string[];
  created: number;
  updated: number;
  revision: number;
}

/** A Neutron subnet. */
export interface SubnetRecord {
  id: string;
  name: string;
  networkId: string;
  cidr: string;
  gatewayIp: string;
  allocationPools: { start: string; end: string }[];
  dnsNameservers: string[];
  projectId: string;
  tags: string[];
  created: number;
  updated: number;
  revision: number;
}

/** A Nova flavor. */
export interface FlavorRecord {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

/** A Glance image. */
export interface ImageRecord {
  id: string;
  name: string;
  size: number;
  checksum: string;
  created: number;
  ownerId: string;
  properties: Record<string, string>;
}
