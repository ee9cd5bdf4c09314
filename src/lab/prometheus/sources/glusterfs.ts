/**
 * What a GlusterFS exporter would export for the lab's pool. Rules: volume-level families
 * come from the pool's leader — the first brick host that is not cut off — as glusterd there
 * sees the bricks (`volume status` from it); heal counts are given for the bricks that
 * leader sees online (heal info cannot count a brick it cannot reach); a pool with every
 * host cut off exports nothing.
 */
import type { GlusterPool } from '../../glusterfs/pool.js';
import { BRICK_HOSTS } from '../../glusterfs/types.js';
import type { LabFamily } from '../../samples.js';

/** The brick host whose exporter reports the volume, or undefined when all are cut off. */
export function glusterLeader(pool: GlusterPool): string | undefined {
  return BRICK_HOSTS.find((host) => !pool.cutOff(host));
}

/** The volume families, as the leader reports them. */
export function glusterfsFamilies(pool: GlusterPool, leader: string): LabFamily[] {
  const seen = pool.seenFrom(leader);
  const bricks = pool.bricks();
  return [
    {
      name: 'gluster_brick_up',
      type: 'gauge',
      help: 'Is the brick up (1) or down (0), as glusterd on the reporting peer sees it.',
      samples: bricks.map((b) => ({ name: 'gluster_brick_up', labels: { volume: pool.volumeName, hostname: b.host, path: b.path }, value: seen[b.name] === 'online' ? 1 : 0 })),
    },
    {
      name: 'gluster_heal_info_files_count',
      type: 'gauge',
      help: 'Number of entries pending heal on a brick (gluster volume heal VOLUME info).',
      samples: bricks.filter((b) => seen[b.name] === 'online').map((b) => ({
        name: 'gluster_heal_info_files_count', labels: { volume: pool.volumeName, brick: b.name }, value: b.pendingHeal,
      })),
    },
  ];
}
