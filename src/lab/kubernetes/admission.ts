/**
 * What the API server checks and fills in before it stores an object. Rules: server-owned
 * metadata (uid, creationTimestamp, deletion fields, generation) never comes from the client;
 * a resource with a status subresource ignores status on create/update of the main resource;
 * invalid objects are 422 with one cause per problem; a pod's spec is immutable but for the
 * fields the real API lets change; a Deployment's selector is immutable and must match its
 * template's labels; a Lease's times are MicroTimes (see leases.ts).
 */
import { badRequest, invalid, type StatusCause } from './status.js';
import { checkLease } from './leases.js';
import { isDnsSubdomain, randomSuffix } from './names.js';
import { applyPodDefaults } from './pods.js';
import { matchesLabels, requirementsOf } from './selectors.js';
import { apiVersionOf, type ResourceDef } from './resources.js';
import type { Deployment, KubeObject, Pod } from './types.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the body is an object of the resource's kind; fills kind and apiVersion when missing. */
export function asObject(resource: ResourceDef, body: unknown): KubeObject {
  if (!isRecord(body)) throw badRequest(`the body of the request must be a JSON object`);
  const kind = body['kind'] ?? resource.kind;
  const apiVersion = body['apiVersion'] ?? apiVersionOf(resource);
  if (kind !== resource.kind) throw badRequest(`the kind of the provided object (${String(kind)}) does not match the resource (${resource.kind})`);
  if (apiVersion !== apiVersionOf(resource)) throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${apiVersionOf(resource)})`);
  const metadata = isRecord(body['metadata']) ? body['metadata'] : {};
  return { ...body, kind: resource.kind, apiVersion: apiVersionOf(resource), metadata: { ...metadata, name: typeof metadata['name'] === 'string' ? metadata['name'] : '' } };
}

function workloadCauses(object: KubeObject): StatusCause[] {
  const d = object as Deployment;
  const causes: StatusCause[] = [];
  const replicas = d.spec?.replicas;
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0)) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: 'spec.replicas' });
  }
  if (!isRecord(d.spec?.selector) || requirementsOf(d.spec.selector).length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
  } else if (!matchesLabels(requirementsOf(d.spec.selector), d.spec.template?.metadata?.labels)) {
    causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: map[string]string{}: `selector` does not match template `labels`', field: 'spec.template.metadata.labels' });
  }
  if (!Array.isArray(d.spec?.template?.spec?.containers) || d.spec.template.spec.containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers' });
  }
  return causes;
}

function validate(resource: ResourceDef, object: KubeObject): void {
  const name = object.metadata.name;
  const causes: StatusCause[] = [];
  if (!isDnsSubdomain(name)) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`, field: 'metadata.name' });
  }
  if (resource.kind === 'Pod' && !Array.isArray((object as Pod).spec?.containers)) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' });
  }
  if (resource.kind === 'Deployment' || resource.kind === 'ReplicaSet') causes.push(...workloadCauses(object));
  if (resource.kind === 'Lease') causes.push(...checkLease(object));
  if (causes.length > 0) throw invalid(resource, name, causes);
}

/** Prepares a new object for storing (name from generateName, defaults, validation). */
export function prepareCreate(resource: ResourceDef, body: unknown, namespace: string | undefined): KubeObject {
  const object = asObject(resource, body);
  const meta = object.metadata;
  if (resource.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = namespace;
  } else delete meta.namespace;
  if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
  if (!meta.name) throw invalid(resource, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
  for (const field of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) delete meta[field];
  if (resource.subresources.includes('status')) delete object['status'];
  validate(resource, object);
  return withDefaults(resource, object);
}

function withDefaults(resource: ResourceDef, object: KubeObject): KubeObject {
  if (resource.kind === 'Pod') return applyPodDefaults(object as Pod);
  if (resource.kind === 'Namespace') {
    object['spec'] ??= { finalizers: ['kubernetes'] };
    object['status'] = { phase: 'Active' };
  }
  if (resource.kind === 'Deployment' || resource.kind === 'ReplicaSet') {
    const d = object as Deployment;
    d.spec.replicas ??= 1;
    if (resource.kind === 'Deployment') {
      d.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      d.spec.revisionHistoryLimit ??= 10;
      d.spec.progressDeadlineSeconds ??= 600;
    }
    object['status'] = resource.kind === 'ReplicaSet' ? { replicas: 0 } : {};
  }
  return object;
}

const POD_MUTABLE = 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function podSpecComparable(pod: Pod): unknown {
  const spec = structuredClone(pod.spec);
  for (const c of spec.containers ?? []) c.image = '';
  delete spec['activeDeadlineSeconds'];
  delete spec.tolerations;
  return spec;
}

/** Prepares an update of `current` with `incoming` (a full object, after any patch). */
export function prepareUpdate(resource: ResourceDef, current: KubeObject, incoming: unknown): KubeObject {
  const object = asObject(resource, incoming);
  const name = current.metadata.name;
  if (object.metadata.name !== name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
  if (resource.namespaced && object.metadata.namespace !== undefined && object.metadata.namespace !== current.metadata.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const meta = object.metadata;
  meta.namespace = current.metadata.namespace;
  for (const field of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'generateName'] as const) {
    const value: unknown = current.metadata[field];
    if (value === undefined) delete meta[field];
    else (meta as Record<string, unknown>)[field] = value;
  }
  if (!resource.namespaced) delete meta.namespace;
  if (resource.subresources.includes('status')) object['status'] = current['status'];
  if (resource.kind === 'Pod') {
    const pod = object as Pod;
    if (JSON.stringify(podSpecComparable(pod)) !== JSON.stringify(podSpecComparable(current as Pod))) {
      throw invalid(resource, name, [{ reason: 'FieldValueForbidden', message: POD_MUTABLE.slice('spec: '.length), field: 'spec' }]);
    }
  }
  if (resource.kind === 'Deployment' || resource.kind === 'ReplicaSet') {
    const before = (current as Deployment).spec.selector;
    const after = (object as Deployment).spec?.selector;
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      throw invalid(resource, name, [{ reason: 'FieldValueInvalid', message: 'Invalid value: field is immutable', field: 'spec.selector' }]);
    }
  }
  validate(resource, object);
  return object;
}

/** Prepares a `/status` update: only the status of `incoming` is taken. */
export function prepareStatusUpdate(resource: ResourceDef, current: KubeObject, incoming: unknown): KubeObject {
  const object = asObject(resource, incoming);
  if (object.metadata.name !== current.metadata.name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${current.metadata.name})`);
  return { ...structuredClone(current), status: object['status'] };
}
