/**
 * `kubernetes.pod.delete`: deletes pods, as a node failure or an eviction would. A pod
 * with a controller (Deployment, StatefulSet…) is brought back by that controller, so its
 * restore has nothing to do but wait; a bare pod (a JupyterHub user server) has no one to
 * bring it back, so its plan keeps its manifest and restore creates it again. Every pod is
 * marked (label + annotations) before it is deleted; restore removes marks left on pods
 * that were never deleted.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../../duration.js';
import { TargetError } from '../../errors.js';
import { defineFault, type Json, type ProbeResult, type RestorePlan, type TargetRef } from '../types.js';
import { kubeClients, kubernetesReachable, type KubeClients } from './client.js';
import { kube, kubeOrNull } from './errors.js';
import { INJECTED_SELECTOR, RUN_ANNOTATION, isMarked, markPatch, unmarkPatch, withoutMarks } from './markers.js';
import { controllerOf, isPodReady, isTerminating, recreatableManifest, type Owner } from './types.js';

const TYPE = 'kubernetes.pod.delete';

/** `spec.fault.target`: the pods of one namespace matched by a label selector (required) and a field selector. */
export const PodDeleteTarget = z
  .object({
    namespace: z.string().min(1),
    labelSelector: z.string().min(1),
    fieldSelector: z.string().min(1).optional(),
  })
  .strict();
export type PodDeleteTarget = z.infer<typeof PodDeleteTarget>;

/** Whole seconds of a duration written `30s`, `1m`, `1m30s`, `1h` (the shared duration form). */
export function durationSeconds(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new TypeError(`not a duration: ${text}`);
  return Math.floor(ms / 1000);
}

/** `spec.fault.params`: the grace period (`0s` kills at once); absent, the pod's own terminationGracePeriodSeconds. */
export const PodDeleteParams = z
  .object({
    gracePeriod: z
      .string()
      .regex(DURATION_PATTERN, 'expected a duration in whole seconds, such as 0s, 30s, 1m30s')
      .refine((text) => (parseDuration(text) ?? 1) % 1000 === 0, 'expected a duration in whole seconds, such as 0s, 30s, 1m30s')
      .optional(),
  })
  .strict();
export type PodDeleteParams = z.infer<typeof PodDeleteParams>;

/** The undo of one deletion, as the journal holds it. `manifest` is set for bare pods only. */
const PodDeletePlan = z
  .object({
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    owner: z.object({ kind: z.string(), name: z.string() }).strict().nullable(),
    replicasBefore: z.number().int().nullable(),
    readyBefore: z.number().int().nullable(),
    manifest: z.record(z.string(), z.unknown()).nullable(),
    /** The run that deleted the pod (from the plan, or the pod's marker): recovery leaves a live run's pods to it. */
    runId: z.string().nullable().optional(),
  })
  .strict();
type PodDeletePlan = z.infer<typeof PodDeletePlan>;

interface Counts {
  replicas: number;
  ready: number;
}

/** Resolves pods to their workload, following a ReplicaSet up to its Deployment; reads each ReplicaSet once. */
function ownerResolver(clients: KubeClients, namespace: string, signal?: AbortSignal): (pod: V1Pod) => Promise<Owner | null> {
  const replicaSets = new Map<string, Promise<Owner>>();
  const readOwner = async (name: string): Promise<Owner> => {
    const action = `read replicaset ${namespace}/${name}`;
    const rs = await kubeOrNull(action, () => clients.apps.readNamespacedReplicaSet({ name, namespace }, clients.options(signal)), signal);
    return (rs && controllerOf(rs.metadata)) ?? { kind: 'ReplicaSet', name };
  };
  return async (pod) => {
    const direct = controllerOf(pod.metadata);
    if (!direct || direct.kind !== 'ReplicaSet') return direct;
    let owner = replicaSets.get(direct.name);
    if (!owner) replicaSets.set(direct.name, (owner = readOwner(direct.name)));
    return owner;
  };
}

