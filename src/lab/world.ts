/**
 * The simulated JupyterCloud: one clock, one OpenStack cloud (Keystone, Nova, Neutron and
 * Glance state) whose master and worker VMs back the Kubernetes nodes and whose brick VMs
 * host the GlusterFS pool, one Kubernetes cluster (store + controllers + kubelets),
 * JupyterHub's state, and the faults of the lab's own APIs. Rules: all simulated behaviour runs on `clock` and stops with `close()`; readers
 * get copies, never the stored objects; steering methods change the world the way the real
 * platform would change (through the cluster's objects, the cloud's servers and ports), so
 * every client sees the same truth.
 */
import { EventEmitter } from 'node:events';
import { ApiFaults } from './api-faults.js';
import { SimClock } from './clock.js';
import { GlusterPool } from './glusterfs/pool.js';
import { JupyterHubModel, type HubSettings } from './jupyterhub-model.js';
import { Cluster } from './kubernetes/cluster.js';
import { DeploymentController } from './kubernetes/deployment-controller.js';
import { DisruptionController } from './kubernetes/disruption.js';
import { GarbageCollector } from './kubernetes/garbage-collector.js';
import { Kubelets } from './kubernetes/kubelet.js';
import { NodeLifecycle } from './kubernetes/node-lifecycle.js';
import { ReplicaSetController } from './kubernetes/replicaset-controller.js';
import { seedCluster } from './kubernetes/seed.js';
import { DEFAULT_HISTORY, ObjectStore, type StoreEvent } from './kubernetes/store.js';
import type { ConditionStatus, Deployment, KubeObject, Node, Pod, ReplicaSet } from './kubernetes/types.js';
import { OpenStackCloud } from './openstack/cloud.js';
import { LabIdentity } from './openstack/identity.js';
import { VmNodeCoupling } from './openstack/node-coupling.js';
import { seedCloud } from './openstack/seed.js';
import type { AlertRules } from './prometheus/alert-rules.js';
import { ExporterMetrics } from './prometheus/exporter-metrics.js';
import { LabPrometheus, type LabPrometheusOptions } from './prometheus/lab-prometheus.js';

/** How the world is built. */
export interface WorldOptions {
  speed?: number;
  workers?: number;
  userPods?: number;
  /** Events kept for watch replay (older resourceVersions get 410). */
  watchHistory?: number;
  /** Scrape and evaluation intervals, retention and alerting rules of the lab's Prometheus. */
  prometheus?: LabPrometheusOptions;
  /** JupyterHub's start timeout, last-activity and poll intervals (simulated seconds). */
  jupyterhub?: HubSettings;
}

/** A change of the world's Kubernetes objects (what a watch would see). */
export type WorldChange = StoreEvent;

interface WorldEvents {
  change: [WorldChange];
  error: [unknown];
}

interface Part {
  start?(): void;
  stop(): void;
}

/** The lab's whole simulated platform. Construct, `start()`, then `close()`. */
export class World extends EventEmitter<WorldEvents> {
  readonly clock: SimClock;
  readonly apiFaults = new ApiFaults();
  readonly store: ObjectStore;
  readonly cluster: Cluster;
  readonly jupyterhub: JupyterHubModel;
  /** Keystone's state: the lab's user, project, application credential, catalog and tokens. */
  readonly keystone: LabIdentity;
  /** Nova, Neutron and Glance state: servers and their actions, ports, security groups. */
  readonly openstack: OpenStackCloud;
  /** The GlusterFS pool on the brick VMs: bricks, heals, users' writes, each host's iptables. */
  readonly glusterfs: GlusterPool;
  /** Hand-set gauges (an exporter tests and demos drive), scraped with job `exporter`. */
  readonly metrics = new ExporterMetrics();
  /** The lab's Prometheus: TSDB, PromQL, alerting; it scrapes once `startLab` has started it with the servers' addresses. */
  readonly prometheus: LabPrometheus;
  /** The lab Prometheus's alerting rules (add one to make an alert fire on demand). */
  readonly alertRules: AlertRules;
  /** Errors raised inside simulated behaviour (timer callbacks, listeners); empty in a healthy lab. */
  readonly internalErrors: unknown[] = [];
  private readonly nodeLifecycle: NodeLifecycle;
  private readonly parts: Part[];
  private started = false;
  private closed = false;

