/**
 * Pure facts about pods, shared by the pod fault and the pod probe. No API calls here.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Json } from '../types.js';
import { withoutMarks } from './markers.js';

/** The workload a pod belongs to: `Deployment/hub`, `StatefulSet/db`, or the pod itself when bare. */
export interface Owner {
  kind: string;
  name: string;
}

/** Whether the pod is available: its Ready condition is True and it is not being deleted. */
export function isPodReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Whether the pod is being deleted (graceful termination under way). */
export function isTerminating(pod: V1Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

/** The pod's direct controller (`controller: true` owner reference); null for a bare pod. */
export function controllerOf(meta: V1Pod['metadata']): Owner | null {
  const ref = meta?.ownerReferences?.find((r) => r.controller) ?? null;
  return ref ? { kind: ref.kind, name: ref.name } : null;
}

const SERVER_SET_METADATA = [
  'uid',
  'resourceVersion',
  'managedFields',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'selfLink',
] as const;

/**
 * What it takes to create the pod again: its manifest as JSON, without status, without
 * the fields the API server sets, without `spec.nodeName` (the scheduler places it again:
 * its old node may be the one that failed) and without gameday's marks.
 */
export function recreatableManifest(pod: V1Pod): Json {
  const json = JSON.parse(JSON.stringify(pod)) as {
    metadata?: Record<string, unknown>;
    spec?: Record<string, unknown>;
    status?: unknown;
  };
  delete json.status;
  if (json.metadata) {
    for (const key of SERVER_SET_METADATA) delete json.metadata[key];
    json.metadata = withoutMarks(json.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> });
  }
  if (json.spec) delete json.spec['nodeName'];
  return json as Json;
}
