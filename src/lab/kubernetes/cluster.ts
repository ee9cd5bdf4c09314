/**
 * The simulated cluster's shared state: the store, the clock, which Deployments are broken,
 * pod IP allocation, and lookups every controller needs. Rule: controllers talk to each other
 * only through the store (as real ones do through the API server), never by direct calls.
 */
import type { SimClock } from '../clock.js';
import type { ObjectStore } from './store.js';
import type { KubeObject, Node, Pod } from './types.js';

/** Shared context of the simulated control plane and kubelets. */
export class Cluster {
  private readonly broken = new Set<string>();
  private readonly nextIp = new Map<string, number>();

  constructor(
    readonly store: ObjectStore,
    readonly clock: SimClock,
  ) {}

  /** Marks a Deployment broken (its new pods never become Ready) or healthy again. */
  setDeploymentBroken(namespace: string, name: string, broken: boolean): void {
    if (broken) this.broken.add(`${namespace}/${name}`);
    else this.broken.delete(`${namespace}/${name}`);
  }

  /** Whether the pod belongs (Pod → ReplicaSet → Deployment) to a broken Deployment. */
  isPodBroken(pod: Pod): boolean {
    const namespace = pod.metadata.namespace ?? '';
    const rsName = controllerOf(pod, 'ReplicaSet');
    if (!rsName) return false;
    const rs = this.store.get('replicasets.apps', namespace, rsName);
    const deployment = rs ? controllerOf(rs, 'Deployment') : undefined;
    return deployment !== undefined && this.broken.has(`${namespace}/${deployment}`);
  }

  /** The node, if it exists. */
  node(name: string): Node | undefined {
    return this.store.get('nodes', undefined, name) as Node | undefined;
  }

  /** Whether the node exists and its Ready condition is True. */
  isNodeReady(name: string): boolean {
    return this.node(name)?.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  }

  /** All pods, in every namespace. */
  pods(): Pod[] {
    return this.store.list('pods') as Pod[];
  }

  /** Pods bound to a node. */
  podsOnNode(node: string): Pod[] {
    return this.pods().filter((p) => p.spec.nodeName === node);
  }

  /** A fresh pod IP inside the node's pod CIDR (10.244.N.x). */
  allocatePodIp(nodeName: string): string {
    const cidr = this.node(nodeName)?.spec.podCIDR ?? '10.244.0.0/24';
    const base = cidr.split('/')[0]?.split('.').slice(0, 3).join('.') ?? '10.244.0';
    const next = this.nextIp.get(base) ?? 10;
    this.nextIp.set(base, next >= 250 ? 10 : next + 1);
    return `${base}.${next}`;
  }
}

/** The name of the object's controller of the given kind, if any. */
export function controllerOf(object: KubeObject, kind: string): string | undefined {
  return object.metadata.ownerReferences?.find((o) => o.controller && o.kind === kind)?.name;
}

/** Whether `object` is controlled by the object with `uid`. */
export function isControlledBy(object: KubeObject, uid: string | undefined): boolean {
  return uid !== undefined && (object.metadata.ownerReferences?.some((o) => o.controller && o.uid === uid) ?? false);
}
