import type { ExecutionContext } from 'ava';
import { startLab, type Lab, type LabOptions } from '../../src/lab/index.js';

/** Starts a lab on ephemeral ports at high speed and closes it when the test ends. */
export async function labFor(t: ExecutionContext, options: LabOptions = {}): Promise<Lab> {
  const lab = await startLab({ ports: { kubernetes: 0, jupyterhub: 0, openstack: 0 }, speed: 50, ...options });
  t.teardown(() => lab.close());
  return lab;
}

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs` (real). */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A JSON answer of the lab. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the lab's Kubernetes API with the kubeconfig's token. */
/** Calls `url` with JSON in (when `json` is given) and JSON out when the body parses (text otherwise). */
export async function callJson<T>(url: string, init: RequestInit & { json?: unknown; contentType?: string }, headers: Record<string, string>): Promise<Answer<T>> {
  const { json, contentType, ...rest } = init;
  const response = await fetch(url, {
    ...rest,
    headers: { ...headers, ...(json !== undefined ? { 'content-type': contentType ?? 'application/json' } : {}), ...(rest.headers as Record<string, string> | undefined) },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

/** Calls the lab's Kubernetes API with its token. */
export async function kube<T = Record<string, unknown>>(lab: Lab, path: string, init: RequestInit & { json?: unknown; contentType?: string } = {}): Promise<Answer<T>> {
  return callJson<T>(lab.endpoints.kubernetes + path, init, { authorization: 'Bearer lab-kube-token', accept: 'application/json' });
}

/** Calls the lab's JupyterHub with the hub token (or `token`, or none when null). */
export async function hub<T = unknown>(lab: Lab, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Answer<T>> {
  const { token: given, ...rest } = init;
  const token = given === undefined ? 'lab-hub-token' : given;
  return callJson<T>(lab.endpoints.jupyterhub + path, rest, token ? { authorization: `token ${token}` } : {});
}

/** The name of the (first) pod with the given component label in jhub that is not terminating. */
export function podOf(lab: Lab, component: string): string {
  const pod = lab.world.pods('jhub').find((p) => p.metadata.labels?.['component'] === component && !p.metadata.deletionTimestamp);
  if (!pod) throw new Error(`no ${component} pod`);
  return pod.metadata.name;
}

/** Whether a pod's Ready condition is True. */
export function isReady(pod: { status?: { conditions?: { type: string; status: string }[] } }): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
