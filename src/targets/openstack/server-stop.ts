/**
 * `openstack.server.stop`: powers a server off (os-stop) and holds it SHUTOFF — a worker
 * VM dying. Restore starts it and waits for ACTIVE.
 */
import { z } from 'zod';
import { powerFault } from './common/power.js';
import { WaitDuration } from './common/servers.js';

export const ServerStopParams = z.object({ wait: WaitDuration.optional() }).strict();
export type ServerStopParams = z.infer<typeof ServerStopParams>;

export const serverStop = powerFault<ServerStopParams>({
  type: 'openstack.server.stop',
  description: 'Stop a server (os-stop) until restore starts it again.',
  params: ServerStopParams,
  verb: () => 'stop',
  action: () => 'os-stop',
  faultedStatus: 'SHUTOFF',
});
