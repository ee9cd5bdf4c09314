/**
 * The three Lease calls leader election makes (get, create, replace), on
 * @kubernetes/client-node, loaded on first use. Rules: every call has a deadline and obeys
 * the caller's signal; a replace sends the resourceVersion it was given, so a concurrent
 * writer's change makes it fail with 409 instead of overwriting; the credentials of the
 * kubeconfig are registered as secrets and never appear in an error.
 */
import type { ConfigurationOptions, CoordinationV1Api, KubeConfig, ObservableMiddleware, V1Lease } from '@kubernetes/client-node';
import { registerSecret } from '../../log.js';
import { isLoopbackHttp } from '../../targets/kubernetes/client.js';
import { kubernetesError } from '../../targets/kubernetes/errors.js';
import { TargetError } from '../../errors.js';

/** How one Lease call ended when it did not return the Lease. */
export type LeaseFailure = 'not-found' | 'conflict' | 'error';

/** A failed Lease call: its kind, and a message safe to log. */
export class LeaseCallError extends Error {
  override readonly name = 'LeaseCallError';
  constructor(readonly failure: LeaseFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The Lease calls of one elector, bound to one namespace. */
export interface LeaseApi {
  read(name: string, signal: AbortSignal): Promise<V1Lease>;
  create(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
  /** PUT of `lease`, conditional on its `metadata.resourceVersion`. */
  replace(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
}

/** Builds the Lease calls for `namespace` from a kubeconfig file, or the default one (in a pod: its service account). */
export async function makeLeaseApi(namespace: string, kubeconfig: string | undefined): Promise<LeaseApi> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
    allowLoopbackHttp(kc);
  } catch (err) {
    if (err instanceof LeaseCallError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new LeaseCallError('error', `cannot load the Kubernetes configuration for leader election: ${message}`, { cause: err });
  }
  const user = kc.getCurrentUser();
  registerSecret(user?.token);
  registerSecret(user?.password);
  const api: CoordinationV1Api = kc.makeApiClient(k8s.CoordinationV1Api);
  const options = (signal: AbortSignal): ConfigurationOptions => {
    const middleware: ObservableMiddleware = {
      pre: (request) => {
        request.setSignal(signal);
        return new k8s.Observable(Promise.resolve(request));
      },
      post: (response) => new k8s.Observable(Promise.resolve(response)),
    };
    return { middleware: [middleware], middlewareMergeStrategy: 'append' };
  };
  return {
    read: (name, signal) => call(`get lease ${namespace}/${name}`, signal, () => api.readNamespacedLease({ name, namespace }, options(signal))),
    create: (lease, signal) => call(`create lease ${namespace}/${lease.metadata?.name ?? ''}`, signal, () => api.createNamespacedLease({ namespace, body: lease }, options(signal))),
    replace: (lease, signal) => {
      const name = lease.metadata?.name ?? '';
      return call(`update lease ${namespace}/${name}`, signal, () => api.replaceNamespacedLease({ name, namespace, body: lease }, options(signal)));
    },
  };
}

/** client-node refuses plain http unless TLS checks are off; on loopback (the lab) there is no TLS to check. */
function allowLoopbackHttp(kc: KubeConfig): void {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new LeaseCallError('error', 'cannot load the Kubernetes configuration for leader election: the kubeconfig names no cluster for its current context');
  if (!isLoopbackHttp(cluster.server) || cluster.skipTLSVerify) return;
  kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c));
}

async function call<T>(action: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const error: TargetError = kubernetesError(err, action, signal);
    const failure: LeaseFailure = error.status === 404 ? 'not-found' : error.status === 409 ? 'conflict' : 'error';
    throw new LeaseCallError(failure, error.message, { cause: err });
  }
}
