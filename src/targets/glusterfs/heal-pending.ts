/**
 * `glusterfs.heal.pending`: entries the self-heal daemon still has to heal on a volume
 * (`volume heal VOL info summary`, summed over bricks). More than `max` is a breach, and so
 * is a brick the heal info cannot read (its entries are unknown). Used after a restore with
 * `max: 0`, the recovery time it measures is the time to heal. Read-only.
 */
import { z } from 'zod';
import { defineProbe } from '../types.js';
import { glusterfsClient } from './client.js';
import { VOLUME_PATTERN } from './common/identifiers.js';

export const HealPendingKeys = z
  .object({
    volume: z.string().regex(VOLUME_PATTERN, 'expected a GlusterFS volume name'),
    /** Most entries left to heal; default 0. */
    max: z.number().int().min(0).default(0),
  })
  .strict();
export type HealPendingKeys = z.infer<typeof HealPendingKeys>;

export const healPending = defineProbe<HealPendingKeys>({
  type: 'glusterfs.heal.pending',
  description: 'At most `max` (default 0) entries are left to heal on the volume, and every brick can be read.',
  params: HealPendingKeys,
  async check(ctx, params, signal) {
    const bricks = await glusterfsClient(ctx).onAnyPeer((cli) => cli.healSummary(params.volume), { signal });
    const unreadable = bricks.filter((b) => !b.connected);
    const total = bricks.reduce((sum, b) => sum + (b.total ?? 0), 0);
    const splitBrain = bricks.reduce((sum, b) => sum + (b.splitBrain ?? 0), 0);
    const parts = [`${total} entries to heal (max ${params.max})`];
    if (splitBrain) parts.push(`${splitBrain} in split-brain`);
    if (unreadable.length) parts.push(`unreadable: ${unreadable.map((b) => `${b.name} (${b.status})`).join(', ')}`);
    return { ok: total <= params.max && unreadable.length === 0, value: total, detail: parts.join('; ') };
  },
});
