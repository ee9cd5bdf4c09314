/**
 * The GlusterFS target: brick faults and volume probes, through the gluster CLI (always
 * `--mode=script --xml`) run on the pool's hosts over SSH or locally. One line per fault
 * or probe.
 */
import type { TargetModule } from '../types.js';
import { brickKill } from './brick-kill.js';
import { brickPartition } from './brick-partition.js';
import { healPending } from './heal-pending.js';
import { mountIo } from './mount-io.js';
import { GlusterfsSettings } from './settings.js';
import { volumeStatus } from './volume-status.js';

/** The glusterfs target as the registry holds it; its faults and probes in id order. */
export const glusterfs: TargetModule = {
  name: 'glusterfs',
  settings: GlusterfsSettings,
  faults: [brickKill, brickPartition],
  probes: [healPending, mountIo, volumeStatus],
};
