/**
 * What every OpenStack API handler of the lab shares: the request context (service, token,
 * base URL, the headers every answer carries, Nova's microversion) and the JSON helpers.
 * Rules: every answer carries `x-openstack-request-id` and the context's headers, errors
 * included; a body that is not JSON is the service's 400, never a 500.
 */
import type { RouteContext } from '../http-frame.js';
import { readText, sendBody } from '../http-frame.js';
import { CloudError, type OpenStackService } from './errors.js';
import type { TokenRecord } from './identity.js';
import type { Microversion } from './microversion.js';

/** One request to one of the lab's OpenStack services. */
export interface OsContext extends RouteContext {
  service: OpenStackService;
  /** The caller's token once authenticated (undefined on open paths). */
  token: TokenRecord | undefined;
  /** `http://127.0.0.1:PORT`, what links and the catalog point at. */
  baseUrl: string;
  /** Headers every answer to this request carries. */
  headers: Record<string, string>;
  /** Nova's microversion of this request (2.1 outside Nova). */
  microversion: Microversion;
}

/** A route handler of the lab's OpenStack services. */
export type OsHandler = (ctx: OsContext) => Promise<void> | void;

/** Sends a JSON body (or nothing when `body` is undefined) with the context's headers. */
export function reply(ctx: OsContext, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    ctx.res.writeHead(status, { ...ctx.headers, ...headers, 'content-length': 0 });
    ctx.res.end();
    return;
  }
  sendBody(ctx.res, status, body, { ...ctx.headers, ...headers });
}

/** Reads a JSON request body; an empty body is undefined; anything unparsable is a 400 with `malformed` as message. */
export async function readJson(ctx: OsContext, malformed: string): Promise<unknown> {
  const text = await readText(ctx.req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CloudError(400, malformed);
  }
}

/** Whether a value is a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A route parameter (always present when the route matched). */
export function param(ctx: OsContext, name: string): string {
  return ctx.params[name] ?? '';
}

/** OpenStack's second-precision UTC timestamps (`2025-01-02T03:04:05Z`). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
