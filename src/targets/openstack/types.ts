/**
 * The shapes gameday reads from Nova and Neutron. Tolerant: fields gameday does not read
 * are kept as they came (loose objects), absent optional fields get harmless defaults, and
 * a new field in a newer microversion never breaks parsing.
 */
import { z } from 'zod';

/** A link in `links` or `<collection>_links`. */
export const Link = z.looseObject({ href: z.string(), rel: z.string().optional() });
export type Link = z.infer<typeof Link>;

/** One address of a server on one network. */
export const ServerAddress = z.looseObject({
  addr: z.string(),
  version: z.number().optional(),
  'OS-EXT-IPS:type': z.string().optional(),
  'OS-EXT-IPS-MAC:mac_addr': z.string().optional(),
});
export type ServerAddress = z.infer<typeof ServerAddress>;

/** A Nova server as `/servers/detail` and `/servers/{id}` return it. */
export const Server = z.looseObject({
  id: z.string(),
  name: z.string(),
  /** ACTIVE, SHUTOFF, PAUSED, SUSPENDED, REBOOT, HARD_REBOOT, BUILD, ERROR… */
  status: z.string(),
  metadata: z.record(z.string(), z.string()).default({}),
  /** Null when no task runs; `powering-off`, `rebooting`… while one does. */
  'OS-EXT-STS:task_state': z.string().nullable().optional(),
  'OS-EXT-STS:vm_state': z.string().nullable().optional(),
  /** 0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, 6 CRASHED, 7 SUSPENDED. */
  'OS-EXT-STS:power_state': z.number().nullable().optional(),
  'OS-EXT-AZ:availability_zone': z.string().nullable().optional(),
  addresses: z.record(z.string(), z.array(ServerAddress)).default({}),
  links: z.array(Link).default([]),
  tenant_id: z.string().optional(),
  hostId: z.string().optional(),
  updated: z.string().optional(),
  /** Present in ERROR: what went wrong. */
  fault: z.looseObject({ code: z.number().optional(), message: z.string().optional() }).optional(),
});
export type Server = z.infer<typeof Server>;

/** A fixed IP of a port. */
export const FixedIp = z.looseObject({ subnet_id: z.string().optional(), ip_address: z.string() });
export type FixedIp = z.infer<typeof FixedIp>;

/** A Neutron port. `device_id` is the server id for a VM's port. */
export const Port = z.looseObject({
  id: z.string(),
  name: z.string().default(''),
  device_id: z.string().default(''),
  device_owner: z.string().default(''),
  network_id: z.string(),
  status: z.string(),
  admin_state_up: z.boolean(),
  security_groups: z.array(z.string()).default([]),
  port_security_enabled: z.boolean().optional(),
  fixed_ips: z.array(FixedIp).default([]),
  mac_address: z.string().optional(),
  tags: z.array(z.string()).default([]),
});
export type Port = z.infer<typeof Port>;

/** A rule of a security group. Null fields mean "any". */
export const SecurityGroupRule = z.looseObject({
  id: z.string(),
  security_group_id: z.string(),
  direction: z.enum(['ingress', 'egress']),
  ethertype: z.string().optional(),
  protocol: z.string().nullable().optional(),
  port_range_min: z.number().nullable().optional(),
  port_range_max: z.number().nullable().optional(),
  remote_ip_prefix: z.string().nullable().optional(),
  remote_group_id: z.string().nullable().optional(),
});
export type SecurityGroupRule = z.infer<typeof SecurityGroupRule>;

/** A Neutron security group with its rules and tags. */
export const SecurityGroup = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().default(''),
  tags: z.array(z.string()).default([]),
  project_id: z.string().optional(),
  security_group_rules: z.array(SecurityGroupRule).default([]),
});
export type SecurityGroup = z.infer<typeof SecurityGroup>;
