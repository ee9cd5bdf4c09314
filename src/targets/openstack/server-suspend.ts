/**
 * `openstack.server.suspend`: suspends a server (state saved to disk) and holds it
 * SUSPENDED. Restore resumes it.
 */
import { z } from 'zod';
import { powerFault } from './common/power.js';
import { WaitDuration } from './common/servers.js';

export const ServerSuspendParams = z.object({ wait: WaitDuration.optional() }).strict();
export type ServerSuspendParams = z.infer<typeof ServerSuspendParams>;

export const serverSuspend = powerFault<ServerSuspendParams>({
  type: 'openstack.server.suspend',
  description: 'Suspend a server until restore resumes it.',
  params: ServerSuspendParams,
  verb: () => 'suspend',
  action: () => 'suspend',
  faultedStatus: 'SUSPENDED',
});
