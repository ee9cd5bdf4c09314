/**
 * Server-side printing (`meta.k8s.io/v1` Table), as kubectl asks for with
 * `Accept: application/json;as=Table;…`. Rule: the same columns and cell texts as the API
 * server's printers for the kinds the lab seeds; other kinds get the default Name/Created At.
 */
import { formatLabelSelector } from './selectors.js';
import type { Deployment, KubeObject, Node, Pod, ReplicaSet } from './types.js';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  priority?: number;
}

type Row = (string | number)[];

/** `kubectl`'s short age: 45s, 3m20s, 12m, 5h3m, 3d4h, 40d, 2y30d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

function age(object: KubeObject, now: number): string {
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? '<unknown>' : humanDuration(now - created);
}

/** The STATUS text kubectl shows for a pod. */
export function podStatusText(pod: Pod, nodeReady: (node: string) => boolean): string {
  let reason: string = pod.status.reason ?? pod.status.phase;
  for (const s of pod.status.containerStatuses ?? []) {
    if (s.state.waiting?.reason && s.state.waiting.reason !== '') reason = s.state.waiting.reason;
    else if (s.state.terminated) reason = s.state.terminated.reason || `ExitCode:${s.state.terminated.exitCode}`;
  }
  if (pod.metadata.deletionTimestamp) return pod.spec.nodeName && !nodeReady(pod.spec.nodeName) ? 'Unknown' : 'Terminating';
  return reason;
}

function podRow(pod: Pod, now: number, nodeReady: (node: string) => boolean): Row {
  const statuses = pod.status.containerStatuses ?? [];
  const ready = statuses.filter((s) => s.ready).length;
  const restarts = statuses.reduce((n, s) => n + s.restartCount, 0);
  const lastFinished = statuses.map((s) => Date.parse(s.lastState.terminated?.finishedAt ?? '')).filter((t) => !Number.isNaN(t));
  const restartText = restarts > 0 && lastFinished.length > 0 ? `${restarts} (${humanDuration(now - Math.max(...lastFinished))} ago)` : String(restarts);
  return [pod.metadata.name, `${ready}/${pod.spec.containers.length}`, podStatusText(pod, nodeReady), restartText, age(pod, now), pod.status.podIP ?? '<none>', pod.spec.nodeName ?? '<none>', '<none>', '<none>'];
}

function nodeRow(node: Node, now: number): Row {
  const ready = node.status.conditions.find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown', ...(node.spec.unschedulable ? ['SchedulingDisabled'] : [])].join(',');
  const roles = Object.keys(node.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length));
  const address = (type: string): string => node.status.addresses.find((a) => a.type === type)?.address ?? '<none>';
  const info = node.status.nodeInfo;
  return [node.metadata.name, status, roles.length ? roles.sort().join(',') : '<none>', age(node, now), info['kubeletVersion'] ?? '', address('InternalIP'), address('ExternalIP'), info['osImage'] ?? '', info['kernelVersion'] ?? '', info['containerRuntimeVersion'] ?? ''];
}

function workloadWide(template: Pod['spec'], selector: Deployment['spec']['selector']): Row {
  return [template.containers.map((c) => c.name).join(','), template.containers.map((c) => c.image).join(','), formatLabelSelector(selector)];
}

