/**
 * Subresources: `pods/eviction` (POST policy/v1 Eviction), `…/scale` (autoscaling/v1 Scale of
 * Deployments and ReplicaSets) and `…/status`. Rules: an eviction is a graceful delete that
 * first asks the pod's disruption budget; a scale change touches only `spec.replicas`; a
 * status write touches only status.
 */
import { sendBody } from '../http-frame.js';
import { checkEviction } from './disruption.js';
import { applyPatch, current, deleteObject, get, notAllowed, patch, readJson, update, type KubeRequest } from './handlers.js';
import type { Json } from './patch.js';
import { formatLabelSelector } from './selectors.js';
import { badRequest, conflict, invalid } from './status.js';
import type { Deployment, Pod } from './types.js';

interface Eviction {
  metadata?: { name?: string };
  deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } };
}

async function evict(r: KubeRequest): Promise<void> {
  const body = ((await readJson(r.req)) ?? {}) as Eviction;
  const pod = current(r) as Pod;
  if (body.metadata?.name !== undefined && body.metadata.name !== pod.metadata.name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  if (!pod.metadata.deletionTimestamp) checkEviction(r.cluster, pod);
  deleteObject(r, pod, body.deleteOptions ?? {});
  sendBody(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

function toScale(workload: Deployment): Json {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = workload.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace: namespace ?? '', uid: uid ?? '', resourceVersion: resourceVersion ?? '', creationTimestamp: creationTimestamp ?? '' },
    spec: { replicas: workload.spec.replicas ?? 1 },
    status: { replicas: workload.status.replicas ?? 0, selector: formatLabelSelector(workload.spec.selector) },
  };
}

async function scale(r: KubeRequest): Promise<void> {
  const workload = current(r) as Deployment;
  const method = r.req.method ?? 'GET';
  if (method === 'GET') {
    sendBody(r.res, 200, toScale(workload));
    return;
  }
  let next: Json | undefined;
  if (method === 'PUT') next = (await readJson(r.req)) ?? null;
  else if (method === 'PATCH') next = await applyPatch(r, toScale(workload), workload.metadata.name);
  else notAllowed();
  const wanted = next as { kind?: string; metadata?: { name?: string; resourceVersion?: string }; spec?: { replicas?: unknown } };
  if (wanted?.kind !== undefined && wanted.kind !== 'Scale') throw badRequest(`the kind of the provided object (${String(wanted.kind)}) does not match Scale`);
  if (wanted?.metadata?.name !== undefined && wanted.metadata.name !== workload.metadata.name) throw badRequest(`the name of the object (${wanted.metadata.name}) does not match the name on the URL (${workload.metadata.name})`);
  if (wanted?.metadata?.resourceVersion && wanted.metadata.resourceVersion !== workload.metadata.resourceVersion) throw conflict(r.resource, workload.metadata.name);
  const replicas = wanted?.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid(r.resource, workload.metadata.name, [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`, field: 'spec.replicas' }]);
  }
  const stored = r.query.getAll('dryRun').includes('All')
    ? { ...workload, spec: { ...workload.spec, replicas } }
    : (r.cluster.store.mutate<Deployment>(r.resource.key, r.namespace, workload.metadata.name, (draft) => {
        draft.spec.replicas = replicas;
      }) ?? workload);
  sendBody(r.res, 200, toScale(stored));
}

async function status(r: KubeRequest): Promise<void> {
  const method = r.req.method ?? 'GET';
  if (method === 'GET') get(r);
  else if (method === 'PUT') await update(r, true);
  else if (method === 'PATCH') await patch(r, true);
  else notAllowed();
}

/** Serves a subresource request; 404 when the resource has no such subresource. */
export async function serveSubresource(r: KubeRequest, subresource: string): Promise<boolean> {
  if (!(r.resource.subresources as string[]).includes(subresource)) return false;
  if (subresource === 'eviction') {
    if (r.req.method !== 'POST') notAllowed();
    await evict(r);
  } else if (subresource === 'scale') await scale(r);
  else await status(r);
  return true;
}
