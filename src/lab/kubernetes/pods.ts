/**
 * Pod rules shared by the API, the controllers and the hub: defaults on creation, readiness,
 * and graceful deletion. Rules: a pod that has a node is deleted gracefully (deletionTimestamp
 * set, removed later by its kubelet); an unscheduled or finished pod, or a zero grace period,
 * removes it at once; a second delete may shorten the grace period, never lengthen it.
 */
import { rfc3339 } from '../clock.js';
import type { ObjectStore } from './store.js';
import type { ConditionStatus, Pod, PodCondition } from './types.js';

/** Default toleration seconds for not-ready/unreachable nodes (DefaultTolerationSeconds admission). */
export const DEFAULT_TOLERATION_SECONDS = 300;

/** Whether the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Whether the pod counts for its controller: not terminating and not finished. */
export function isPodActive(pod: Pod): boolean {
  return !pod.metadata.deletionTimestamp && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed';
}

/** Whether the pod serves traffic: Ready and not terminating (what Endpoints would list). */
export function isPodServing(pod: Pod): boolean {
  return isPodReady(pod) && !pod.metadata.deletionTimestamp;
}

/** Sets a pod condition; lastTransitionTime changes only when the status does. */
export function setPodCondition(pod: Pod, type: string, status: ConditionStatus, now: number, reason?: string, message?: string): void {
  const conditions = (pod.status.conditions ??= []);
  const existing = conditions.find((c) => c.type === type);
  const next: PodCondition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : rfc3339(now),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
  if (existing) conditions.splice(conditions.indexOf(existing), 1, next);
  else conditions.push(next);
}

/** Fills the defaults the API server's admission would add to a new pod. */
export function applyPodDefaults(pod: Pod): Pod {
  const spec = pod.spec;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['serviceAccountName'] ??= 'default';
  spec['enableServiceLinks'] ??= true;
  spec['priority'] ??= 0;
  const tolerations = (spec.tolerations ??= []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerations.some((t) => t.key === key && t.effect === 'NoExecute')) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
  }
  for (const c of spec.containers) {
    c['imagePullPolicy'] ??= 'IfNotPresent';
    c['terminationMessagePath'] ??= '/dev/termination-log';
    c['terminationMessagePolicy'] ??= 'File';
  }
  pod.status ??= { phase: 'Pending' };
  pod.status.phase ??= 'Pending';
  pod.status.qosClass ??= 'Burstable';
  return pod;
}

/** Options of a pod deletion (from DeleteOptions or an eviction). */
export interface PodDeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * Deletes a pod the way the API server does; returns the pod as answered to the client
 * (terminating, or as it was when removed at once), or undefined when absent.
 */
export function deletePod(store: ObjectStore, now: number, namespace: string, name: string, options: PodDeleteOptions = {}): Pod | undefined {
  const pod = store.get('pods', namespace, name) as Pod | undefined;
  if (!pod) return undefined;
  const requested = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  const grace = Math.max(0, Math.floor(requested));
  const immediate = grace === 0 || !pod.spec.nodeName || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
  if (immediate) return store.remove('pods', namespace, name) as Pod | undefined;
  const current = pod.metadata.deletionGracePeriodSeconds;
  if (current !== undefined && current <= grace) return pod;
  return store.mutate<Pod>('pods', namespace, name, (draft) => {
    const start = current !== undefined && draft.metadata.deletionTimestamp ? Date.parse(draft.metadata.deletionTimestamp) - current * 1000 : now;
    draft.metadata.deletionTimestamp = rfc3339(Math.max(now, start + grace * 1000));
    draft.metadata.deletionGracePeriodSeconds = grace;
  });
}

/** KubeSpawner's pod name for a user (the "safe" slug scheme keeps simple names). */
export function userPodName(user: string): string {
  return `jupyter-${user.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/** A z2jh single-user server pod for `user` (`jupyter-<user>`), as KubeSpawner creates it: bare, no controller. */
export function singleUserPod(user: string): Pod {
  return applyPodDefaults({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: userPodName(user),
      namespace: 'jhub',
      labels: { app: 'jupyterhub', component: 'singleuser-server', release: 'jhub', chart: 'jupyterhub-2.0.0', heritage: 'jupyterhub', 'hub.jupyter.org/network-access-hub': 'true', 'hub.jupyter.org/servername': '', 'hub.jupyter.org/username': user },
      annotations: { 'hub.jupyter.org/username': user, 'hub.jupyter.org/servername': '' },
    },
    spec: {
      containers: [{ name: 'notebook', image: 'quay.io/jupyterhub/k8s-singleuser-sample:2.0.0', ports: [{ containerPort: 8888, name: 'notebook-port', protocol: 'TCP' }] }],
      restartPolicy: 'OnFailure',
      schedulerName: 'jhub-user-scheduler',
      terminationGracePeriodSeconds: 1,
      nodeSelector: { 'hub.jupyter.org/node-purpose': 'user' },
    },
    status: { phase: 'Pending' },
  });
}
