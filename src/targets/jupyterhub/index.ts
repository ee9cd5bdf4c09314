/**
 * The JupyterHub target: the hub's health, REST API and spawn journey, and the proxy's
 * routes. One line per fault or probe.
 */
import type { TargetModule } from '../types.js';
import { apiProbe } from './api.js';
import { healthProbe } from './health.js';
import { proxyRoutesDelete } from './proxy-routes-delete.js';
import { routesProbe } from './routes.js';
import { JupyterHubSettings } from './settings.js';
import { spawnProbe } from './spawn.js';

/** The jupyterhub target as the registry holds it. */
export const jupyterhub: TargetModule = {
  name: 'jupyterhub',
  settings: JupyterHubSettings,
  faults: [proxyRoutesDelete],
  probes: [apiProbe, healthProbe, routesProbe, spawnProbe],
};