const PRINTERS: Record<string, { columns: Column[]; row: (o: KubeObject, now: number, nodeReady: (node: string) => boolean) => Row }> = {
  Pod: {
    columns: [
      { name: 'Name', type: 'string', format: 'name' }, { name: 'Ready', type: 'string' }, { name: 'Status', type: 'string' }, { name: 'Restarts', type: 'string' },
      { name: 'Age', type: 'string' }, { name: 'IP', type: 'string', priority: 1 }, { name: 'Node', type: 'string', priority: 1 },
      { name: 'Nominated Node', type: 'string', priority: 1 }, { name: 'Readiness Gates', type: 'string', priority: 1 },
    ],
    row: (o, now, nodeReady) => podRow(o as Pod, now, nodeReady),
  },
  Node: {
    columns: [
      { name: 'Name', type: 'string', format: 'name' }, { name: 'Status', type: 'string' }, { name: 'Roles', type: 'string' }, { name: 'Age', type: 'string' },
      { name: 'Version', type: 'string' }, { name: 'Internal-IP', type: 'string', priority: 1 }, { name: 'External-IP', type: 'string', priority: 1 },
      { name: 'OS-Image', type: 'string', priority: 1 }, { name: 'Kernel-Version', type: 'string', priority: 1 }, { name: 'Container-Runtime', type: 'string', priority: 1 },
    ],
    row: (o, now) => nodeRow(o as Node, now),
  },
  Deployment: {
    columns: [
      { name: 'Name', type: 'string', format: 'name' }, { name: 'Ready', type: 'string' }, { name: 'Up-to-date', type: 'integer' }, { name: 'Available', type: 'integer' },
      { name: 'Age', type: 'string' }, { name: 'Containers', type: 'string', priority: 1 }, { name: 'Images', type: 'string', priority: 1 }, { name: 'Selector', type: 'string', priority: 1 },
    ],
    row: (o, now) => {
      const d = o as Deployment;
      return [d.metadata.name, `${d.status.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`, d.status.updatedReplicas ?? 0, d.status.availableReplicas ?? 0, age(d, now), ...workloadWide(d.spec.template.spec, d.spec.selector)];
    },
  },
  ReplicaSet: {
    columns: [
      { name: 'Name', type: 'string', format: 'name' }, { name: 'Desired', type: 'integer' }, { name: 'Current', type: 'integer' }, { name: 'Ready', type: 'integer' },
      { name: 'Age', type: 'string' }, { name: 'Containers', type: 'string', priority: 1 }, { name: 'Images', type: 'string', priority: 1 }, { name: 'Selector', type: 'string', priority: 1 },
    ],
    row: (o, now) => {
      const rs = o as ReplicaSet;
      return [rs.metadata.name, rs.spec.replicas ?? 1, rs.status.replicas, rs.status.readyReplicas ?? 0, age(rs, now), ...workloadWide(rs.spec.template.spec, rs.spec.selector)];
    },
  },
  Service: {
    columns: [
      { name: 'Name', type: 'string', format: 'name' }, { name: 'Type', type: 'string' }, { name: 'Cluster-IP', type: 'string' }, { name: 'External-IP', type: 'string' },
      { name: 'Port(s)', type: 'string' }, { name: 'Age', type: 'string' }, { name: 'Selector', type: 'string', priority: 1 },
    ],
    row: (o, now) => {
      const spec = (o['spec'] ?? {}) as { type?: string; clusterIP?: string; ports?: { port: number; protocol?: string }[]; selector?: Record<string, string> };
      const ingress = ((o['status'] as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
      const external = ingress.length ? ingress.join(',') : spec.type === 'LoadBalancer' ? '<pending>' : '<none>';
      const ports = (spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>';
      const selector = Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
      return [o.metadata.name, spec.type ?? 'ClusterIP', spec.clusterIP ?? '<none>', external, ports, age(o, now), selector];
    },
  },
  PodDisruptionBudget: {
    columns: [
      { name: 'Name', type: 'string', format: 'name' }, { name: 'Min Available', type: 'string' }, { name: 'Max Unavailable', type: 'string' },
      { name: 'Allowed Disruptions', type: 'integer' }, { name: 'Age', type: 'string' },
    ],
    row: (o, now) => {
      const spec = (o['spec'] ?? {}) as { minAvailable?: number | string; maxUnavailable?: number | string };
      const allowed = (o['status'] as { disruptionsAllowed?: number } | undefined)?.disruptionsAllowed ?? 0;
      return [o.metadata.name, String(spec.minAvailable ?? 'N/A'), String(spec.maxUnavailable ?? 'N/A'), allowed, age(o, now)];
    },
  },
  Lease: {
    columns: [{ name: 'Name', type: 'string', format: 'name' }, { name: 'Holder', type: 'string' }, { name: 'Age', type: 'string' }],
    row: (o, now) => [o.metadata.name, (o['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity ?? '<none>', age(o, now)],
  },
  Namespace: {
    columns: [{ name: 'Name', type: 'string', format: 'name' }, { name: 'Status', type: 'string' }, { name: 'Age', type: 'string' }],
    row: (o, now) => [o.metadata.name, String((o['status'] as { phase?: string } | undefined)?.phase ?? 'Active'), age(o, now)],
  },
};

const DEFAULT_PRINTER = {
  columns: [{ name: 'Name', type: 'string', format: 'name' }, { name: 'Created At', type: 'date' }] as Column[],
  row: (o: KubeObject): Row => [o.metadata.name, o.metadata.creationTimestamp ?? ''],
};

/** Whether the Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => /;\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

/** Renders objects of one kind as a Table; `includeObject` is None, Metadata (default) or Object. */
export function toTable(kind: string, objects: KubeObject[], resourceVersion: string, now: number, nodeReady: (node: string) => boolean, includeObject = 'Metadata'): unknown {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER;
  const descriptions = printer.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: `${c.name} of the ${kind}`, priority: c.priority ?? 0 }));
  const rows = objects.map((o) => ({
    cells: printer.row(o, now, nodeReady),
    ...(includeObject === 'None'
      ? {}
      : { object: includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
  }));
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion }, columnDefinitions: descriptions, rows };
}
