/**
 * What every server fault shares: the selector (`spec.fault.target`), selection, the wait
 * parameter, marking and unmarking, and bringing a server back to ACTIVE from whatever
 * state a fault (or a crash half-way through one) left it in. Never trusts a 202: every
 * action is followed by reading the server until it reaches the wanted state.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../../duration.js';
import { globToRegExp } from '../../../glob.js';
import { TargetError } from '../../../errors.js';
import type { Ctx, Json, Marker, TargetRef } from '../../types.js';
import type { Nova, ServerAction } from '../api/nova.js';
import { openstackClient, type OpenStackClient } from '../client.js';
import { MARK_FAULT, SERVER_MARK_KEYS, serverMarks } from '../markers.js';
import type { Server } from '../types.js';

/** `spec.fault.target` of a server fault: which servers, by name (glob or /regex/) and/or metadata. */
export const ServerTarget = z
  .object({
    /** A cloud of clouds.yaml other than the settings' one. */
    cloud: z.string().min(1).optional(),
    /** `worker-*` (glob) or `/^worker-00[1-3]$/` (regular expression). */
    name: z.string().min(1).optional(),
    /** Every key must be present on the server with this value. */
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .refine((t) => t.name !== undefined || t.metadata !== undefined, {
    message: 'give name and/or metadata: a fault never selects every server of a project',
  });
export type ServerTarget = z.infer<typeof ServerTarget>;

/** A wait bound, written as a duration (`5m`). */
export const WaitDuration = z.string().regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) });
export const DEFAULT_WAIT = '5m';

/** The name matcher: `/…/` is a regular expression, anything else a glob (`*`, `?`). */
export function nameMatcher(name: string): RegExp {
  if (name.length > 2 && name.startsWith('/') && name.endsWith('/')) return new RegExp(name.slice(1, -1));
  return globToRegExp(name);
}

/** A server is available when ACTIVE with no task running. */
export function isServerReady(server: Server): boolean {
  return server.status === 'ACTIVE' && !server['OS-EXT-STS:task_state'];
}

/** Servers matching the target, read once (every page). */
export async function matchingServers(client: OpenStackClient, target: ServerTarget, signal?: AbortSignal): Promise<Server[]> {
  const matcher = target.name === undefined ? undefined : nameMatcher(target.name);
  const servers = await client.nova.listServers({ ...(matcher && { nameRegex: matcher.source }), ...(signal && { signal }) });
  return servers.filter(
    (s) =>
      (!matcher || matcher.test(s.name)) &&
      Object.entries(target.metadata ?? {}).every(([k, v]) => s.metadata[k] === v),
  );
}

/** Read-only selection shared by every server fault: the whole selection is one group for maxUnavailable. */
export async function selectServers(ctx: Ctx, target: ServerTarget): Promise<TargetRef[]> {
  const client = openstackClient(ctx, target.cloud);
  const servers = await matchingServers(client, target, ctx.signal);
  return servers.map((s) => ({
    kind: 'openstack.server',
    id: s.id,
    name: s.name,
    // a server another fault has marked is not available, whatever its status
    ready: isServerReady(s) && s.metadata[MARK_FAULT] === undefined,
    attributes: {
      cloud: client.cloud.name,
      ...(target.cloud ? { selectedCloud: target.cloud } : {}),
      status: s.status,
      ...(s['OS-EXT-AZ:availability_zone'] ? { zone: s['OS-EXT-AZ:availability_zone'] } : {}),
    },
  }));
}

/** The cloud named in the experiment for this server (absent: the settings' cloud). */
export function cloudOf(ref: TargetRef): string | undefined {
  return ref.attributes['selectedCloud'];
}

/** What every server fault's plan records. */
export interface ServerPlanData {
  [key: string]: Json;
  serverId: string;
  name: string;
  /** The cloud name to restore through (the settings' cloud when null). */
  cloud: string | null;
  statusBefore: string;
  runId: string | null;
  /** How long restore waits for each status change. */
  waitMs: number;
}

/** Reads the server for a plan: it must exist; its state before the fault is recorded. */
export async function planData(ctx: Ctx, ref: TargetRef, wait: string | undefined): Promise<ServerPlanData> {
  const cloud = cloudOf(ref);
  const client = openstackClient(ctx, cloud);
  const server = await client.nova.getServer(ref.id, ctx.signal);
  if (!server) throw new TargetError(`server ${ref.name} (${ref.id}) no longer exists`, { retryable: false, status: 404 });
  return { serverId: server.id, name: server.name, cloud: cloud ?? null, statusBefore: server.status, runId: ctx.runId, waitMs: waitMs(wait) };
}

/** Sets gameday's marks on the server (before any change). */
export async function markServer(nova: Nova, serverId: string, marker: Marker, faultType: string, signal?: AbortSignal): Promise<void> {
  for (const [key, value] of Object.entries(serverMarks(marker, faultType))) await nova.setMetadata(serverId, key, value, signal);
}

/** Removes gameday's marks (after the restore); marks already gone are fine. */
export async function unmarkServer(nova: Nova, serverId: string): Promise<void> {
  for (const key of SERVER_MARK_KEYS) await nova.deleteMetadata(serverId, key);
}

/** The action that takes a server from a stable non-ACTIVE status back to ACTIVE. */
const BACK_TO_ACTIVE: Readonly<Record<string, ServerAction>> = { SHUTOFF: 'os-start', PAUSED: 'unpause', SUSPENDED: 'resume' };
const STABLE = ['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED'];

/**
 * Brings the server back to ACTIVE from any state gameday's faults can leave: waits out a
 * running task, then starts, unpauses or resumes it, and waits for ACTIVE. A server that is
 * gone is nothing to restore; a server in ERROR needs an operator (non-retryable error).
 * Idempotent: an ACTIVE server is left as it is; a 409 (someone else acted) is re-read.
 */
export async function restoreToActive(nova: Nova, serverId: string, waitMs: number): Promise<'absent' | 'active'> {
  for (let round = 0; round < 4; round++) {
    const server = await nova.getServer(serverId);
    if (!server) return 'absent';
    if (isServerReady(server)) return 'active';
    if (server.status === 'ERROR') {
      throw new TargetError(`server ${server.name} is in ERROR (${server.fault?.message ?? 'no fault message'}); an operator must reset it`, { retryable: false });
    }
    const action = BACK_TO_ACTIVE[server.status];
    if (server['OS-EXT-STS:task_state'] || !action) {
      await nova.waitForStatus(serverId, STABLE, { timeoutMs: waitMs, intervalMs: 1000 });
      continue;
    }
    try {
      await nova.action(serverId, action);
    } catch (err) {
      if (err instanceof TargetError && err.status === 409) continue; // the state moved under us: read again
      throw err;
    }
    await nova.waitForStatus(serverId, ['ACTIVE'], { timeoutMs: waitMs, intervalMs: 1000 });
    return 'active';
  }
  throw new TargetError(`server ${serverId} did not settle back to ACTIVE`, { retryable: true });
}

/** Milliseconds of a wait parameter. */
export function waitMs(wait: string | undefined): number {
  return parseDuration(wait ?? DEFAULT_WAIT) ?? 300_000;
}

/** The plan data of a restore plan, checked (plans come back from the journal or from markers). */
export const ServerPlan = z.looseObject({
  serverId: z.string(),
  name: z.string(),
  cloud: z.string().nullable(),
  statusBefore: z.string(),
  runId: z.string().nullable(),
  waitMs: z.number().int().positive(),
});
