/**
 * gameday's view of the configured hosts for one run: the allow list (a fault acts only on a
 * host named in `targets.host.hosts`), a transport per host built on first use (SSH
 * connections reused for the run, closed when it ends), and the marker directory.
 */
import { parseDuration } from '../../duration.js';
import { SafetyRefusedError, TargetError } from '../../errors.js';
import { globToRegExp } from '../../glob.js';
import { TransportPool } from '../../transport/pool.js';
import type { Transport } from '../../transport/types.js';
import type { Ctx } from '../types.js';
import { HostSettings, type HostEntry } from './settings.js';

export class HostClient {
  readonly settings: HostSettings;
  readonly #pool: TransportPool<HostEntry>;

  constructor(ctx: Ctx, settings: HostSettings) {
    this.settings = settings;
    this.#pool = new TransportPool(settings.hosts, {
      transport: settings.transport,
      ssh: settings.ssh,
      commandTimeoutMs: parseDuration(settings.commandTimeout) ?? 60_000,
      concurrency: settings.concurrency,
      section: 'targets.host',
      log: ctx.log,
    });
  }

  /** Where marker files live on every host. */
  get markerDir(): string {
    return this.settings.markerDir;
  }

  /** The configured host, or a non-retryable error naming the hosts that are configured. */
  host(name: string): HostEntry {
    return this.#pool.host(name);
  }

  /** Every configured host name, in config order. */
  names(): string[] {
    return this.#pool.names();
  }

  /** The configured hosts whose name matches `glob`; refuses (SafetyRefusedError) a glob that matches none. */
  match(glob: string): string[] {
    const re = globToRegExp(glob);
    const names = this.names().filter((n) => re.test(n));
    if (names.length === 0) throw new SafetyRefusedError(`no host in targets.host.hosts matches ${JSON.stringify(glob)} (configured: ${this.names().join(', ')}); faults act on configured hosts only`);
    return names;
  }

  /** Whether commands reach the host through the local transport (this machine). */
  isLocal(name: string): boolean {
    return (this.host(name).transport ?? this.settings.transport) === 'local';
  }

  /** The host's transport (built on first use, kept for the run). */
  transport(name: string): Transport {
    return this.#pool.transport(name);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes every transport. Idempotent. */
  close(): void {
    this.#pool.close();
  }
}

/** The run's client (one per run, so SSH connections are reused). */
export function hostClient(ctx: Ctx): HostClient {
  return ctx.clients.get('host', () => {
    const raw = ctx.settings['host'];
    if (raw === undefined) throw new TargetError('targets.host is not configured', { retryable: false });
    const parsed = HostSettings.safeParse(raw);
    if (!parsed.success) throw new TargetError(`invalid targets.host settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { retryable: false, cause: parsed.error });
    return new HostClient(ctx, parsed.data);
  });
}
