/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it,
 * so that of several daemons only one schedules and runs. Rules:
 * - A candidate takes the Lease when it is absent, released (no holder), or expired — and
 *   expiry is judged by this process's own clock: the Lease must have stayed unchanged for
 *   `leaseDurationSeconds` since this process last saw it change, whatever its timestamps
 *   say (clocks of two machines are never compared).
 * - Every write is a PUT carrying the resourceVersion that was read: of two concurrent
 *   writers, the API server answers the second with 409 Conflict and it loses.
 * - The leader renews every `retryPeriod`; when no renewal has succeeded for `renewDeadline`
 *   (shorter than the lease) it stops leading — the signal given to `onStartedLeading` is
 *   aborted and `onStoppedLeading` runs — before any other candidate can take the Lease.
 *   `isLeader()` turns false at that deadline even when the process is too busy to notice.
 * - After losing, it stays a candidate. `stop()` stops leading first, then releases the
 *   Lease if it still holds it, so a successor never overlaps with a run still restoring.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Lease } from '@kubernetes/client-node';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { LeaseCallError, makeLeaseApi, type LeaseApi } from './lease/lease-api.js';
import { claimedLease, newLease, recordKey, recordOf, releasedLease } from './lease/record.js';

/** The usual controller timings (kube-controller-manager, kube-scheduler). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** A candidate waits retryPeriod × [1, 1 + JITTER) between attempts, so candidates do not march in step. */
const JITTER = 0.2;

export interface LeaderElectorOptions {
  /** Kubeconfig file; without it the default one ($KUBECONFIG, ~/.kube/config, or the pod's service account). */
  kubeconfig?: string;
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** This candidate's identity (e.g. the pod name); unique among candidates. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  /** Called on becoming leader; `signal` aborts when leadership ends. */
  onStartedLeading: (signal: AbortSignal) => Promise<void> | void;
  /** Called once leadership has ended (after `onStartedLeading` settled). */
  onStoppedLeading: () => Promise<void> | void;
}

/** What this candidate last saw of the Lease, and when (monotonic ms) it last saw it change. */
interface Observation {
  lease: V1Lease;
  key: string;
  changedAt: number;
}

const monotonic = (): number => performance.now();

/** Checks the timings: lease > renew deadline > retry period (the deadline must leave room for a retry). */
function checkTimings(lease: number, deadline: number, retry: number): void {
  for (const [name, value] of [['leaseDurationMs', lease], ['renewDeadlineMs', deadline], ['retryPeriodMs', retry]] as const) {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`leader election: ${name} must be a positive number of ms, got ${value}`);
  }
  if (lease <= deadline) throw new RangeError(`leader election: leaseDurationMs (${lease}) must be greater than renewDeadlineMs (${deadline})`);
  if (deadline <= retry) throw new RangeError(`leader election: renewDeadlineMs (${deadline}) must be greater than retryPeriodMs (${retry})`);
}

