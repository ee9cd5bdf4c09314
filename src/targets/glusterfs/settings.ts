/**
 * `targets.glusterfs` in the config: the trusted pool's hosts, how gameday reaches each one
 * (SSH by default, or a local command for a host gameday runs on), and which volumes faults
 * may touch. Credentials are references (a key file, or the SSH agent), never values.
 * Parsing is idempotent (the config parses once, the target again), so durations stay
 * strings here and are read with `parseDuration` where they are used.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { SecretRef } from '../../secrets.js';
import { HOST_PATTERN, HOST_MESSAGE } from './common/identifiers.js';

const SettingDuration = z
  .string()
  .regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
  .refine((text) => (parseDuration(text) ?? 0) > 0, 'expected a duration above zero');

/** How commands reach a host: `ssh` (the default) or `local` (this machine, optionally behind a prefix). */
export const TransportKind = z.enum(['ssh', 'local']);
export type TransportKind = z.infer<typeof TransportKind>;

/** SSH options shared by every host reached over SSH. */
export const SshSettings = z
  .object({
    /** Remote user; default root (the gluster CLI and iptables need it). */
    user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/, 'expected a user name').default('root'),
    /** Private key file (OpenSSH or PEM format), as a secret reference: `{ file: ~/.ssh/id_ed25519 }`. */
    privateKey: SecretRef.optional(),
    /** Passphrase of the private key, if it has one. */
    passphrase: SecretRef.optional(),
    /** Use the SSH agent at $SSH_AUTH_SOCK (tried after the key, if both are given). */
    agent: z.boolean().default(false),
    /** known_hosts file the host keys are checked against; default ~/.ssh/known_hosts. */
    knownHostsFile: z.string().min(1).optional(),
    /**
     * Host-key checking. `true` (the default) refuses a host whose key is missing from
     * known_hosts or differs from it. `false` accepts any key and logs a warning each time.
     */
    verifyHostKey: z.boolean().default(true),
    /** Deadline of the TCP connect and SSH handshake. */
    connectTimeout: SettingDuration.default('10s'),
  })
  .strict()
  .refine((s) => s.privateKey !== undefined || s.agent, { message: 'give privateKey and/or agent: true' });
export type SshSettings = z.infer<typeof SshSettings>;

/** One host of the trusted pool. */
export const HostSettings = z
  .object({
    /** The host as GlusterFS names it: the part before `:` in brick names (`brick-001`, `10.0.0.11`). */
    name: z.string().regex(HOST_PATTERN, HOST_MESSAGE),
    /** Where to connect; default `name`. */
    address: z.string().regex(HOST_PATTERN, HOST_MESSAGE).optional(),
    /** SSH port; default 22. */
    port: z.number().int().min(1).max(65535).default(22),
    /** Overrides the pool-wide transport for this host. */
    transport: TransportKind.optional(),
    /** Local transport only: the command every command is run behind, e.g. `[sudo, -n]` or `[nsenter, -t, "1234", -m, -n]`. */
    prefix: z.array(z.string().min(1)).optional(),
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
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    for (const [i, host] of s.hosts.entries()) {
      if (seen.has(host.name)) ctx.addIssue({ code: 'custom', message: `host ${host.name} is listed twice`, path: ['hosts', i, 'name'] });
      seen.add(host.name);
      const kind = host.transport ?? s.transport;
      if (kind === 'ssh' && !s.ssh) ctx.addIssue({ code: 'custom', message: `host ${host.name} is reached over ssh: give targets.glusterfs.ssh (privateKey and/or agent)`, path: ['hosts', i] });
      if (kind === 'ssh' && host.prefix) ctx.addIssue({ code: 'custom', message: 'prefix applies to the local transport only', path: ['hosts', i, 'prefix'] });
    }
  });
export type GlusterfsSettings = z.infer<typeof GlusterfsSettings>;
