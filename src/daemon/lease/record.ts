/**
 * The leader-election record a Lease holds, and the Lease bodies an elector writes. Rules:
 * times are MicroTimes (RFC 3339, UTC, six fraction digits) as the API server stores them;
 * a renewal keeps `acquireTime` and `leaseTransitions`, a takeover sets `acquireTime` and
 * counts one more transition; a release empties the holder and shortens the lease to 1 s.
 */
import type { V1Lease } from '@kubernetes/client-node';

/** What the Lease says about its holder. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string | undefined;
  renewTime: string | undefined;
  leaseTransitions: number;
}

/** `2026-11-22T04:30:13.123000Z`: a MicroTime as Kubernetes writes it (JavaScript has milliseconds only). */
export function microTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, -1)}000Z`;
}

/** A MicroTime field as read: client-node leaves it a string at runtime, though typed as a Date. */
function timeText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return undefined;
}

/** The record of a Lease as read. */
export function recordOf(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: timeText(spec.acquireTime),
    renewTime: timeText(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** A string that differs whenever any field of the record differs (how a candidate notices a renewal). */
export function recordKey(record: LeaseRecord): string {
  return JSON.stringify([record.holderIdentity, record.leaseDurationSeconds, record.acquireTime, record.renewTime, record.leaseTransitions]);
}

function withSpec(lease: V1Lease, spec: LeaseRecord): V1Lease {
  return {
    ...lease,
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    // the MicroTime strings travel as they are: the client's serializer passes unknown types through
    spec: { ...lease.spec, ...(spec as unknown as NonNullable<V1Lease['spec']>) },
  };
}

/** A new Lease held by `identity` since `nowMs`. */
export function newLease(name: string, namespace: string, identity: string, durationSeconds: number, nowMs: number): V1Lease {
  const now = microTime(nowMs);
  return withSpec({ metadata: { name, namespace } }, { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 });
}

/** `current` (with its resourceVersion) renewed by its holder, or taken over by `identity`. */
export function claimedLease(current: V1Lease, identity: string, durationSeconds: number, nowMs: number): V1Lease {
  const old = recordOf(current);
  const now = microTime(nowMs);
  const renewing = old.holderIdentity === identity;
  return withSpec(current, {
    holderIdentity: identity,
    leaseDurationSeconds: durationSeconds,
    acquireTime: renewing ? (old.acquireTime ?? now) : now,
    renewTime: now,
    leaseTransitions: renewing ? old.leaseTransitions : old.leaseTransitions + 1,
  });
}

/** `current` (with its resourceVersion) given up: no holder, a 1 s lease, so the next candidate takes it at once. */
export function releasedLease(current: V1Lease, nowMs: number): V1Lease {
  const old = recordOf(current);
  const now = microTime(nowMs);
  return withSpec(current, { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: old.leaseTransitions });
}
