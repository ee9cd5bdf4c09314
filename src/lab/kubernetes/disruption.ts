/**
 * PodDisruptionBudgets: the disruption controller and the eviction check. Rules: healthy
 * pods are the budget's selected pods that are Ready and not terminating; an eviction of a
 * healthy pod is refused (429) when it would leave fewer healthy pods than the budget wants;
 * an unhealthy pod may be evicted while the budget is met; status is recomputed on every
 * change of a pod or budget in the namespace.
 */
import { rfc3339 } from '../clock.js';
import { isPodActive, isPodServing } from './pods.js';
import { matchesLabels, requirementsOf } from './selectors.js';
import { failure, KubeError } from './status.js';
import type { Cluster } from './cluster.js';
import type { StoreEvent } from './store.js';
import type { KubeObject, LabelSelector, Pod, ReplicaSet } from './types.js';

interface BudgetSpec {
  selector?: LabelSelector;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

/** The numbers of one budget. */
export interface BudgetState {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  return percent ? Math.ceil((Number(percent[1]) * total) / 100) : Number(value) || 0;
}

function selected(cluster: Cluster, budget: KubeObject): Pod[] {
  const spec = (budget['spec'] ?? {}) as BudgetSpec;
  if (!spec.selector) return [];
  const requirements = requirementsOf(spec.selector);
  return (cluster.store.list('pods', budget.metadata.namespace) as Pod[]).filter((p) => matchesLabels(requirements, p.metadata.labels));
}

/** Pods the budget expects: the replicas of each controller of selected pods, plus active bare pods. */
function expectedCount(cluster: Cluster, pods: Pod[]): number {
  const controllers = new Map<string, number>();
  let bare = 0;
  for (const pod of pods) {
    const owner = pod.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'ReplicaSet');
    const rs = owner ? (cluster.store.get('replicasets.apps', pod.metadata.namespace, owner.name) as ReplicaSet | undefined) : undefined;
    if (rs) controllers.set(rs.metadata.uid ?? rs.metadata.name, rs.spec.replicas ?? 1);
    else if (isPodActive(pod)) bare++;
  }
  return bare + [...controllers.values()].reduce((a, b) => a + b, 0);
}

/** Computes a budget's numbers from the pods it selects and their controllers' scale. */
export function budgetState(cluster: Cluster, budget: KubeObject): BudgetState {
  const spec = (budget['spec'] ?? {}) as BudgetSpec;
  const pods = selected(cluster, budget);
  const expectedPods = expectedCount(cluster, pods);
  const currentHealthy = pods.filter(isPodServing).length;
  const desiredHealthy =
    spec.minAvailable !== undefined ? scaled(spec.minAvailable, expectedPods) : spec.maxUnavailable !== undefined ? Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods)) : 0;
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

/** Throws the API server's 429 (or 500) when evicting the pod would break its budget. */
export function checkEviction(cluster: Cluster, pod: Pod): void {
  const budgets = cluster.store
    .list('poddisruptionbudgets.policy', pod.metadata.namespace)
    .filter((b) => {
      const selector = ((b['spec'] ?? {}) as BudgetSpec).selector;
      return selector !== undefined && matchesLabels(requirementsOf(selector), pod.metadata.labels);
    });
  if (budgets.length === 0) return;
  if (budgets.length > 1) throw new KubeError(failure(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
  const budget = budgets[0] as KubeObject;
  const state = budgetState(cluster, budget);
  if (!isPodServing(pod) && state.currentHealthy >= state.desiredHealthy) return;
  if (state.disruptionsAllowed > 0) return;
  const cause = `The disruption budget ${budget.metadata.name} needs ${state.desiredHealthy} healthy pods and has ${state.currentHealthy} currently`;
  throw new KubeError({
    ...failure(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget."),
    details: { causes: [{ reason: 'DisruptionBudget', message: cause, field: '' }] },
  });
}

/** Keeps every budget's status current. */
export class DisruptionController {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly cluster: Cluster) {}

  /** Starts reacting and refreshes every budget once. */
  start(): void {
    this.unsubscribe = this.cluster.store.subscribe((e) => this.onEvent(e));
    for (const b of this.cluster.store.list('poddisruptionbudgets.policy')) this.refresh(b);
  }

  /** Stops reacting. Idempotent. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private onEvent(event: StoreEvent): void {
    if (event.type === 'DELETED' && event.key === 'poddisruptionbudgets.policy') return;
    if (event.key !== 'pods' && event.key !== 'poddisruptionbudgets.policy') return;
    for (const b of this.cluster.store.list('poddisruptionbudgets.policy', event.object.metadata.namespace)) this.refresh(b);
  }

  private refresh(budget: KubeObject): void {
    const state = budgetState(this.cluster, budget);
    const now = rfc3339(this.cluster.clock.now());
    this.cluster.store.mutate('poddisruptionbudgets.policy', budget.metadata.namespace, budget.metadata.name, (draft) => {
      const before = (draft['status'] as { conditions?: { status: string; lastTransitionTime: string }[] } | undefined)?.conditions?.[0];
      const allowed = state.disruptionsAllowed > 0 ? 'True' : 'False';
      draft['status'] = {
        observedGeneration: draft.metadata.generation ?? 1,
        ...state,
        conditions: [{
          type: 'DisruptionAllowed', status: allowed, reason: allowed === 'True' ? 'SufficientPods' : 'InsufficientPods', message: '',
          lastTransitionTime: before?.status === allowed ? before.lastTransitionTime : now, observedGeneration: draft.metadata.generation ?? 1,
        }],
      };
    });
  }
}
