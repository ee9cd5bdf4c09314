/**
 * JupyterHub on the lab, as z2jh runs it: the hub (its database, and one process while a hub
 * pod serves), the proxy (configurable-http-proxy's process and routes, while a proxy pod
 * serves), and the hub's metrics. Rules: a process runs exactly while a pod of its component
 * serves; when that pod stops serving the process ends and a pod that serves later starts a
 * fresh one (the proxy with only its default route, the hub adopting servers whose pods
 * serve and checking routes at once); the user pods are the cluster's, changed only through
 * the store as KubeSpawner would.
 */
import type { Cluster } from './kubernetes/cluster.js';
import { isPodServing, userPodName } from './kubernetes/pods.js';
import type { Pod } from './kubernetes/types.js';
import { Hub, HUB_NAMESPACE, type HubUser, type ServerPending } from './jupyterhub/hub.js';
import { hubTimings, type HubSettings, type HubTimings } from './jupyterhub/hub-settings.js';
import { ProxyProcess } from './jupyterhub/proxy.js';
import type { RouteData } from './jupyterhub/route-table.js';
import type { LabFamily } from './samples.js';

export { HUB_NAMESPACE, userPodName };
export type { HubSettings, HubUser, RouteData, ServerPending };

/** A user's default server as the hub sees it. */
export interface ServerView {
  pod: Pod | undefined;
  ready: boolean;
  pending: ServerPending;
}

/** JupyterHub's parts on the lab. Construct, `start()` after the cluster is seeded, `stop()`. */
export class JupyterHubModel {
  readonly proxy: ProxyProcess;
  readonly hub: Hub;
  readonly timings: HubTimings;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cluster: Cluster,
    settings: HubSettings = {},
  ) {
    this.timings = hubTimings(settings);
    this.proxy = new ProxyProcess(cluster.clock);
    this.hub = new Hub(cluster, this.proxy, this.timings);
  }

  /** Records the seed's user servers in the hub's database, then follows the cluster. Idempotent. */
  start(): void {
    if (this.unsubscribe) return;
    for (const pod of this.componentPods('singleuser-server')) {
      const name = pod.metadata.labels?.['hub.jupyter.org/username'];
      if (name && !this.hub.user(name)) this.hub.recordRunning(name, Date.parse(pod.metadata.creationTimestamp ?? '') || this.cluster.clock.now());
    }
    this.unsubscribe = this.cluster.store.subscribe((event) => {
      if (event.key === 'pods' && event.object.metadata.namespace === HUB_NAMESPACE) this.sync();
    });
    this.sync();
  }

  /** Stops following the cluster; both processes end. Idempotent. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.hub.end();
    this.proxy.stop();
  }

  private sync(): void {
    const proxyPod = this.servingPod('proxy', this.proxy.pod);
    if (proxyPod !== this.proxy.pod) {
      this.proxy.stop();
      if (proxyPod) this.proxy.start(proxyPod);
    }
    const hubPod = this.servingPod('hub', this.hub.pod);
    if (hubPod !== this.hub.pod) {
      this.hub.end();
      if (hubPod) this.hub.start(hubPod);
    }
    this.hub.onPodsChanged();
  }

  /** The uid of a serving pod of the component, keeping `current` while it still serves. */
  private servingPod(component: string, current: string | undefined): string | undefined {
    const serving = this.componentPods(component).filter(isPodServing);
    return serving.find((p) => p.metadata.uid === current)?.metadata.uid ?? serving[0]?.metadata.uid;
  }

  private componentPods(component: string): Pod[] {
    return (this.cluster.store.list('pods', HUB_NAMESPACE) as Pod[]).filter((p) => p.metadata.labels?.['component'] === component);
  }

  /** Whether a hub process runs (a hub pod serves). */
  hubReady(): boolean {
    return this.hub.running();
  }

  /** Whether a proxy process runs (a proxy pod serves). */
  proxyReady(): boolean {
    return this.proxy.running();
  }

  /** The single-user server pods (the stored objects: read them, never change them). */
  serverPods(): Pod[] {
    return this.componentPods('singleuser-server');
  }

  /** The user's default server: its pod, and whether the hub counts it ready or pending. */
  server(name: string): ServerView {
    const pod = this.hub.userPod(name);
    return { pod: pod ? structuredClone(pod) : undefined, ready: this.hub.ready(name), pending: this.hub.pending(name) };
  }

  /** The hub's users (copies), in creation order. */
  users(): HubUser[] {
    return this.hub.list().map((u) => structuredClone(u));
  }

  /** The proxy's routes (copies), or undefined while no proxy process runs. */
  routes(): Record<string, RouteData> | undefined {
    return this.proxy.running() ? this.proxy.all() : undefined;
  }

  /** Runs the hub's check_routes now (as `POST /hub/api/proxy` does); false when no hub or proxy runs. */
  checkRoutes(): boolean {
    return this.hub.checkRoutes();
  }

  /** The hub's metric families for the lab's Prometheus (also while the hub is down: the lab keeps them). */
  samples(): LabFamily[] {
    return this.hub.metrics.families({ runningServers: this.hub.runningServers(), totalUsers: this.hub.list().length });
  }
}
