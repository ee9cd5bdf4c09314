/**
 * The Kubernetes clients of one run, built once per run from `targets.kubernetes` and
 * cached in the run's client cache. @kubernetes/client-node is loaded here, lazily, on the
 * first call: loading the registry (`gameday validate`) never pays for it.
 */
import type { AppsV1Api, ConfigurationOptions, CoreV1Api, KubeConfig, ObservableMiddleware } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TargetError } from '../../errors.js';
import { registerSecret } from '../../log.js';
import type { Ctx } from '../types.js';
import { KubernetesSettings } from './settings.js';

/** Deadline of one API call, so a hung API server cannot hold a step (or a restore attempt) forever. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** The APIs gameday uses, and the per-call options every call passes. */
export interface KubeClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  /** Options for one call: the request deadline, and `signal` when given. */
  options(signal?: AbortSignal): ConfigurationOptions;
  /** Options for a JSON merge patch call (Content-Type application/merge-patch+json). */
  mergePatch(signal?: AbortSignal): ConfigurationOptions;
}

/** The run's clients; the first caller builds them, later callers share the same promise. */
export function kubeClients(ctx: Ctx): Promise<KubeClients> {
  return ctx.clients.get('kubernetes', () => makeClients(readSettings(ctx)));
}

function readSettings(ctx: Ctx): KubernetesSettings {
  const parsed = KubernetesSettings.safeParse(ctx.settings['kubernetes'] ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new TargetError(`invalid targets.kubernetes settings: ${issues}`, { retryable: false, cause: parsed.error });
}

async function makeClients(settings: KubernetesSettings): Promise<KubeClients> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    loadConfig(kc, settings);
  } catch (err) {
    if (err instanceof TargetError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new TargetError(`cannot load the Kubernetes configuration: ${message}`, { retryable: false, cause: err });
  }
  const user = kc.getCurrentUser();
  registerSecret(user?.token);
  registerSecret(user?.password);
  const deadline = (signal?: AbortSignal): ObservableMiddleware => ({
    pre: (request) => {
      const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      request.setSignal(signal ? AbortSignal.any([timeout, signal]) : timeout);
      return new k8s.Observable(Promise.resolve(request));
    },
    post: (response) => new k8s.Observable(Promise.resolve(response)),
  });
  const options = (signal?: AbortSignal): ConfigurationOptions => ({
    middleware: [deadline(signal)],
    middlewareMergeStrategy: 'append',
  });
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    options,
    mergePatch: (signal) => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch, options(signal)),
  };
}

/**
 * Whether gameday can reach any cluster from this config: a `targets.kubernetes` section, or
 * what the client's defaults would load ($KUBECONFIG, ~/.kube/config, in-cluster service
 * account). Leftover scans skip a cluster that cannot be reached at all instead of loading
 * the client to fail on every start. Cheap (environment and file existence only).
 */
export function kubernetesReachable(ctx: Ctx): boolean {
  if (ctx.settings['kubernetes'] !== undefined) return true;
  if (process.env['KUBECONFIG']) return true;
  if (existsSync(join(homedir(), '.kube', 'config'))) return true;
  return Boolean(process.env['KUBERNETES_SERVICE_HOST']) && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
}

function loadConfig(kc: KubeConfig, settings: KubernetesSettings): void {
  if (settings.inCluster) kc.loadFromCluster();
  else if (settings.kubeconfig) kc.loadFromFile(settings.kubeconfig);
  else kc.loadFromDefault();
  if (settings.context) {
    if (!kc.getContextObject(settings.context)) {
      throw new TargetError(`kubeconfig has no context "${settings.context}"`, { retryable: false });
    }
    kc.setCurrentContext(settings.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new TargetError('kubeconfig names no cluster for its current context', { retryable: false });
  if (isLoopbackHttp(cluster.server) && !cluster.skipTLSVerify) {
    // client-node refuses plain http unless TLS checks are skipped; on loopback (the lab)
    // there is no TLS to check and nothing leaves the machine, so allow it there only.
    kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c));
  }
}

/** Whether `server` is plain http on a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHttp(server: string): boolean {
  try {
    const url = new URL(server);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return url.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
  } catch {
    return false;
  }
}
