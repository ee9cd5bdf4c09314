/**
 * The Prometheus target: probes only (gameday never changes Prometheus), through its own
 * HTTP API client. One line per probe.
 */
import type { TargetModule } from '../types.js';
import { alertsProbe } from './alerts.js';
import { queryProbe } from './query.js';
import { PrometheusSettings } from './settings.js';

/** The prometheus target as the registry holds it; its probes in id order. */
export const prometheus: TargetModule = {
  name: 'prometheus',
  settings: PrometheusSettings,
  faults: [],
  probes: [alertsProbe, queryProbe],
};