  constructor(private readonly options: WorldOptions = {}) {
    super();
    const report = (error: unknown): void => this.report(error);
    this.clock = new SimClock(options.speed ?? 1, report);
    this.store = new ObjectStore(() => this.clock.now(), options.watchHistory ?? DEFAULT_HISTORY, report);
    this.cluster = new Cluster(this.store, this.clock);
    this.jupyterhub = new JupyterHubModel(this.cluster, options.jupyterhub);
    this.nodeLifecycle = new NodeLifecycle(this.cluster);
    this.keystone = new LabIdentity();
    this.openstack = new OpenStackCloud(this.clock, this.keystone.project.id, this.keystone.user.id);
    this.glusterfs = new GlusterPool(this.clock, this.openstack);
    this.prometheus = new LabPrometheus(this.clock, this, report, options.prometheus);
    this.alertRules = this.prometheus.rules;
    this.parts = [
      new Kubelets(this.cluster),
      new ReplicaSetController(this.cluster),
      new DeploymentController(this.cluster),
      new GarbageCollector(this.cluster),
      new DisruptionController(this.cluster),
      this.nodeLifecycle,
      new VmNodeCoupling(this.openstack, this.clock, (name, status) => this.setNodeReady(name, status)),
      { start: () => this.glusterfs.start(), stop: () => this.glusterfs.stop() },
      { stop: () => this.openstack.close() },
      { start: () => this.jupyterhub.start(), stop: () => this.jupyterhub.stop() },
      { stop: () => this.prometheus.stop() },
    ];
  }

  /** Seeds the platform and starts every controller. Idempotent. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    seedCluster(this.cluster, { workers: this.options.workers ?? 4, userPods: this.options.userPods ?? 6 });
    seedCloud(this.openstack, { workers: this.options.workers ?? 4 });
    this.store.subscribe((event) => this.emit('change', event));
    for (const part of this.parts) part.start?.();
  }

  /** Stops every controller and timer. Idempotent; runs every step even when one fails. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const failures: unknown[] = [];
    for (const part of this.parts) {
      try {
        part.stop();
      } catch (error) {
        failures.push(error);
      }
    }
    this.clock.close();
    this.removeAllListeners('change');
    if (failures.length > 0) throw new AggregateError(failures, 'world close failed');
  }

  /** Pods (copies), in one namespace or all. */
  pods(namespace?: string): Pod[] {
    return structuredClone(this.store.list('pods', namespace)) as Pod[];
  }

  /** Nodes (copies). */
  nodes(): Node[] {
    return structuredClone(this.store.list('nodes')) as Node[];
  }

  /** Deployments (copies), in one namespace or all. */
  deployments(namespace?: string): Deployment[] {
    return structuredClone(this.store.list('deployments.apps', namespace)) as Deployment[];
  }

  /** ReplicaSets (copies), in one namespace or all. */
  replicaSets(namespace?: string): ReplicaSet[] {
    return structuredClone(this.store.list('replicasets.apps', namespace)) as ReplicaSet[];
  }

  /** Any stored object by resource key (`pods`, `deployments.apps`, …), as a copy. */
  object(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.store.get(key, namespace, name);
    return found ? structuredClone(found) : undefined;
  }

  /** While broken, the Deployment's new pods crash-loop and never become Ready; existing Ready pods are untouched. */
  setDeploymentBroken(namespace: string, name: string, broken: boolean): void {
    this.cluster.setDeploymentBroken(namespace, name, broken);
  }

  /**
   * Sets a node's Ready condition. Not Ready taints the node, turns its pods not Ready and
   * evicts them after their toleration (300 s simulated); Ready again undoes it. Hook for the
   * OpenStack coupling (a stopped VM makes its node Unknown after the grace period).
   */
  setNodeReady(name: string, status: ConditionStatus | boolean): boolean {
    const value: ConditionStatus = status === true ? 'True' : status === false ? 'False' : status;
    return this.nodeLifecycle.setNodeReady(name, value);
  }

  /** Whether /hub/health would answer 200 (a hub pod and a proxy pod serve). */
  hubHealthy(): boolean {
    return this.jupyterhub.hubReady() && this.jupyterhub.proxyReady();
  }

  private report(error: unknown): void {
    this.internalErrors.push(error);
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
