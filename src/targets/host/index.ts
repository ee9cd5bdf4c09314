/**
 * The host target: faults on processes and systemd units of machines that are not
 * Kubernetes nodes (a hub on plain VMs, run by docker-compose or systemd), through the
 * shared command transports (ssh, local). One line per fault.
 */
import type { TargetModule } from '../types.js';
import { processKill } from './process-kill.js';
import { serviceStop } from './service-stop.js';
import { HostSettings } from './settings.js';

/** The host target as the registry holds it; its faults in id order. */
export const host: TargetModule = {
  name: 'host',
  settings: HostSettings,
  faults: [processKill, serviceStop],
  probes: [],
};
