/**
 * Every target gameday knows, in alphabetical order. Adding a target is one line here;
 * adding a fault or probe is one line in that target's own index.ts.
 */
import type { AnyFaultType, AnyProbeType, TargetModule } from './types.js';
import { glusterfs } from './glusterfs/index.js';
import { host } from './host/index.js';
import { http } from './http/index.js';
import { jupyterhub } from './jupyterhub/index.js';
import { kubernetes } from './kubernetes/index.js';
import { openstack } from './openstack/index.js';
import { prometheus } from './prometheus/index.js';

export const targets: readonly TargetModule[] = [glusterfs, host, http, jupyterhub, kubernetes, openstack, prometheus];

/** Fault types by id. */
export const faultTypes: ReadonlyMap<string, AnyFaultType> = new Map(
  targets.flatMap((t) => t.faults.map((f) => [f.type, f] as const)),
);

/** Probe types by id. */
export const probeTypes: ReadonlyMap<string, AnyProbeType> = new Map(
  targets.flatMap((t) => t.probes.map((p) => [p.type, p] as const)),
);
