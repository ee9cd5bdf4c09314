/**
 * The OpenStack target: faults and probes on servers and their ports, through gameday's
 * own typed client (Keystone v3, Nova, Neutron). One line per fault or probe.
 */
import type { TargetModule } from '../types.js';
import { serverIsolate } from './server-isolate.js';
import { serverPause } from './server-pause.js';
import { serverReboot } from './server-reboot.js';
import { serverStop } from './server-stop.js';
import { serverSuspend } from './server-suspend.js';
import { serversActive } from './servers-active.js';
import { OpenStackSettings } from './settings.js';

/** The openstack target as the registry holds it; its faults and probes in id order. */
export const openstack: TargetModule = {
  name: 'openstack',
  settings: OpenStackSettings,
  faults: [serverIsolate, serverPause, serverReboot, serverStop, serverSuspend],
  probes: [serversActive],
};
