/**
 * JupyterHub's state on the lab, as z2jh runs it: users, their servers (one KubeSpawner pod
 * `jupyter-<name>` each, owned by no controller), and whether the hub and proxy can answer.
 * Rules: a server is ready exactly when its pod serves (Ready, not terminating); spawning
 * creates the pod and nothing else (the cluster does the rest); stopping deletes it with
 * KubeSpawner's 1-second grace period; the hub answers only while a hub pod and a proxy pod
 * serve.
 */
import { deletePod, isPodServing, singleUserPod, userPodName } from './kubernetes/pods.js';

export { userPodName };
import type { Cluster } from './kubernetes/cluster.js';
import type { Pod } from './kubernetes/types.js';

/** A JupyterHub user record. */
export interface HubUser {
  name: string;
  admin: boolean;
  created: string;
  lastActivity: string | null;
}

/** The state of a user's default server. */
export interface ServerState {
  pod: Pod | undefined;
  ready: boolean;
  pending: 'spawn' | 'stop' | null;
}

/** The namespace z2jh was installed into. */
export const HUB_NAMESPACE = 'jhub';


function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** Users and servers of the lab's JupyterHub. */
export class JupyterHubModel {
  private readonly users = new Map<string, HubUser>();

  constructor(private readonly cluster: Cluster) {}

  /** Registers a user (idempotent); returns the record. */
  addUser(name: string, admin = false): HubUser {
    const existing = this.users.get(name);
    if (existing) return existing;
    const user: HubUser = { name, admin, created: isoMs(this.cluster.clock.now()), lastActivity: null };
    this.users.set(name, user);
    return user;
  }

  /** The user, if registered. */
  user(name: string): HubUser | undefined {
    return this.users.get(name);
  }

  /** All users, by name. */
  listUsers(): HubUser[] {
    return [...this.users.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Registers every user that has a server pod in the cluster (the seed's users). */
  adoptUserPods(): void {
    for (const pod of this.componentPods('singleuser-server')) {
      const name = pod.metadata.labels?.['hub.jupyter.org/username'];
      if (name) this.addUser(name).lastActivity = isoMs(Date.parse(pod.metadata.creationTimestamp ?? '') || this.cluster.clock.now());
    }
  }

  private componentPods(component: string): Pod[] {
    return (this.cluster.store.list('pods', HUB_NAMESPACE) as Pod[]).filter((p) => p.metadata.labels?.['component'] === component);
  }

  /** Whether a hub pod serves. */
  hubReady(): boolean {
    return this.componentPods('hub').some(isPodServing);
  }

  /** Whether a proxy pod serves. */
  proxyReady(): boolean {
    return this.componentPods('proxy').some(isPodServing);
  }

  /** The user's default server. */
  server(name: string): ServerState {
    const pod = this.cluster.store.get('pods', HUB_NAMESPACE, userPodName(name)) as Pod | undefined;
    if (!pod) return { pod, ready: false, pending: null };
    if (pod.metadata.deletionTimestamp) return { pod, ready: false, pending: 'stop' };
    return isPodServing(pod) ? { pod, ready: true, pending: null } : { pod, ready: false, pending: 'spawn' };
  }

  /** Creates the user's server pod (the caller checked it is not running). */
  spawn(name: string): void {
    const user = this.addUser(name);
    user.lastActivity = isoMs(this.cluster.clock.now());
    this.cluster.store.create('pods', singleUserPod(name));
  }

  /** Deletes the user's server pod with KubeSpawner's grace period. */
  stop(name: string): void {
    deletePod(this.cluster.store, this.cluster.clock.now(), HUB_NAMESPACE, userPodName(name), { gracePeriodSeconds: 1 });
  }

  /** The REST model of a user, as `GET /hub/api/users/{name}` answers it to an admin. */
  userModel(user: HubUser): Record<string, unknown> {
    const state = this.server(user.name);
    const url = `/user/${user.name}/`;
    const active = state.pod !== undefined;
    const started = state.pod?.metadata.creationTimestamp;
    return {
      kind: 'user',
      name: user.name,
      admin: user.admin,
      roles: user.admin ? ['admin', 'user'] : ['user'],
      groups: [],
      server: state.ready ? url : null,
      pending: state.pending,
      created: user.created,
      last_activity: user.lastActivity,
      servers: active
        ? {
            '': {
              name: '', ready: state.ready, stopped: false, pending: state.pending, url, user_options: {},
              progress_url: `/hub/api/users/${user.name}/server/progress`,
              started: started ? isoMs(Date.parse(started)) : null, last_activity: user.lastActivity,
              state: { pod_name: userPodName(user.name), namespace: HUB_NAMESPACE, dns_name: `${userPodName(user.name)}.${HUB_NAMESPACE}.svc.cluster.local` },
            },
          }
        : {},
      auth_state: null,
    };
  }
}
