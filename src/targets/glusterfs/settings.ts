/**
 * `targets.glusterfs` in the config: the trusted pool's hosts, how gameday reaches each one
 * (SSH by default, or a local command for a host gameday runs on), and which volumes faults
 * may touch. Credentials are references (a key file, or the SSH agent), never values.
 * Parsing is idempotent (the config parses once, the target again), so durations stay
 * strings here and are read with `parseDuration` where they are used.
 */
import { z } from 'zod';
import { HostTransportFields, SettingDuration, SshSettings, TransportKind, checkHostTransports } from '../../transport/settings.js';

/** One host of the trusted pool: where and how to reach it (the transport's fields), and its role. */
export const HostSettings = z
  .object({
    ...HostTransportFields,
    /** `peer` (a glusterd of the pool, where gluster commands may run) or `client` (mounts the volume; for mount probes). */
    role: z.enum(['peer', 'client']).default('peer'),
    /** OpenStack server (name or id) this host runs on, for `openstack-security-group` partitions; default `name`. */
    server: z.string().min(1).optional(),
  })
  .strict();
export type HostSettings = z.infer<typeof HostSettings>;

export const GlusterfsSettings = z
  .object({
    /** Every host gameday may run commands on: the pool's peers, and the clients used by mount probes. */
    hosts: z.array(HostSettings).min(1).refine((hosts) => hosts.some((h) => h.role === 'peer'), 'list at least one host with role peer'),
    /** Default transport of every host. */
    transport: TransportKind.default('ssh'),
    ssh: SshSettings.optional(),
    /** Volumes faults may act on (globs). A volume not listed is never touched; probes may read any. */
    volumes: z.array(z.string().min(1)).default([]),
    /** Deadline of one command on a host. */
    commandTimeout: SettingDuration.default('2m'),
    /** Most commands in flight per host. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** How long a command that found the cluster busy ("Another transaction is in progress") is retried. */
    busyRetryFor: SettingDuration.default('3m'),
    /** OpenStack cloud (clouds.yaml name) for `openstack-security-group` partitions; default: the openstack target's cloud. */
    openstackCloud: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((s, ctx) => checkHostTransports(s, ctx, 'targets.glusterfs'));
export type GlusterfsSettings = z.infer<typeof GlusterfsSettings>;
