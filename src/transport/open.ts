/**
 * Building one host's transport from its config entry: `local` (a child process behind the
 * host's prefix) or `ssh` (the shared SSH options, secrets resolved here — which registers
 * them for redaction). The caller keeps the transport for the run and closes it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../duration.js';
import { TargetError } from '../errors.js';
import { resolveSecret } from '../secrets.js';
import { LocalTransport } from './local.js';
import type { HostTransport, SshSettings, TransportKind } from './settings.js';
import { SshTransport } from './ssh.js';
import type { Transport } from './types.js';

export interface OpenTransportOptions {
  /** The target-wide transport (a host's own `transport` wins). */
  transport: TransportKind;
  ssh?: SshSettings | undefined;
  /** Deadline of one command. */
  commandTimeoutMs: number;
  /** Most commands in flight on one SSH connection. */
  concurrency: number;
  /** Config section named in errors (`targets.glusterfs`). */
  section: string;
  log?: { warn(msg: string, meta?: object): void };
}

/** The transport of `host`. Throws a non-retryable TargetError when the host needs SSH settings that are missing. */
export function openTransport(host: HostTransport, options: OpenTransportOptions): Transport {
  const kind = host.transport ?? options.transport;
  if (kind === 'local') return new LocalTransport(host.name, { ...(host.prefix && { prefix: host.prefix }), timeoutMs: options.commandTimeoutMs });
  const ssh = options.ssh;
  if (!ssh) throw new TargetError(`host ${host.name} is reached over ssh but ${options.section}.ssh is not set`, { retryable: false });
  return new SshTransport(host.name, {
    address: host.address ?? host.name,
    port: host.port,
    username: ssh.user,
    ...(ssh.privateKey && { privateKey: resolveSecret(ssh.privateKey) }),
    ...(ssh.passphrase && { passphrase: resolveSecret(ssh.passphrase) }),
    ...(ssh.agent && process.env['SSH_AUTH_SOCK'] && { agent: process.env['SSH_AUTH_SOCK'] }),
    knownHosts: ssh.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts'),
    verifyHostKey: ssh.verifyHostKey,
    connectTimeoutMs: parseDuration(ssh.connectTimeout) ?? 10_000,
    commandTimeoutMs: options.commandTimeoutMs,
    concurrency: options.concurrency,
    ...(options.log && { log: options.log }),
  });
}
