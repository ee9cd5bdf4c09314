/**
 * The lab's scrape targets: one per system, as a Prometheus next to the platform would
 * scrape them (job = the system). Rules: a target's scrape fails while the lab's API fault
 * for its system refuses connections, answers errors (at the fault's rate) or delays longer
 * than the scrape timeout; the hub's target also fails while /hub/health would fail; each
 * GlusterFS brick host is a target of its own that fails while the host is cut off, and the
 * first one that is not (the leader) reports the volume.
 */
import type { ApiFaults, LabSystem } from '../api-faults.js';
import type { GlusterPool } from '../glusterfs/pool.js';
import { BRICK_HOSTS } from '../glusterfs/types.js';
import type { ObjectStore } from '../kubernetes/store.js';
import type { OpenStackCloud } from '../openstack/cloud.js';
import type { LabFamily } from '../samples.js';
import type { ExporterMetrics } from './exporter-metrics.js';
import { glusterfsFamilies, glusterLeader } from './sources/glusterfs.js';
import { kubernetesFamilies } from './sources/kubernetes.js';
import { openstackFamilies } from './sources/openstack.js';

/** A scrape that fails for as long as a lab API delays its answers by at least this (Prometheus's default scrape timeout). */
export const SCRAPE_TIMEOUT_MS = 10_000;

/** The port a GlusterFS exporter listens on, in the brick hosts' instance labels. */
export const GLUSTER_EXPORTER_PORT = 9713;

/** One scrape target. */
export interface ScrapeTarget {
  job: string;
  instance: string;
  /** The target's families now, or undefined when a scrape of it fails now. */
  scrape(): LabFamily[] | undefined;
}

/** What the targets read of the world (a `World` is one). */
export interface TargetWorld {
  readonly store: ObjectStore;
  readonly openstack: OpenStackCloud;
  readonly glusterfs: GlusterPool;
  readonly jupyterhub: { samples(): LabFamily[] };
  readonly apiFaults: ApiFaults;
  readonly metrics: ExporterMetrics;
  hubHealthy(): boolean;
}

/** `host:port` of each lab server, as instance labels show them. */
export interface TargetAddresses {
  kubernetes: string;
  jupyterhub: string;
  openstack: string;
  prometheus: string;
}

/** The instance label of the hand-set gauges (`world.metrics`). */
export const EXPORTER_INSTANCE = 'lab-exporter:9100';

/** Whether the lab API fault of `system` makes a scrape fail now. */
export function scrapeFails(faults: ApiFaults, system: LabSystem): boolean {
  const fault = faults.get(system);
  if (!fault) return false;
  if (fault.refuse) return true;
  if ((fault.latencyMs ?? 0) >= SCRAPE_TIMEOUT_MS) return true;
  return fault.errorStatus !== undefined && Math.random() < (fault.errorRate ?? 1);
}

/** Every target of the lab; `self` gives the lab Prometheus's own families. */
export function labTargets(world: TargetWorld, addresses: TargetAddresses, self: () => LabFamily[]): ScrapeTarget[] {
  const system = (job: LabSystem, instance: string, families: () => LabFamily[], healthy: () => boolean = () => true): ScrapeTarget => ({
    job,
    instance,
    scrape: () => (scrapeFails(world.apiFaults, job) || !healthy() ? undefined : families()),
  });
  return [
    system('kubernetes', addresses.kubernetes, () => kubernetesFamilies(world.store)),
    system('jupyterhub', addresses.jupyterhub, () => world.jupyterhub.samples(), () => world.hubHealthy()),
    system('openstack', addresses.openstack, () => openstackFamilies(world.openstack)),
    system('prometheus', addresses.prometheus, self),
    ...BRICK_HOSTS.map((host): ScrapeTarget => ({
      job: 'glusterfs',
      instance: `${host}:${GLUSTER_EXPORTER_PORT}`,
      scrape: () => {
        if (world.glusterfs.cutOff(host)) return undefined;
        return glusterLeader(world.glusterfs) === host ? glusterfsFamilies(world.glusterfs, host) : [];
      },
    })),
    { job: 'exporter', instance: EXPORTER_INSTANCE, scrape: () => world.metrics.families() },
  ];
}
