/**
 * configurable-http-proxy's routes API (`/api/routes`, token `CONFIGPROXY_AUTH_TOKEN`):
 * list, read, add and delete routes. Route keys are the proxy's own (`/user/alice`: no
 * trailing slash); each segment is percent-encoded on the wire, since the proxy decodes the
 * path it is given. Deleting a missing route is not an error (the proxy answers 404).
 */
import type { Json } from '../../types.js';
import { shapeError } from '../errors.js';
import { ProxyRoute } from './models.js';
import { expect, json, type Call } from './request.js';

export interface ProxyApiOptions {
  /** `…/api/routes`, without a trailing slash. */
  routesUrl: string;
  token: () => string;
  timeoutMs: number;
}

/** A route's data as gameday stores it: the target and every field but the proxy's own `last_activity`. */
export type RouteData = { target: string } & { [key: string]: Json };

/** The proxy's form of a route path: leading slash, no trailing slash (`/` stays `/`). */
export function cleanRoutePath(path: string): string {
  const trimmed = (path.startsWith('/') ? path : `/${path}`).replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** A route's data without the fields the proxy maintains itself. */
export function routeData(route: ProxyRoute): RouteData {
  const { last_activity: _lastActivity, ...rest } = route as ProxyRoute & { last_activity?: unknown };
  return JSON.parse(JSON.stringify(rest)) as RouteData;
}

/** The routes API of one proxy. */
export class ProxyApi {
  constructor(private readonly o: ProxyApiOptions) {}

  private call(action: string, method: Call['method'], path: string, signal?: AbortSignal, body?: unknown): Call {
    const encoded = path === '/' ? '' : cleanRoutePath(path).split('/').map(encodeURIComponent).join('/');
    return { service: 'proxy', action, method, url: `${this.o.routesUrl}${encoded}`, token: this.o.token(), signal, timeoutMs: this.o.timeoutMs, ...(body !== undefined && { body }) };
  }

  /** Every route, by path. */
  async routes(signal?: AbortSignal): Promise<Map<string, ProxyRoute>> {
    const call = this.call('list routes', 'GET', '/', signal);
    const body = json(call, await expect(call));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw shapeError('proxy', call.action, 'not a map of routes');
    const routes = new Map<string, ProxyRoute>();
    for (const [path, value] of Object.entries(body)) {
      const parsed = ProxyRoute.safeParse(value);
      if (parsed.success) routes.set(path, parsed.data);
    }
    return routes;
  }

  /** One route, or null when the proxy has none at exactly that path. */
  async route(path: string, signal?: AbortSignal): Promise<ProxyRoute | null> {
    const call = this.call(`read route ${path}`, 'GET', path, signal);
    const answer = await expect(call, [200, 404]);
    if (answer.status === 404) return null;
    const parsed = ProxyRoute.safeParse(json(call, answer));
    if (!parsed.success) throw shapeError('proxy', call.action, 'a route without a target');
    return parsed.data;
  }

  /** Adds (or replaces) a route with exactly this data. */
  async addRoute(path: string, data: RouteData, signal?: AbortSignal): Promise<void> {
    await expect(this.call(`add route ${path}`, 'POST', path, signal, data), [200, 201]);
  }

  /** Deletes a route; true when it existed. */
  async deleteRoute(path: string, signal?: AbortSignal): Promise<boolean> {
    const answer = await expect(this.call(`delete route ${path}`, 'DELETE', path, signal), [200, 204, 404]);
    return answer.status !== 404;
  }
}
