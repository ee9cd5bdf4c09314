/**
 * The transports of a target's configured hosts for one run: a host must be in the list (an
 * allow list), its transport is built on first use and kept (one SSH connection per host
 * for the whole run), and `close()` ends them all. Targets that run commands on hosts
 * (glusterfs, host) each hold one.
 */
import { TargetError } from '../errors.js';
import { openTransport, type OpenTransportOptions } from './open.js';
import type { HostTransport } from './settings.js';
import type { Transport } from './types.js';

export class TransportPool<H extends HostTransport> {
  readonly #transports = new Map<string, Transport>();

  /** `options.section` (`targets.host`) names the list in errors. */
  constructor(
    readonly hosts: readonly H[],
    private readonly options: OpenTransportOptions,
  ) {}

  /** The configured host, or a non-retryable error naming the hosts that are configured. */
  host(name: string): H {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new TargetError(`host ${name} is not in ${this.options.section}.hosts (${this.names().join(', ')})`, { retryable: false });
    return host;
  }

  /** Every configured host name, in config order. */
  names(): string[] {
    return this.hosts.map((h) => h.name);
  }

  /** The host's transport, built on first use. */
  transport(name: string): Transport {
    const existing = this.#transports.get(name);
    if (existing) return existing;
    const transport = openTransport(this.host(name), this.options);
    this.#transports.set(name, transport);
    return transport;
  }

  /** Closes every transport. Idempotent. */
  close(): void {
    for (const t of this.#transports.values()) t.close();
    this.#transports.clear();
  }
}
