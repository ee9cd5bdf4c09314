/**
 * gameday's view of a GlusterFS pool for one run: a transport per configured host (built
 * on first use, SSH connections reused for the run), the gluster CLI on any of them, and
 * the ways to ask "the pool" rather than one host — a peer that is cut off sees only
 * itself, so cluster-wide questions go to every peer and the best-connected answer wins.
 */
import { TargetError, errorMessage } from '../../errors.js';
import { parseDuration } from '../../duration.js';
import { TransportPool } from '../../transport/pool.js';
import type { Transport } from '../../transport/types.js';
import type { Ctx } from '../types.js';
import { GlusterCli } from './cli/gluster.js';
import { GlusterfsSettings, type HostSettings } from './settings.js';

export class GlusterfsClient {
  readonly settings: GlusterfsSettings;
  readonly #pool: TransportPool<HostSettings>;

  constructor(ctx: Ctx, settings: GlusterfsSettings) {
    this.settings = settings;
    this.#pool = new TransportPool(settings.hosts, {
      transport: settings.transport,
      ssh: settings.ssh,
      commandTimeoutMs: parseDuration(settings.commandTimeout) ?? 120_000,
      concurrency: settings.concurrency,
      section: 'targets.glusterfs',
      log: ctx.log,
    });
  }

  /** The configured host, or a non-retryable error naming the hosts that are configured. */
  host(name: string): HostSettings {
    return this.#pool.host(name);
  }

  /** The peers (hosts with role peer), in config order. */
  peers(): string[] {
    return this.settings.hosts.filter((h) => h.role === 'peer').map((h) => h.name);
  }

  /** The host's transport (built on first use, kept for the run). */
  transport(name: string): Transport {
    return this.#pool.transport(name);
  }

  /** The gluster CLI on one host. `signal` defaults to none (restores must not be cut short). */
  gluster(name: string, signal?: AbortSignal): GlusterCli {
    return new GlusterCli(this.transport(name), {
      busyRetryForMs: parseDuration(this.settings.busyRetryFor) ?? 180_000,
      ...(signal && { signal }),
    });
  }

  /**
   * Asks peers in turn (skipping `avoid`) until one answers; a peer that does not answer is
   * skipped. Throws a retryable error listing every peer's failure when none answered.
   */
  async onAnyPeer<T>(ask: (cli: GlusterCli) => Promise<T>, options: { avoid?: readonly string[]; signal?: AbortSignal } = {}): Promise<T> {
    const candidates = this.peers().filter((p) => !options.avoid?.includes(p));
    const order = candidates.length ? candidates : this.peers();
    const failures: string[] = [];
    for (const name of order) {
      try {
        return await ask(this.gluster(name, options.signal));
      } catch (err) {
        if (!(err instanceof TargetError) || !err.retryable) throw err;
        failures.push(errorMessage(err));
      }
    }
    throw new TargetError(`no GlusterFS peer answered: ${failures.join('; ')}`, { retryable: true });
  }

  /** Every peer's answer (or its failure), asked in parallel. */
  async onEveryPeer<T>(ask: (cli: GlusterCli) => Promise<T>, signal?: AbortSignal): Promise<{ host: string; value?: T; error?: string }[]> {
    return Promise.all(this.peers().map(async (host) => {
      try {
        return { host, value: await ask(this.gluster(host, signal)) };
      } catch (err) {
        if (err instanceof TargetError && !err.retryable) throw err;
        return { host, error: errorMessage(err) };
      }
    }));
  }

  [Symbol.dispose](): void {
    this.close();
  }

  close(): void {
    this.#pool.close();
  }
}

/** The run's client (one per run, so SSH connections are reused). */
export function glusterfsClient(ctx: Ctx): GlusterfsClient {
  return ctx.clients.get('glusterfs', () => {
    const raw = ctx.settings['glusterfs'];
    if (raw === undefined) throw new TargetError('targets.glusterfs is not configured', { retryable: false });
    return new GlusterfsClient(ctx, GlusterfsSettings.parse(raw));
  });
}
