/**
 * The ReplicaSet controller. Rules: a ReplicaSet keeps exactly `spec.replicas` active pods
 * (terminating and finished pods do not count); missing pods are created after a short
 * delay (the controller's reaction time), surplus pods are deleted gracefully, unscheduled
 * and not-ready ones first, then the newest; its status always reflects its pods.
 */
import { type TimerHandle } from '../clock.js';
import { isControlledBy, type Cluster } from './cluster.js';
import { randomSuffix } from './names.js';
import { applyPodDefaults, deletePod, isPodActive, isPodReady } from './pods.js';
import type { StoreEvent } from './store.js';
import type { Pod, ReplicaSet } from './types.js';

/** Simulated ms between noticing a missing pod and creating its replacement. */
export const REPLACEMENT_DELAY_MS = 1000;

/** A new pod for a ReplicaSet, from its template. */
export function podFromTemplate(rs: ReplicaSet, name = `${rs.metadata.name}-${randomSuffix()}`): Pod {
  const template = structuredClone(rs.spec.template);
  return applyPodDefaults({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace ?? 'default',
      labels: template.metadata.labels ?? {},
      ...(template.metadata.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: template.spec,
    status: { phase: 'Pending' },
  });
}

/** Runs the ReplicaSet controller. */
export class ReplicaSetController {
  private readonly creations = new Map<string, TimerHandle>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly cluster: Cluster) {}

  /** Starts reacting to pod and ReplicaSet changes, and reconciles every ReplicaSet once. */
  start(): void {
    this.unsubscribe = this.cluster.store.subscribe((e) => this.onEvent(e));
    for (const rs of this.cluster.store.list('replicasets.apps')) this.reconcile(rs.metadata.namespace ?? '', rs.metadata.name);
  }

  /** Stops reacting and cancels pending creations. Idempotent. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const timer of this.creations.values()) this.cluster.clock.clearTimeout(timer);
    this.creations.clear();
  }

  private onEvent(event: StoreEvent): void {
    const namespace = event.object.metadata.namespace ?? '';
    if (event.key === 'replicasets.apps') {
      if (event.type !== 'DELETED') this.reconcile(namespace, event.object.metadata.name);
      return;
    }
    if (event.key !== 'pods') return;
    for (const owner of event.object.metadata.ownerReferences ?? []) {
      if (owner.controller && owner.kind === 'ReplicaSet') this.reconcile(namespace, owner.name);
    }
  }

  private ownedPods(rs: ReplicaSet): Pod[] {
    return (this.cluster.store.list('pods', rs.metadata.namespace) as Pod[]).filter((p) => isControlledBy(p, rs.metadata.uid));
  }

  private reconcile(namespace: string, name: string): void {
    const rs = this.cluster.store.get('replicasets.apps', namespace, name) as ReplicaSet | undefined;
    if (!rs || rs.metadata.deletionTimestamp) return;
    const active = this.ownedPods(rs).filter(isPodActive);
    const desired = rs.spec.replicas ?? 1;
    if (active.length < desired) this.scheduleCreation(rs);
    if (active.length > desired) {
      const rank = (p: Pod): number => (!p.spec.nodeName ? 0 : !isPodReady(p) ? 1 : 2);
      const victims = [...active].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
      for (const victim of victims.slice(0, active.length - desired)) {
        deletePod(this.cluster.store, this.cluster.clock.now(), namespace, victim.metadata.name);
      }
    }
    this.updateStatus(namespace, name);
  }

  private scheduleCreation(rs: ReplicaSet): void {
    const uid = rs.metadata.uid ?? '';
    if (this.creations.has(uid)) return;
    const { namespace, name } = rs.metadata;
    this.creations.set(
      uid,
      this.cluster.clock.setTimeout(() => {
        this.creations.delete(uid);
        const current = this.cluster.store.get('replicasets.apps', namespace, name) as ReplicaSet | undefined;
        if (!current || current.metadata.uid !== uid || current.metadata.deletionTimestamp) return;
        const missing = (current.spec.replicas ?? 1) - this.ownedPods(current).filter(isPodActive).length;
        for (let i = 0; i < missing; i++) this.createPod(current);
      }, REPLACEMENT_DELAY_MS),
    );
  }

  private createPod(rs: ReplicaSet): void {
    for (let attempt = 0; attempt < 5; attempt++) {
      const pod = podFromTemplate(rs);
      if (this.cluster.store.get('pods', pod.metadata.namespace, pod.metadata.name)) continue;
      this.cluster.store.create('pods', pod);
      return;
    }
  }

  private updateStatus(namespace: string, name: string): void {
    const rs = this.cluster.store.get('replicasets.apps', namespace, name) as ReplicaSet | undefined;
    if (!rs) return;
    const active = this.ownedPods(rs).filter(isPodActive);
    const ready = active.filter(isPodReady).length;
    this.cluster.store.mutate<ReplicaSet>('replicasets.apps', namespace, name, (draft) => {
      draft.status = {
        replicas: active.length,
        ...(active.length > 0 ? { fullyLabeledReplicas: active.length } : {}),
        ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
        observedGeneration: draft.metadata.generation ?? 1,
      };
    });
  }
}
