/**
 * What kube-state-metrics would export for the lab's cluster. Rules: one sample per
 * condition status (`true`/`false`/`unknown`, 1 for the current one) as kube-state-metrics
 * does; pods are listed whether terminating or not; objects are read, never changed.
 */
import type { ObjectStore } from '../../kubernetes/store.js';
import type { Deployment, Node, Pod } from '../../kubernetes/types.js';
import type { LabFamily, LabSample } from '../../samples.js';

const STATUSES = ['true', 'false', 'unknown'] as const;
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

function conditionSamples(name: string, labels: Record<string, string>, status: string): LabSample[] {
  const current = status.toLowerCase();
  return STATUSES.map((s) => ({ name, labels: { ...labels, status: s }, value: s === current ? 1 : 0 }));
}

function family(name: string, type: LabFamily['type'], help: string, samples: LabSample[]): LabFamily {
  return { name, type, help, samples };
}

/** kube-state-metrics' node, pod and deployment families. */
export function kubernetesFamilies(store: ObjectStore): LabFamily[] {
  const nodes = store.list('nodes') as Node[];
  const pods = store.list('pods') as Pod[];
  const deployments = store.list('deployments.apps') as Deployment[];
  const podLabels = (p: Pod): Record<string, string> => ({ namespace: p.metadata.namespace ?? '', pod: p.metadata.name, uid: p.metadata.uid ?? '' });
  const deploymentLabels = (d: Deployment): Record<string, string> => ({ namespace: d.metadata.namespace ?? '', deployment: d.metadata.name });
  return [
    family('kube_node_status_condition', 'gauge', 'The condition of a cluster node.',
      nodes.flatMap((n) => n.status.conditions.flatMap((c) => conditionSamples('kube_node_status_condition', { node: n.metadata.name, condition: c.type }, c.status)))),
    family('kube_node_spec_unschedulable', 'gauge', 'Whether a node can schedule new pods.',
      nodes.map((n) => ({ name: 'kube_node_spec_unschedulable', labels: { node: n.metadata.name }, value: n.spec.unschedulable ? 1 : 0 }))),
    family('kube_pod_status_ready', 'gauge', 'Describes whether the pod is ready to serve requests.',
      pods.flatMap((p) => {
        const ready = p.status.conditions?.find((c) => c.type === 'Ready');
        return ready ? STATUSES.map((s) => ({ name: 'kube_pod_status_ready', labels: { ...podLabels(p), condition: s }, value: s === ready.status.toLowerCase() ? 1 : 0 })) : [];
      })),
    family('kube_pod_status_phase', 'gauge', 'The pods current phase.',
      pods.flatMap((p) => PHASES.map((phase) => ({ name: 'kube_pod_status_phase', labels: { ...podLabels(p), phase }, value: p.status.phase === phase ? 1 : 0 })))),
    family('kube_pod_container_status_restarts_total', 'counter', 'The number of container restarts per container.',
      pods.flatMap((p) => (p.status.containerStatuses ?? []).map((c) => ({
        name: 'kube_pod_container_status_restarts_total', labels: { ...podLabels(p), container: c.name }, value: c.restartCount,
      })))),
    family('kube_deployment_spec_replicas', 'gauge', 'Number of desired pods for a deployment.',
      deployments.map((d) => ({ name: 'kube_deployment_spec_replicas', labels: deploymentLabels(d), value: d.spec.replicas ?? 1 }))),
    family('kube_deployment_status_replicas', 'gauge', 'The number of replicas per deployment.',
      deployments.map((d) => ({ name: 'kube_deployment_status_replicas', labels: deploymentLabels(d), value: d.status.replicas ?? 0 }))),
    family('kube_deployment_status_replicas_available', 'gauge', 'The number of available replicas per deployment.',
      deployments.map((d) => ({ name: 'kube_deployment_status_replicas_available', labels: deploymentLabels(d), value: d.status.availableReplicas ?? 0 }))),
  ];
}
