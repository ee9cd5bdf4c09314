/**
 * Leftovers of the brick faults, from their marker files alone: restore plans rebuilt from
 * every peer's markers, and the removal of a fault's markers once it is undone.
 */
import type { Ctx, RestorePlan } from '../../types.js';
import { glusterfsClient } from '../client.js';
import { readMarkers, removeMarker } from '../markers.js';
import type { Transport } from '../../../transport/types.js';
import type { BrickPlan } from './bricks.js';

/** Removes this fault's marker files on the host: the one named in the plan, else every marker of the same run and brick. */
export async function removeMarkersOf(transport: Transport, data: BrickPlan, faultId: string | undefined): Promise<void> {
  if (faultId) return removeMarker(transport, faultId);
  for (const record of await readMarkers(transport, () => undefined)) {
    if (record.data['brick'] === data.brick && record.runId === data.runId) await removeMarker(transport, record.faultId);
  }
}

/** Plans for every marker file of `type` on the configured peers that answer. */
export async function leftoverPlans(ctx: Ctx, type: string, valid: (data: unknown) => boolean): Promise<RestorePlan[]> {
  if (ctx.settings['glusterfs'] === undefined) return []; // no pool configured: nothing of ours can be out there
  const client = glusterfsClient(ctx);
  const plans: RestorePlan[] = [];
  for (const host of client.peers()) {
    let records;
    try {
      records = await readMarkers(client.transport(host), (m) => ctx.log.warn(m));
    } catch (err) {
      ctx.log.warn('cannot read gameday markers on a GlusterFS host; its leftovers are restored from the journal only', { host, error: (err as Error).message });
      continue;
    }
    for (const record of records.filter((r) => r.type === type)) {
      if (!valid(record.data)) continue;
      const brick = String(record.data['brick']);
      plans.push({
        type,
        target: { kind: 'glusterfs.brick', id: `${String(record.data['volume'])}/${brick}`, name: brick, ready: false, attributes: { volume: String(record.data['volume']) } },
        data: { ...(record.data as Record<string, never>), runId: record.runId, faultId: record.faultId },
      });
    }
  }
  return plans;
}
