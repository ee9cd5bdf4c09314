/**
 * The resources the lab's Kubernetes API serves. Rule: discovery, routing and storage all
 * read this one table, so a resource is either fully served or absent — never advertised
 * and then answered with 404.
 */

/** A subresource the lab serves. */
export type Subresource = 'status' | 'scale' | 'eviction';

/** One served resource type. */
export interface ResourceDef {
  /** Store key: `pods`, `deployments.apps`, … (kubectl's resource.group notation). */
  key: string;
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
  /** Field selector paths accepted besides metadata.name and metadata.namespace. */
  fields: string[];
  /** Whether spec changes bump metadata.generation. */
  generation: boolean;
  /** Whether a PUT may omit metadata.resourceVersion (the registry's AllowUnconditionalUpdate; false for leases). */
  unconditionalUpdate: boolean;
}

/** The verbs every stored resource supports. */
export const RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function def(spec: Omit<ResourceDef, 'key' | 'shortNames' | 'categories' | 'subresources' | 'fields' | 'generation' | 'unconditionalUpdate'> & Partial<ResourceDef>): ResourceDef {
  return {
    key: spec.group ? `${spec.plural}.${spec.group}` : spec.plural,
    shortNames: [],
    categories: [],
    subresources: [],
    fields: [],
    generation: false,
    unconditionalUpdate: true,
    ...spec,
  };
}

/** Every served resource, core group first, then by group name. */
export const RESOURCES: readonly ResourceDef[] = [
  def({ group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] }),
  def({
    group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'],
    fields: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  }),
  def({ group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], subresources: ['status'], fields: ['status.phase'] }),
  def({ group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status'], fields: ['spec.unschedulable'] }),
  def({
    group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'],
    subresources: ['eviction', 'status'],
    fields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  }),
  def({ group: '', version: 'v1', plural: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  def({ group: 'apps', version: 'v1', plural: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['scale', 'status'], generation: true }),
  def({ group: 'apps', version: 'v1', plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: ['scale', 'status'], generation: true, fields: ['status.replicas'] }),
  def({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', singular: 'lease', kind: 'Lease', namespaced: true, unconditionalUpdate: false }),
  def({ group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', singular: 'networkpolicy', kind: 'NetworkPolicy', namespaced: true, shortNames: ['netpol'], generation: true }),
  def({ group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], subresources: ['status'], generation: true }),
];

/** `apps/v1` for a grouped resource, `v1` for the core group. */
export function apiVersionOf(resource: ResourceDef): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The served resource with this group, version and plural, if any. */
export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** The resource by store key; throws on a key the lab does not serve (a lab bug). */
export function resourceByKey(key: string): ResourceDef {
  const found = RESOURCES.find((r) => r.key === key);
  if (!found) throw new Error(`unknown resource key ${key}`);
  return found;
}

/** Served group versions, core first: `[{ group: '', version: 'v1' }, { group: 'apps', version: 'v1' }, …]`. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}
