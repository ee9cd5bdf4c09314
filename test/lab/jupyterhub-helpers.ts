/**
 * Helpers of the JupyterHub lab tests: the proxy's REST API, the progress event stream,
 * metric values, and steering the cluster the way an operator would (kubectl cordon, scale).
 */
import type { Lab } from '../../src/lab/index.js';
import { callJson, eventually, kube, type Answer } from './helpers.js';

/** Calls the lab's proxy API with its token (or `token`, or none when null). */
export async function proxyApi<T = unknown>(lab: Lab, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Answer<T>> {
  const { token: given, ...rest } = init;
  const token = given === undefined ? 'lab-proxy-token' : given;
  return callJson<T>(lab.endpoints.proxyApi + path, rest, token ? { authorization: `token ${token}` } : {});
}

/** One event of a progress stream. */
export interface ProgressEvent {
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
  html_message?: string;
  raw_event?: Record<string, unknown>;
}

/** Reads a progress stream to its end: the status, content type, raw text and its `data:` events. */
export async function readProgress(lab: Lab, name: string): Promise<{ status: number; contentType: string | null; text: string; events: ProgressEvent[] }> {
  const response = await fetch(`${lab.endpoints.jupyterhub}/hub/api/users/${name}/server/progress`, { headers: { authorization: 'token lab-hub-token' } });
  const text = await response.text();
  const events = text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as ProgressEvent);
  return { status: response.status, contentType: response.headers.get('content-type'), text, events };
}

/** A sample's value from the hub's families (0 when the series does not exist). */
export function hubMetric(lab: Lab, name: string, labels: Record<string, string> = {}): number {
  for (const family of lab.world.jupyterhub.samples()) {
    for (const sample of family.samples) {
      if (sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) return sample.value;
    }
  }
  return 0;
}

/** How many times the hub has run check_routes. */
export function checkRoutesRuns(lab: Lab): number {
  return hubMetric(lab, 'jupyterhub_check_routes_duration_seconds_count');
}

/** Waits for the hub's next check_routes (so a whole last-activity interval lies ahead). */
export async function afterCheckRoutes(lab: Lab): Promise<void> {
  const before = checkRoutesRuns(lab);
  await eventually(() => checkRoutesRuns(lab) > before, 'a check_routes run', 30_000);
}

/** The node a pod of the component runs on. */
export function nodeOf(lab: Lab, component: string): string {
  const pod = lab.world.pods('jhub').find((p) => p.metadata.labels?.['component'] === component && !p.metadata.deletionTimestamp);
  if (!pod?.spec.nodeName) throw new Error(`no scheduled ${component} pod`);
  return pod.spec.nodeName;
}

/** `kubectl cordon NODE`. */
export async function cordon(lab: Lab, node: string): Promise<void> {
  const answer = await kube(lab, `/api/v1/nodes/${node}`, { method: 'PATCH', json: { spec: { unschedulable: true } }, contentType: 'application/merge-patch+json' });
  if (answer.status !== 200) throw new Error(`cordon ${node}: ${answer.status}`);
}

/** `kubectl scale deployment NAME --replicas=N -n jhub`. */
export async function scale(lab: Lab, name: string, replicas: number): Promise<void> {
  const answer = await kube(lab, `/apis/apps/v1/namespaces/jhub/deployments/${name}/scale`, { method: 'PATCH', json: { spec: { replicas } }, contentType: 'application/merge-patch+json' });
  if (answer.status !== 200) throw new Error(`scale ${name}: ${answer.status}`);
}

/** Whether the node's Ready condition is True. */
export function nodeReady(lab: Lab, name: string): boolean {
  return lab.world.nodes().some((n) => n.metadata.name === name && n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
}
