/**
 * The host faults' time-to-live: a detached sleeper on the host (transport/sleeper.ts) that
 * undoes the fault by itself if gameday never comes back. Rules: the param is optional (no
 * TTL unless asked for) and at least 1s; the sleeper's tag is `gameday:<fault id>`; it is
 * started after the marker and before the change, and restore ends it before anything else
 * (a plan from the journal, made before its fault id existed, finds its fault ids in the
 * host's marker files of the same type, run and object).
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../../duration.js';
import { stopSleepers } from '../../../transport/sleeper.js';
import type { Transport } from '../../../transport/types.js';
import type { Ctx } from '../../types.js';
import { readMarkers } from '../markers.js';
import { checkFaultId } from './identifiers.js';

/**
 * `ttl`: how long the fault may outlive a gameday that never comes back; a sleeper on the
 * host undoes it then. Set it above the fault's duration plus the restore's wait (30m is a
 * sound default for a game day).
 */
export const TtlDuration = z.string()
  .regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
  .refine((t) => (parseDuration(t) ?? 0) >= 1000, 'expected at least 1s');

/** The TTL in whole seconds (rounded up), or null without one. */
export function ttlSeconds(ttl: string | undefined): number | null {
  if (ttl === undefined) return null;
  return Math.ceil((parseDuration(ttl) ?? 1000) / 1000);
}

/** The sleeper tag of a fault. */
export const sleeperTag = (faultId: string): string => `gameday:${checkFaultId(faultId)}`;

/**
 * Ends the sleepers of this fault on the host: the one tagged with `plan.faultId`, else
 * those of every marker of the same type and run that `same` accepts. Returns how many.
 */
export async function endSleepersOf(
  ctx: Ctx,
  transport: Transport,
  dir: string,
  plan: { type: string; runId: string | null; faultId?: string | undefined },
  same: (data: Record<string, unknown>) => boolean,
): Promise<number> {
  const ids = plan.faultId
    ? [plan.faultId]
    : (await readMarkers(transport, dir, () => undefined)).filter((r) => r.type === plan.type && r.runId === plan.runId && same(r.data)).map((r) => r.faultId);
  let ended = 0;
  for (const id of ids) ended += await stopSleepers(transport, sleeperTag(id));
  if (ended) ctx.log.info('time-to-live sleeper ended', { host: transport.host, faults: ids, ended });
  return ended;
}