/** Desired and ready replicas of a workload; null for kinds without them (Job…) or a workload that is gone. */
async function ownerCounts(clients: KubeClients, namespace: string, owner: Owner, signal?: AbortSignal): Promise<Counts | null> {
  const req = { name: owner.name, namespace };
  const action = `read ${owner.kind.toLowerCase()} ${namespace}/${owner.name}`;
  const opts = clients.options(signal);
  const scaled = (o: { spec?: { replicas?: number }; status?: { readyReplicas?: number } } | null): Counts | null =>
    o && { replicas: o.spec?.replicas ?? 1, ready: o.status?.readyReplicas ?? 0 };
  switch (owner.kind) {
    case 'Deployment':
      return scaled(await kubeOrNull(action, () => clients.apps.readNamespacedDeployment(req, opts), signal));
    case 'StatefulSet':
      return scaled(await kubeOrNull(action, () => clients.apps.readNamespacedStatefulSet(req, opts), signal));
    case 'ReplicaSet':
      return scaled(await kubeOrNull(action, () => clients.apps.readNamespacedReplicaSet(req, opts), signal));
    case 'DaemonSet': {
      const ds = await kubeOrNull(action, () => clients.apps.readNamespacedDaemonSet(req, opts), signal);
      return ds && { replicas: ds.status?.desiredNumberScheduled ?? 0, ready: ds.status?.numberReady ?? 0 };
    }
    default:
      return null;
  }
}

function toRef(pod: V1Pod, owner: Owner | null): TargetRef {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  return {
    kind: 'kubernetes.pod',
    id: `${namespace}/${name}`,
    name,
    // A bare pod has no workload: maxUnavailable counts it against the whole selection.
    ...(owner ? { group: `${namespace}/${owner.kind}/${owner.name}` } : {}),
    ready: isPodReady(pod),
    attributes: {
      namespace,
      node: pod.spec?.nodeName ?? '',
      uid: pod.metadata?.uid ?? '',
      owner: owner ? `${owner.kind}/${owner.name}` : '',
      phase: pod.status?.phase ?? '',
    },
  };
}

function locate(ref: TargetRef): { namespace: string; name: string } {
  const namespace = ref.attributes['namespace'] ?? ref.id.split('/')[0] ?? '';
  return { namespace, name: ref.name };
}

/** A plan from the pod as it is now; `readyBefore` is what verify will ask of the owner. */
function planFor(ref: TargetRef, pod: V1Pod, owner: Owner | null, counts: Counts | null, readyBefore: number | null, runId: string | null): RestorePlan {
  const data: Json = {
    runId,
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    owner: owner && { kind: owner.kind, name: owner.name },
    replicasBefore: counts?.replicas ?? null,
    readyBefore,
    manifest: owner ? null : recreatableManifest(pod),
  };
  return { type: TYPE, target: ref, data };
}

function readPlan(plan: RestorePlan): PodDeletePlan {
  const parsed = PodDeletePlan.safeParse(plan.data);
  if (parsed.success) return parsed.data;
  throw new TargetError(`${TYPE}: unreadable restore plan for ${plan.target.id}`, { retryable: false, cause: parsed.error });
}

async function readPod(clients: KubeClients, namespace: string, name: string, signal?: AbortSignal): Promise<V1Pod | null> {
  return kubeOrNull(`read pod ${namespace}/${name}`, () => clients.core.readNamespacedPod({ name, namespace }, clients.options(signal)), signal);
}

