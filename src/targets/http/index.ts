/**
 * The generic HTTP target: no faults, one probe (`http`). One line per probe.
 */
import type { TargetModule } from '../types.js';
import { httpProbe } from './http.js';
import { HttpSettings } from './settings.js';

/** The http target as the registry holds it: probes only, it never changes anything. */
export const http: TargetModule = {
  name: 'http',
  settings: HttpSettings,
  faults: [],
  probes: [httpProbe],
};
