/**
 * `glusterfs.volume.status`: how many bricks of a volume are online, as the best-connected
 * peer sees them (a cut-off peer sees only itself; a brick no peer lists is offline). More
 * than `maxOffline` offline is a breach; no peer answering is an error. Read-only.
 */
import { z } from 'zod';
import { defineProbe } from '../types.js';
import { glusterfsClient } from './client.js';
import { brickOnline } from './common/bricks.js';
import { VOLUME_PATTERN } from './common/identifiers.js';

export const VolumeStatusKeys = z
  .object({
    volume: z.string().regex(VOLUME_PATTERN, 'expected a GlusterFS volume name'),
    /** Most bricks that may be offline; default 0 (every brick online). */
    maxOffline: z.number().int().min(0).default(0),
  })
  .strict();
export type VolumeStatusKeys = z.infer<typeof VolumeStatusKeys>;

export const volumeStatus = defineProbe<VolumeStatusKeys>({
  type: 'glusterfs.volume.status',
  description: 'At most `maxOffline` (default 0) bricks of the volume are offline, as the best-connected peer sees them.',
  params: VolumeStatusKeys,
  async check(ctx, params, signal) {
    const client = glusterfsClient(ctx);
    const info = await client.onAnyPeer((cli) => cli.volumeInfo(params.volume), { signal });
    const { online, unanswered } = await brickOnline(client, params.volume, signal);
    const offline = info.bricks.filter((b) => !online.get(b.name)).map((b) => b.name);
    const up = info.bricks.length - offline.length;
    return {
      ok: offline.length <= params.maxOffline,
      value: offline.length,
      detail: `${up}/${info.bricks.length} bricks online${offline.length ? `; offline: ${offline.join(', ')}` : ''}${unanswered.length ? `; peers not answering: ${unanswered.join(', ')}` : ''}`,
    };
  },
});
