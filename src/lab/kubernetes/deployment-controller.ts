/**
 * The Deployment controller. Rules: a Deployment owns one ReplicaSet per pod template (named
 * `<deployment>-<pod-template-hash>`); the one matching the current template is scaled to
 * `spec.replicas`, older ones shrink only as the new one's pods become available (a rolling
 * update); a paused Deployment is not scaled; its status sums its ReplicaSets.
 */
import { rfc3339 } from '../clock.js';
import { isControlledBy, type Cluster } from './cluster.js';
import { templateHash } from './names.js';
import type { StoreEvent } from './store.js';
import type { Deployment, ReplicaSet, WorkloadCondition } from './types.js';

const REVISION = 'deployment.kubernetes.io/revision';

/** The ReplicaSet a Deployment wants for its current template (not stored). */
export function replicaSetFor(deployment: Deployment, revision: number, hash = templateHash(deployment.spec.template)): ReplicaSet {
  const template = structuredClone(deployment.spec.template);
  template.metadata.labels = { ...template.metadata.labels, 'pod-template-hash': hash };
  const replicas = deployment.spec.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      namespace: deployment.metadata.namespace ?? 'default',
      labels: template.metadata.labels,
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)), [REVISION]: String(revision) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: deployment.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas,
      selector: { ...deployment.spec.selector, matchLabels: { ...deployment.spec.selector.matchLabels, 'pod-template-hash': hash } },
      template,
    },
    status: { replicas: 0 },
  };
}

function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? '0') || 0;
}

/** Runs the Deployment controller. */
export class DeploymentController {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly cluster: Cluster) {}

  /** Starts reacting to Deployment and ReplicaSet changes, and reconciles every Deployment once. */
  start(): void {
    this.unsubscribe = this.cluster.store.subscribe((e) => this.onEvent(e));
    for (const d of this.cluster.store.list('deployments.apps')) this.reconcile(d.metadata.namespace ?? '', d.metadata.name);
  }

  /** Stops reacting. Idempotent. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private onEvent(event: StoreEvent): void {
    const namespace = event.object.metadata.namespace ?? '';
    if (event.key === 'deployments.apps' && event.type !== 'DELETED') this.reconcile(namespace, event.object.metadata.name);
    if (event.key !== 'replicasets.apps') return;
    for (const owner of event.object.metadata.ownerReferences ?? []) {
      if (owner.controller && owner.kind === 'Deployment') this.reconcile(namespace, owner.name);
    }
  }

  private owned(deployment: Deployment): ReplicaSet[] {
    return (this.cluster.store.list('replicasets.apps', deployment.metadata.namespace) as ReplicaSet[]).filter((rs) => isControlledBy(rs, deployment.metadata.uid));
  }

  private ensureNewReplicaSet(deployment: Deployment, owned: ReplicaSet[]): ReplicaSet {
    const hash = templateHash(deployment.spec.template);
    const existing = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    if (existing) return existing;
    const revision = Math.max(0, ...owned.map(revisionOf)) + 1;
    let wanted = replicaSetFor(deployment, revision, hash);
    for (let collision = 1; this.cluster.store.get('replicasets.apps', wanted.metadata.namespace, wanted.metadata.name); collision++) {
      wanted = replicaSetFor(deployment, revision, templateHash(deployment.spec.template, collision));
    }
    return this.cluster.store.create('replicasets.apps', wanted);
  }

  private reconcile(namespace: string, name: string): void {
    const deployment = this.cluster.store.get('deployments.apps', namespace, name) as Deployment | undefined;
    if (!deployment || deployment.metadata.deletionTimestamp) return;
    const desired = deployment.spec.replicas ?? 1;
    const newRs = this.ensureNewReplicaSet(deployment, this.owned(deployment));
    if (!deployment.spec.paused) {
      this.scale(newRs, desired);
      let remaining = Math.max(0, desired - (newRs.status.availableReplicas ?? 0));
      const olds = this.owned(deployment).filter((rs) => rs.metadata.uid !== newRs.metadata.uid).sort((a, b) => revisionOf(b) - revisionOf(a));
      for (const old of olds) {
        const keep = Math.min(old.spec.replicas ?? 0, remaining);
        remaining -= keep;
        this.scale(old, keep);
      }
    }
    this.updateStatus(namespace, name, newRs.metadata.name);
  }

  private scale(rs: ReplicaSet, replicas: number): void {
    if ((rs.spec.replicas ?? 1) === replicas) return;
    this.cluster.store.mutate<ReplicaSet>('replicasets.apps', rs.metadata.namespace, rs.metadata.name, (draft) => {
      draft.spec.replicas = replicas;
      draft.metadata.annotations = { ...draft.metadata.annotations, 'deployment.kubernetes.io/desired-replicas': String(replicas) };
    });
  }

  private updateStatus(namespace: string, name: string, newRsName: string): void {
    const now = rfc3339(this.cluster.clock.now());
    this.cluster.store.mutate<Deployment>('deployments.apps', namespace, name, (draft) => {
      const all = this.owned(draft);
      const newRs = all.find((rs) => rs.metadata.name === newRsName);
      const sum = (pick: (rs: ReplicaSet) => number | undefined): number => all.reduce((n, rs) => n + (pick(rs) ?? 0), 0);
      const desired = draft.spec.replicas ?? 1;
      const available = sum((rs) => rs.status.availableReplicas);
      const ready = sum((rs) => rs.status.readyReplicas);
      const replicas = sum((rs) => rs.status.replicas);
      const updated = newRs?.status.replicas ?? 0;
      const maxUnavailable = Math.floor(desired / 4);
      const isAvailable = available >= desired - maxUnavailable;
      const progressed = updated === desired && (newRs?.status.availableReplicas ?? 0) === desired;
      const previous = draft.status.conditions ?? [];
      const condition = (type: string, ok: boolean, reason: string, message: string): WorkloadCondition => {
        const before = previous.find((c) => c.type === type);
        const status = ok ? 'True' : 'False';
        const same = before?.status === status && before.reason === reason;
        return { type, status, lastUpdateTime: same ? (before.lastUpdateTime ?? now) : now, lastTransitionTime: before?.status === status ? before.lastTransitionTime : now, reason, message };
      };
      draft.metadata.annotations = { ...draft.metadata.annotations, [REVISION]: newRs?.metadata.annotations?.[REVISION] ?? '1' };
      draft.status = {
        observedGeneration: draft.metadata.generation ?? 1,
        ...(replicas ? { replicas } : {}),
        ...(updated ? { updatedReplicas: updated } : {}),
        ...(ready ? { readyReplicas: ready } : {}),
        ...(available ? { availableReplicas: available } : {}),
        ...(desired - available > 0 ? { unavailableReplicas: desired - available } : {}),
        conditions: [
          condition('Available', isAvailable, isAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', isAvailable ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
          condition('Progressing', true, progressed ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', progressed ? `ReplicaSet "${newRsName}" has successfully progressed.` : `ReplicaSet "${newRsName}" is progressing.`),
        ],
      };
    });
  }
}
