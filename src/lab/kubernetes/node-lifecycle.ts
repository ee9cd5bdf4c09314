/**
 * The node lifecycle controller: what happens when a node stops being Ready. Rules: the
 * node gets the not-ready (False) or unreachable (Unknown) NoExecute/NoSchedule taints and
 * its pods' Ready condition turns False at once; each pod is evicted (deleted gracefully)
 * after its toleration for that taint runs out (300 s by default); a node that becomes Ready
 * again loses the taints and its pending evictions, and its kubelet takes over again.
 */
import { rfc3339, type TimerHandle } from '../clock.js';
import { deletePod, isPodActive, setPodCondition } from './pods.js';
import { tolerates } from './scheduler.js';
import type { Cluster } from './cluster.js';
import type { ConditionStatus, Node, NodeCondition, Pod, Taint } from './types.js';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

function readyCondition(status: ConditionStatus, now: string, previous: NodeCondition | undefined): NodeCondition {
  const texts: Record<ConditionStatus, [string, string]> = {
    True: ['KubeletReady', 'kubelet is posting ready status'],
    False: ['KubeletNotReady', 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized'],
    Unknown: ['NodeStatusUnknown', 'Kubelet stopped posting node status.'],
  };
  const [reason, message] = texts[status];
  const transition = previous && previous.status === status ? previous.lastTransitionTime : now;
  return { type: 'Ready', status, lastHeartbeatTime: status === 'Unknown' ? (previous?.lastHeartbeatTime ?? now) : now, lastTransitionTime: transition, reason, message };
}

/** Drives node readiness and the evictions that follow. */
export class NodeLifecycle {
  private readonly evictions = new Map<string, TimerHandle[]>();

  constructor(private readonly cluster: Cluster) {}

  /** Sets a node's Ready condition ('True' | 'False' | 'Unknown'); returns false when the node does not exist. */
  setNodeReady(name: string, status: ConditionStatus): boolean {
    const now = this.cluster.clock.now();
    const stamp = rfc3339(now);
    const node = this.cluster.store.mutate<Node>('nodes', undefined, name, (draft) => {
      const conditions = draft.status.conditions;
      const index = conditions.findIndex((c) => c.type === 'Ready');
      const next = readyCondition(status, stamp, conditions[index]);
      if (index >= 0) conditions.splice(index, 1, next);
      else conditions.push(next);
      const taints = (draft.spec.taints ?? []).filter((t) => t.key !== NOT_READY && t.key !== UNREACHABLE);
      if (status !== 'True') {
        const key = status === 'False' ? NOT_READY : UNREACHABLE;
        taints.push({ key, effect: 'NoSchedule', timeAdded: stamp }, { key, effect: 'NoExecute', timeAdded: stamp });
      }
      if (taints.length > 0) draft.spec.taints = taints;
      else delete draft.spec.taints;
    });
    if (!node) return false;
    this.cancelEvictions(name);
    if (status !== 'True') this.markPodsNotReady(node, now);
    return true;
  }

  /** Cancels every pending eviction. Idempotent. */
  stop(): void {
    for (const name of [...this.evictions.keys()]) this.cancelEvictions(name);
  }

  private markPodsNotReady(node: Node, now: number): void {
    const noExecute = (node.spec.taints ?? []).find((t) => t.effect === 'NoExecute' && (t.key === NOT_READY || t.key === UNREACHABLE));
    const timers: TimerHandle[] = [];
    for (const pod of this.cluster.podsOnNode(node.metadata.name).filter(isPodActive)) {
      this.cluster.store.mutate<Pod>('pods', pod.metadata.namespace, pod.metadata.name, (draft) => {
        setPodCondition(draft, 'Ready', 'False', now);
        for (const s of draft.status.containerStatuses ?? []) s.ready = false;
      });
      if (noExecute) timers.push(this.scheduleEviction(pod, noExecute));
    }
    this.evictions.set(node.metadata.name, timers);
  }

  private scheduleEviction(pod: Pod, taint: Taint): TimerHandle {
    const toleration = (pod.spec.tolerations ?? []).find((t) => tolerates(t, taint));
    const seconds = toleration ? (toleration.tolerationSeconds ?? Number.POSITIVE_INFINITY) : 0;
    const { namespace, name, uid } = pod.metadata;
    if (!Number.isFinite(seconds)) return { id: -1 };
    return this.cluster.clock.setTimeout(() => {
      const current = this.cluster.store.get('pods', namespace, name) as Pod | undefined;
      if (!current || current.metadata.uid !== uid || this.cluster.isNodeReady(current.spec.nodeName ?? '')) return;
      deletePod(this.cluster.store, this.cluster.clock.now(), namespace ?? '', name);
    }, seconds * 1000);
  }

  private cancelEvictions(node: string): void {
    for (const timer of this.evictions.get(node) ?? []) this.cluster.clock.clearTimeout(timer);
    this.evictions.delete(node);
  }
}
