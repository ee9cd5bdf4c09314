/**
 * `openstack.server.pause`: pauses a server (its vCPUs stop; memory stays) and holds it
 * PAUSED — a VM that hangs. Restore unpauses it.
 */
import { z } from 'zod';
import { powerFault } from './common/power.js';
import { WaitDuration } from './common/servers.js';

export const ServerPauseParams = z.object({ wait: WaitDuration.optional() }).strict();
export type ServerPauseParams = z.infer<typeof ServerPauseParams>;

export const serverPause = powerFault<ServerPauseParams>({
  type: 'openstack.server.pause',
  description: 'Pause a server until restore unpauses it.',
  params: ServerPauseParams,
  verb: () => 'pause',
  action: () => 'pause',
  faultedStatus: 'PAUSED',
});
