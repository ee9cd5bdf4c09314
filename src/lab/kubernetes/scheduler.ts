/**
 * The scheduler: binds a pending pod to a node. Rules: only Ready, schedulable nodes whose
 * taints the pod tolerates and whose labels match its nodeSelector are candidates; the one
 * with the fewest pods wins (ties by name), which spreads replicas over workers; pods that
 * name a `…user-scheduler` scheduler wait until a user-scheduler pod serves in their namespace.
 */
import { isPodActive, isPodServing } from './pods.js';
import type { Cluster } from './cluster.js';
import type { Node, Pod, Taint, Toleration } from './types.js';

/** Where a pod goes, or why it cannot go anywhere (the PodScheduled=False message). */
export type Placement = { node: string } | { unschedulable: string } | { noScheduler: true };

/** Whether a toleration tolerates a taint (core/v1 semantics). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (!toleration.key) return toleration.operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  return toleration.operator === 'Exists' || (toleration.value ?? '') === (taint.value ?? '');
}

function untolerated(node: Node, pod: Pod): Taint | undefined {
  return node.spec.taints?.find(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !(pod.spec.tolerations ?? []).some((tol) => tolerates(tol, t)),
  );
}

function schedulerAvailable(cluster: Cluster, pod: Pod): boolean | undefined {
  const name = pod.spec.schedulerName ?? 'default-scheduler';
  if (name === 'default-scheduler') return true;
  if (!name.endsWith('user-scheduler')) return undefined;
  return cluster
    .pods()
    .some((p) => p.metadata.namespace === pod.metadata.namespace && p.metadata.labels?.['component'] === 'user-scheduler' && isPodServing(p));
}

/** Chooses a node for the pod. */
export function placePod(cluster: Cluster, pod: Pod): Placement {
  if (!schedulerAvailable(cluster, pod)) return { noScheduler: true };
  const nodes = cluster.store.list('nodes') as Node[];
  const reasons = new Map<string, number>();
  const note = (reason: string): void => {
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };
  const candidates: Node[] = [];
  for (const node of nodes) {
    const taint = untolerated(node, pod);
    if (taint) note(`had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    else if (node.spec.unschedulable) note('were unschedulable');
    else if (!cluster.isNodeReady(node.metadata.name)) note('were not ready');
    else if (!Object.entries(pod.spec.nodeSelector ?? {}).every(([k, v]) => node.metadata.labels?.[k] === v)) note("didn't match Pod's node affinity/selector");
    else candidates.push(node);
  }
  if (candidates.length === 0) {
    const parts = [...reasons].map(([reason, count]) => `${count} node(s) ${reason}`).sort();
    return { unschedulable: `0/${nodes.length} nodes are available: ${parts.join(', ')}.` };
  }
  const load = (node: Node): number => cluster.podsOnNode(node.metadata.name).filter(isPodActive).length;
  const best = candidates.sort((a, b) => load(a) - load(b) || (a.metadata.name < b.metadata.name ? -1 : 1))[0] as Node;
  return { node: best.metadata.name };
}
