/**
 * The seed cloud: JupyterCloud's VMs in project `jupytercloud` — master, worker-001..N,
 * brick-001..004, bastion, ns-001, ns-002 — all ACTIVE, each with one port on
 * `jupytercloud-net` (10.0.0.0/24) and the security groups of its role. Rule: the seed is a
 * settled state; the Kubernetes nodes' InternalIPs (10.0.0.10 + index) are the VMs' fixed
 * IPs, so both halves of the lab describe the same machines.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { egressRule, type OpenStackCloud } from './cloud.js';
import type { FlavorRecord, PortRecord, SecurityGroupRecord, SecurityGroupRuleRecord, ServerRecord, ServerRole } from './types.js';

const DAY = 86_400_000;

/** The seed's network, subnet and key pair names. */
export const SEED_NAMES = { network: 'jupytercloud-net', subnet: 'jupytercloud-subnet', keyPair: 'jupytercloud', image: 'ubuntu-24.04-server-cloudimg-amd64' } as const;

const FLAVORS: FlavorRecord[] = [
  { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1 },
  { id: '2', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
  { id: '4', name: 'm1.large', vcpus: 4, ram: 8192, disk: 80 },
  { id: '5', name: 'm1.xlarge', vcpus: 8, ram: 16384, disk: 160 },
];

interface VmSpec {
  name: string;
  role: ServerRole;
  flavorId: string;
  ip: string;
  groups: string[];
}

function vmSpecs(workers: number): VmSpec[] {
  const pad = (n: number): string => String(n).padStart(3, '0');
  return [
    { name: 'master', role: 'master', flavorId: '3', ip: '10.0.0.10', groups: ['default'] },
    ...Array.from({ length: workers }, (_, i): VmSpec => ({ name: `worker-${pad(i + 1)}`, role: 'worker', flavorId: '5', ip: `10.0.0.${11 + i}`, groups: ['default', 'jhub-workers'] })),
    ...Array.from({ length: 4 }, (_, i): VmSpec => ({ name: `brick-${pad(i + 1)}`, role: 'brick', flavorId: '4', ip: `10.0.0.${201 + i}`, groups: ['default', 'glusterfs'] })),
    { name: 'bastion', role: 'bastion', flavorId: '2', ip: '10.0.0.4', groups: ['default', 'bastion-ssh'] },
    { name: 'ns-001', role: 'dns', flavorId: '2', ip: '10.0.0.5', groups: ['default'] },
    { name: 'ns-002', role: 'dns', flavorId: '2', ip: '10.0.0.6', groups: ['default'] },
  ];
}

function mac(): string {
  return `fa:16:3e:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

function rule(direction: 'ingress' | 'egress', protocol: string | null, min: number | null, max: number | null, prefix: string | null, now: number, remoteGroupId: string | null = null): SecurityGroupRuleRecord {
  return { id: randomUUID(), direction, ethertype: 'IPv4', protocol, portRangeMin: min, portRangeMax: max, remoteIpPrefix: prefix, remoteGroupId, description: '', created: now };
}

function groups(projectId: string, born: number): SecurityGroupRecord[] {
  const make = (name: string, description: string, ingress: (id: string) => SecurityGroupRuleRecord[]): SecurityGroupRecord => {
    const id = randomUUID();
    return { id, name, description, projectId, tags: [], created: born, updated: born, revision: 3, rules: [...ingress(id), egressRule('IPv4', born), egressRule('IPv6', born)] };
  };
  return [
    make('default', 'Default security group', (id) => [rule('ingress', null, null, null, null, born, id), { ...rule('ingress', null, null, null, null, born, id), ethertype: 'IPv6' }]),
    make('jhub-workers', 'Kubernetes workers running JupyterHub', () => [rule('ingress', 'tcp', 10250, 10250, '10.0.0.0/24', born), rule('ingress', 'tcp', 30000, 32767, '0.0.0.0/0', born)]),
    make('glusterfs', 'GlusterFS bricks', () => [rule('ingress', 'tcp', 24007, 24008, '10.0.0.0/24', born), rule('ingress', 'tcp', 49152, 49251, '10.0.0.0/24', born)]),
    make('bastion-ssh', 'SSH to the bastion', () => [rule('ingress', 'tcp', 22, 22, '0.0.0.0/0', born)]),
  ];
}

/** Fills the cloud with the seed platform. */
export function seedCloud(cloud: OpenStackCloud, options: { workers: number }): void {
  const { projectId, userId } = cloud;
  const now = cloud.now();
  const born = now - 30 * DAY;
  const networkId = randomUUID();
  const subnetId = randomUUID();
  cloud.networkRecords.set(networkId, { id: networkId, name: SEED_NAMES.network, projectId, subnets: [subnetId], external: false, tags: [], created: born, updated: born, revision: 2 });
  cloud.subnetRecords.set(subnetId, {
    id: subnetId, name: SEED_NAMES.subnet, networkId, cidr: '10.0.0.0/24', gatewayIp: '10.0.0.1', allocationPools: [{ start: '10.0.0.2', end: '10.0.0.254' }],
    dnsNameservers: ['10.0.0.5', '10.0.0.6'], projectId, tags: [], created: born, updated: born, revision: 0,
  });
  for (const f of FLAVORS) cloud.flavorRecords.set(f.id, f);
  const imageId = randomUUID();
  cloud.imageRecords.set(imageId, {
    id: imageId, name: SEED_NAMES.image, size: 611_987_456, checksum: createHash('md5').update(imageId).digest('hex'), created: born - DAY, ownerId: projectId,
    properties: { os_distro: 'ubuntu', os_version: '24.04', hw_disk_bus: 'virtio' },
  });
  const seededGroups = groups(projectId, born);
  const groupId = (name: string): string => seededGroups.find((g) => g.name === name)?.id ?? '';
  const servers: ServerRecord[] = [];
  const ports: PortRecord[] = [
    port({ networkId, subnetId, projectId, ip: '10.0.0.2', deviceId: `dhcp${randomUUID()}`, deviceOwner: 'network:dhcp', groups: [], born }),
  ];
  for (const [i, vm] of vmSpecs(options.workers).entries()) {
    const created = born + i * 60_000;
    const id = randomUUID();
    servers.push({
      id, name: vm.name, role: vm.role, vmState: 'active', taskState: null, powerState: 1, flavorId: vm.flavorId, imageId, keyName: SEED_NAMES.keyPair,
      availabilityZone: 'nova', host: `compute-0${(i % 3) + 1}`, projectId, userId, metadata: { role: vm.role }, tags: [], locked: false, description: null,
      created, updated: created + 40_000, launchedAt: created + 35_000,
    });
    ports.push(port({ networkId, subnetId, projectId, ip: vm.ip, deviceId: id, deviceOwner: 'compute:nova', groups: vm.groups.map(groupId), born: created }));
  }
  cloud.seed({ servers, ports, groups: seededGroups });
}

interface PortSpec {
  networkId: string;
  subnetId: string;
  projectId: string;
  ip: string;
  deviceId: string;
  deviceOwner: string;
  groups: string[];
  born: number;
}

function port(p: PortSpec): PortRecord {
  return {
    id: randomUUID(), name: '', networkId: p.networkId, macAddress: mac(), fixedIps: [{ subnetId: p.subnetId, ipAddress: p.ip }], deviceId: p.deviceId, deviceOwner: p.deviceOwner,
    adminStateUp: true, securityGroups: p.groups, portSecurityEnabled: p.deviceOwner.startsWith('compute:'), projectId: p.projectId, description: '', tags: [],
    created: p.born + 5_000, updated: p.born + 30_000, revision: 4,
  };
}