/** One candidate for the leadership held in one Lease. */
export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private readonly stopping = new AbortController();
  private api: LeaseApi | undefined;
  private observed: Observation | undefined;
  /** Monotonic ms when the last successful write was sent (the Lease is ours until at least then + lease). */
  private renewedAt = -Infinity;
  private leadership: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    for (const key of ['namespace', 'name', 'identity'] as const) {
      if (!options[key]) throw new TypeError(`leader election: ${key} must be a non-empty string`);
    }
    this.options = options;
    this.leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    checkTimings(this.leaseDurationMs, this.renewDeadlineMs, this.retryPeriodMs);
    this.log = options.log.child({ component: 'leader-election', lease: `${options.namespace}/${options.name}`, identity: options.identity });
  }

  /** Starts competing for the Lease (in the background). Calling it again, or after stop(), does nothing. */
  start(): void {
    if (this.loop || this.stopping.signal.aborted) return;
    this.loop = this.compete().catch((err: unknown) => {
      this.log.error('leader election stopped on an unexpected error', { error: errorMessage(err) });
    });
  }

  /** Stops competing; if leading, stops leading and then releases the Lease. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** Whether this candidate leads now: it won the Lease and its last renewal is younger than the renew deadline. */
  isLeader(): boolean {
    const leadership = this.leadership;
    return leadership !== undefined && !leadership.signal.aborted && monotonic() - this.renewedAt < this.renewDeadlineMs;
  }

  private async shutdown(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.release();
  }

  /** The Lease calls, built on first use; a kubeconfig that fails to load is tried again on the next attempt. */
  private async client(): Promise<LeaseApi> {
    this.api ??= await makeLeaseApi(this.options.namespace, this.options.kubeconfig);
    return this.api;
  }

  private async compete(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      if (await this.tryAcquireOrRenew(this.renewDeadlineMs)) await this.lead();
      else await this.pause(this.retryPeriodMs * (1 + Math.random() * JITTER));
    }
  }

  /** Leads until a renewal misses its deadline or stop() is called; then ends the leadership. */
  private async lead(): Promise<void> {
    const leadership = new AbortController();
    this.leadership = leadership;
    this.log.info('became leader', { leaseTransitions: this.observed ? recordOf(this.observed.lease).leaseTransitions : 0 });
    const started = Promise.resolve()
      .then(() => this.options.onStartedLeading(leadership.signal))
      .catch((err: unknown) => {
        this.log.error('onStartedLeading failed', { error: errorMessage(err) });
      });
    try {
      while (!this.stopping.signal.aborted) {
        await this.pause(this.retryPeriodMs);
        if (this.stopping.signal.aborted) break;
        if (!(await this.renew())) {
          this.log.warn('lost leadership: no renewal succeeded within the renew deadline', { renewDeadlineMs: this.renewDeadlineMs });
          break;
        }
      }
    } finally {
      await this.endLeadership(leadership, started);
    }
  }

  private async endLeadership(leadership: AbortController, started: Promise<void>): Promise<void> {
    leadership.abort();
    await started;
    try {
      await this.options.onStoppedLeading();
    } catch (err) {
      this.log.error('onStoppedLeading failed', { error: errorMessage(err) });
    }
    this.log.info('stopped leading');
  }

  /** Retries every retryPeriod until a renewal succeeds or renewedAt + renewDeadline passes. */
  private async renew(): Promise<boolean> {
    for (;;) {
      const left = this.renewedAt + this.renewDeadlineMs - monotonic();
      if (left <= 0) return false;
      if (await this.tryAcquireOrRenew(left)) return monotonic() - this.renewedAt < this.renewDeadlineMs;
      if (this.stopping.signal.aborted) return true;
      await this.pause(Math.min(this.retryPeriodMs, Math.max(0, this.renewedAt + this.renewDeadlineMs - monotonic())));
    }
  }

  /** One attempt: read the Lease, then create, take over or renew it. True when this candidate holds it afterwards. */
  private async tryAcquireOrRenew(timeoutMs: number): Promise<boolean> {
    const { name, namespace, identity } = this.options;
    const seconds = Math.ceil(this.leaseDurationMs / 1000);
    try {
      const api = await this.client();
      const signal = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)));
      const sentAt = monotonic();
      const current = await this.readOrNull(api, name, signal);
      if (!current) return this.won(await api.create(newLease(name, namespace, identity, seconds, Date.now()), signal), sentAt);
      this.observe(current, monotonic()); // seen now, after the answer: never earlier than the write it shows
      const record = recordOf(current);
      const expiresAt = (this.observed?.changedAt ?? sentAt) + record.leaseDurationSeconds * 1000;
      if (record.holderIdentity !== '' && record.holderIdentity !== identity && monotonic() < expiresAt) return false;
      return this.won(await api.replace(claimedLease(current, identity, seconds, Date.now()), signal), sentAt);
    } catch (err) {
      if (err instanceof LeaseCallError && err.failure === 'conflict') this.log.debug('lost a race for the lease', { error: err.message });
      else this.log.warn('lease call failed', { error: errorMessage(err) });
      return false;
    }
  }

  private async readOrNull(api: LeaseApi, name: string, signal: AbortSignal): Promise<V1Lease | null> {
    try {
      return await api.read(name, signal);
    } catch (err) {
      if (err instanceof LeaseCallError && err.failure === 'not-found') return null;
      throw err;
    }
  }

  /** Records what was read; the change time moves only when the record differs from the last one seen. */
  private observe(lease: V1Lease, at: number): void {
    const record = recordOf(lease);
    const key = recordKey(record);
    if (this.observed?.key === key) {
      this.observed = { ...this.observed, lease };
      return;
    }
    if (record.holderIdentity !== recordOf(this.observed?.lease ?? {}).holderIdentity) {
      this.log.info('lease holder seen', { holder: record.holderIdentity || '(none)' });
    }
    this.observed = { lease, key, changedAt: at };
  }

  private won(lease: V1Lease, sentAt: number): boolean {
    this.observe(lease, sentAt);
    this.renewedAt = sentAt;
    return true;
  }

  /** Gives the Lease up if this candidate still holds it (after leading has ended). */
  private async release(): Promise<void> {
    const held = this.observed && recordOf(this.observed.lease).holderIdentity === this.options.identity;
    if (!held || !this.observed) return;
    try {
      const api = await this.client();
      const released = await api.replace(releasedLease(this.observed.lease, Date.now()), AbortSignal.timeout(this.renewDeadlineMs));
      this.observe(released, monotonic());
      this.log.info('released the lease');
    } catch (err) {
      this.log.warn('could not release the lease; it expires on its own', { error: errorMessage(err) });
    }
  }

  /** Waits `ms`, or less when stop() is called. */
  private async pause(ms: number): Promise<void> {
    try {
      await sleep(Math.max(0, Math.round(ms)), undefined, { signal: this.stopping.signal });
    } catch {
      // stop() was called: return at once
    }
  }
}
