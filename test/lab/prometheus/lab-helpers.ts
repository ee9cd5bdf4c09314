import type { ExecutionContext } from 'ava';
import { startLab, type Lab, type LabOptions } from '../../../src/lab/index.js';

/** Starts a lab on ephemeral ports (Prometheus included) at speed 50, closed when the test ends. */
export async function promLab(t: ExecutionContext, options: LabOptions = {}): Promise<Lab> {
  const lab = await startLab({ ports: { kubernetes: 0, jupyterhub: 0, openstack: 0, glusterfs: 0, prometheus: 0 }, speed: 50, ...options });
  t.teardown(() => lab.close());
  return lab;
}

/** An answer of the lab's Prometheus: status, parsed JSON (or text) and headers. */
export interface PromAnswer {
  status: number;
  body: unknown;
  text: string;
  contentType: string;
}

/** GET `path` with `params` (or POST them form-encoded) on the lab's Prometheus. */
export async function promCall(lab: Lab, path: string, params: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET'): Promise<PromAnswer> {
  const search = new URLSearchParams(params).toString();
  const response =
    method === 'GET'
      ? await fetch(`${lab.endpoints.prometheus}${path}${search ? `?${search}` : ''}`)
      : await fetch(`${lab.endpoints.prometheus}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: search });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text answer
  }
  return { status: response.status, body, text, contentType: response.headers.get('content-type') ?? '' };
}

/** One instant-vector element as the API shows it. */
export interface VectorElement {
  metric: Record<string, string>;
  value: [number, string];
}

/** The vector an instant query answers now (throws on anything but a success with a vector). */
export async function vectorOf(lab: Lab, query: string): Promise<VectorElement[]> {
  const answer = await promCall(lab, '/api/v1/query', { query });
  const body = answer.body as { status: string; data?: { resultType: string; result: VectorElement[] } };
  if (answer.status !== 200 || body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`${query}: ${answer.status} ${answer.text}`);
  return body.data.result;
}

/** Polls `probe` until it gives something other than undefined/false, or fails after `timeoutMs` of real time. */
export async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `host:port` of a base URL. */
export function hostPort(base: string): string {
  return new URL(base).host;
}
