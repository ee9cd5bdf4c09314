/**
 * `openstack.server.reboot`: reboots a server (HARD by default: a reset, as a hypervisor
 * crash looks from inside). The server comes back by itself; restore waits for ACTIVE (and
 * starts it if the reboot left it SHUTOFF).
 */
import { z } from 'zod';
import { powerFault } from './common/power.js';
import { WaitDuration } from './common/servers.js';

export const ServerRebootParams = z
  .object({ type: z.enum(['HARD', 'SOFT']).default('HARD'), wait: WaitDuration.optional() })
  .strict();
export type ServerRebootParams = z.infer<typeof ServerRebootParams>;

export const serverReboot = powerFault<ServerRebootParams>({
  type: 'openstack.server.reboot',
  description: 'Reboot a server (HARD or SOFT); restore waits until it is ACTIVE again.',
  params: ServerRebootParams,
  verb: (p) => `${p.type.toLowerCase()}-reboot`,
  action: (p) => ({ reboot: p.type }),
  faultedStatus: null,
});
