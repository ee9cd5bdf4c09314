/**
 * Leftovers of the host faults, from their marker files alone: restore plans rebuilt from
 * every configured host's markers, and the removal of a fault's markers once it is undone.
 * A host that does not answer is skipped with a warning (its faults are still restored from
 * the journal); a marker whose data does not parse is left alone.
 */
import type { Transport } from '../../../transport/types.js';
import type { Ctx, RestorePlan, TargetRef } from '../../types.js';
import { hostClient } from '../client.js';
import { readMarkers, removeMarker, type MarkerRecord } from '../markers.js';

/**
 * Removes this fault's marker files on the host: the one named by `faultId` (a plan rebuilt
 * from a marker knows it), else every marker of the same type and run that `same` accepts
 * (a plan from the journal was made before its fault id existed).
 */
export async function removeMarkersOf(
  transport: Transport,
  dir: string,
  plan: { type: string; runId: string | null; faultId?: string | undefined },
  same: (data: Record<string, unknown>) => boolean,
): Promise<void> {
  if (plan.faultId) return removeMarker(transport, dir, plan.faultId);
  for (const record of await readMarkers(transport, dir, () => undefined)) {
    if (record.type === plan.type && record.runId === plan.runId && same(record.data)) await removeMarker(transport, dir, record.faultId);
  }
}

/** Plans for every marker file of `type` on the configured hosts that answer. */
export async function leftoverPlans(ctx: Ctx, type: string, toRef: (record: MarkerRecord) => TargetRef | undefined): Promise<RestorePlan[]> {
  if (ctx.settings['host'] === undefined) return []; // no hosts configured: nothing of ours can be out there
  const client = hostClient(ctx);
  const plans: RestorePlan[] = [];
  for (const host of client.names()) {
    let records: MarkerRecord[];
    try {
      records = await readMarkers(client.transport(host), client.markerDir, (m) => ctx.log.warn(m));
    } catch (err) {
      ctx.log.warn('cannot read gameday markers on a host; its leftovers are restored from the journal only', { host, error: (err as Error).message });
      continue;
    }
    for (const record of records.filter((r) => r.type === type && r.data['host'] === host)) {
      const target = toRef(record);
      if (!target) {
        ctx.log.warn('a gameday marker holds no plan this version can read; left alone', { host, faultId: record.faultId, type });
        continue;
      }
      plans.push({ type, target, data: { ...(record.data as Record<string, never>), runId: record.runId, faultId: record.faultId } });
    }
  }
  return plans;
}