/** Marks, then deletes; restore recreates bare pods only (controllers recreate theirs); every step is idempotent. */
export const podDelete = defineFault<PodDeleteTarget, PodDeleteParams>({
  type: TYPE,
  description: 'Delete pods; controllers bring theirs back, bare pods are created again from their manifest.',
  target: PodDeleteTarget,
  params: PodDeleteParams,

  async select(ctx, target) {
    const clients = await kubeClients(ctx);
    const { namespace, labelSelector, fieldSelector } = target;
    const list = await kube(
      `list pods in ${namespace}`,
      () => clients.core.listNamespacedPod({ namespace, labelSelector, fieldSelector }, clients.options(ctx.signal)),
      ctx.signal,
    );
    const ownerOf = ownerResolver(clients, namespace, ctx.signal);
    const refs = await Promise.all(list.items.map(async (pod) => toRef(pod, await ownerOf(pod))));
    return refs.sort((a, b) => a.id.localeCompare(b.id));
  },

  async plan(ctx, ref) {
    const clients = await kubeClients(ctx);
    const { namespace, name } = locate(ref);
    const pod = await kube(`read pod ${ref.id}`, () => clients.core.readNamespacedPod({ name, namespace }, clients.options(ctx.signal)), ctx.signal);
    const owner = await ownerResolver(clients, namespace, ctx.signal)(pod);
    const counts = owner && (await ownerCounts(clients, namespace, owner, ctx.signal));
    return planFor(ref, pod, owner, counts, counts?.ready ?? null, ctx.runId);
  },

  async inject(ctx, ref, params, marker) {
    const clients = await kubeClients(ctx);
    const { namespace, name } = locate(ref);
    const uid = ref.attributes['uid'];
    const pod = await readPod(clients, namespace, name, ctx.signal);
    if (!pod || (uid && pod.metadata?.uid !== uid)) return; // already deleted (a same-named pod is a new one)
    await kubeOrNull(
      `mark pod ${ref.id}`,
      () => clients.core.patchNamespacedPod({ name, namespace, body: markPatch(marker) }, clients.mergePatch(ctx.signal)),
      ctx.signal,
    );
    const gracePeriodSeconds = params.gracePeriod === undefined ? undefined : durationSeconds(params.gracePeriod);
    const body = uid ? { preconditions: { uid } } : undefined;
    try {
      await kube(
        `delete pod ${ref.id}`,
        () => clients.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds, body }, clients.options(ctx.signal)),
        ctx.signal,
      );
    } catch (err) {
      // 404: already gone; 409: the uid precondition failed, so the pod we meant is gone.
      if (err instanceof TargetError && (err.status === 404 || err.status === 409)) return;
      throw err;
    }
  },

  async restore(ctx, plan) {
    const data = readPlan(plan);
    const clients = await kubeClients(ctx);
    const { namespace, name } = data;
    const pod = await readPod(clients, namespace, name);
    if (pod) {
      const original = pod.metadata?.uid === data.uid;
      if (original && isTerminating(pod)) {
        if (!data.manifest) return; // the controller replaces it
        throw new TargetError(`pod ${namespace}/${name} is still terminating; it is created again once gone`, { retryable: true });
      }
      if (isMarked(pod.metadata)) {
        await kubeOrNull(`unmark pod ${namespace}/${name}`, () =>
          clients.core.patchNamespacedPod({ name, namespace, body: unmarkPatch() }, clients.mergePatch()),
        );
      }
      return;
    }
    if (!data.manifest) return;
    const manifest = data.manifest as V1Pod;
    const body: V1Pod = { ...manifest, metadata: withoutMarks({ ...manifest.metadata, name, namespace }) };
    try {
      await kube(`create pod ${namespace}/${name}`, () => clients.core.createNamespacedPod({ namespace, body }, clients.options()));
    } catch (err) {
      if (err instanceof TargetError && err.status === 409) return; // AlreadyExists: someone was faster
      throw err;
    }
  },

  async verify(ctx, plan): Promise<ProbeResult> {
    const data = readPlan(plan);
    const clients = await kubeClients(ctx);
    const id = `${data.namespace}/${data.name}`;
    const pod = await readPod(clients, data.namespace, data.name, ctx.signal);
    if (!data.owner) {
      const ready = pod !== null && isPodReady(pod);
      return { ok: ready, value: ready ? 1 : 0, detail: `pod ${id} ${pod ? (ready ? 'ready' : 'not ready') : 'missing'}` };
    }
    const lingering = pod !== null && pod.metadata?.uid === data.uid && isTerminating(pod);
    const owner = `${data.owner.kind} ${data.namespace}/${data.owner.name}`;
    const counts = await ownerCounts(clients, data.namespace, data.owner, ctx.signal);
    const suffix = lingering ? `; deleted pod ${id} still terminating` : '';
    if (!counts) return { ok: !lingering, value: null, detail: `${owner} has no replica counts${suffix}` };
    const ok = !lingering && counts.ready >= (data.readyBefore ?? 0);
    return { ok, value: counts.ready, detail: `${owner}: ${counts.ready}/${counts.replicas} ready (before ${data.readyBefore ?? '?'})${suffix}` };
  },

  async findLeftovers(ctx) {
    if (!kubernetesReachable(ctx)) return []; // no cluster configured or found: nothing of ours can be out there
    const clients = await kubeClients(ctx);
    const list = await kube('list marked pods', () =>
      clients.core.listPodForAllNamespaces({ labelSelector: INJECTED_SELECTOR }, clients.options()),
    );
    const resolvers = new Map<string, (pod: V1Pod) => Promise<Owner | null>>();
    const plans: RestorePlan[] = [];
    for (const pod of list.items) {
      const namespace = pod.metadata?.namespace ?? '';
      let ownerOf = resolvers.get(namespace);
      if (!ownerOf) resolvers.set(namespace, (ownerOf = ownerResolver(clients, namespace)));
      const owner = await ownerOf(pod);
      const counts = owner && (await ownerCounts(clients, namespace, owner));
      // Without the journal the count before is unknown: recovery waits for the desired replicas.
      plans.push(planFor(toRef(pod, owner), pod, owner, counts, counts?.replicas ?? null, pod.metadata?.annotations?.[RUN_ANNOTATION] ?? null));
    }
    return plans.sort((a, b) => a.target.id.localeCompare(b.target.id));
  },

  describe(ref, params) {
    return `delete pod ${ref.id} (grace ${params.gracePeriod ?? 'default'})`;
  },
});
