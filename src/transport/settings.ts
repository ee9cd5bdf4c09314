/**
 * The config shapes of the command transports, shared by every target that runs commands on
 * hosts (`targets.glusterfs`, `targets.host`): which transport, the SSH options, and the
 * per-host fields that say where and how to reach one host. Credentials are references (a
 * key file, or the SSH agent), never values. Durations stay strings (settings are parsed
 * more than once) and are read with `parseDuration` where they are used.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../duration.js';
import { SecretRef } from '../secrets.js';
import { HOST_MESSAGE, HOST_PATTERN } from './identifiers.js';

/** A duration above zero, kept as written (`10s`, `2m`). */
export const SettingDuration = z
  .string()
  .regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
  .refine((text) => (parseDuration(text) ?? 0) > 0, 'expected a duration above zero');

/** How commands reach a host: `ssh` (the default) or `local` (this machine, optionally behind a prefix). */
export const TransportKind = z.enum(['ssh', 'local']);
export type TransportKind = z.infer<typeof TransportKind>;

/** SSH options shared by every host reached over SSH. */
export const SshSettings = z
  .object({
    /** Remote user; default root (the gluster CLI, iptables, systemctl and kill need it). */
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

/**
 * The fields of one host entry that say how to reach it; a target's host schema spreads
 * them (`z.object({ ...HostTransportFields, role: … })`) and checks them with `checkHostTransports`.
 */
export const HostTransportFields = {
  /** The host as the target names it (in experiments, and for the pool: the part before `:` in brick names). */
  name: z.string().regex(HOST_PATTERN, HOST_MESSAGE),
  /** Where to connect; default `name`. */
  address: z.string().regex(HOST_PATTERN, HOST_MESSAGE).optional(),
  /** SSH port; default 22. */
  port: z.number().int().min(1).max(65535).default(22),
  /** Overrides the target-wide transport for this host. */
  transport: TransportKind.optional(),
  /** Local transport only: the command every command is run behind, e.g. `[sudo, -n]` or `[nsenter, -t, "1234", -m, -n]`. */
  prefix: z.array(z.string().min(1)).optional(),
};

/** What `openTransport` and `checkHostTransports` read of a host entry. */
export interface HostTransport {
  name: string;
  address?: string | undefined;
  port: number;
  transport?: TransportKind | undefined;
  prefix?: string[] | undefined;
}

/**
 * The cross-field rules of a target's hosts, as zod issues: names unique, `ssh` settings
 * given when a host is reached over SSH, `prefix` only with the local transport.
 * `section` names the config section in messages (`targets.glusterfs`).
 */
export function checkHostTransports(
  s: { hosts: readonly HostTransport[]; transport: TransportKind; ssh?: SshSettings | undefined },
  ctx: z.RefinementCtx,
  section: string,
): void {
  const seen = new Set<string>();
  for (const [i, host] of s.hosts.entries()) {
    if (seen.has(host.name)) ctx.addIssue({ code: 'custom', message: `host ${host.name} is listed twice`, path: ['hosts', i, 'name'] });
    seen.add(host.name);
    const kind = host.transport ?? s.transport;
    if (kind === 'ssh' && !s.ssh) ctx.addIssue({ code: 'custom', message: `host ${host.name} is reached over ssh: give ${section}.ssh (privateKey and/or agent)`, path: ['hosts', i] });
    if (kind === 'ssh' && host.prefix) ctx.addIssue({ code: 'custom', message: 'prefix applies to the local transport only', path: ['hosts', i, 'prefix'] });
  }
}
