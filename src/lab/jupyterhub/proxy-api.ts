/**
 * configurable-http-proxy 4.6.3's REST API (z2jh's proxy-api Service, port 8001):
 * `GET|POST|DELETE /api/routes[/<path>]`, authorized by `Authorization: token <token>`.
 * Rules, as CHP answers them: errors are bare text without a content type (403 and 404 of a
 * route even without a body); a POST's body is parsed before its token is checked; a route
 * path is URL-decoded; `inactive_since` (or `inactiveSince`) filters by last activity and
 * must parse as a date; a DELETE without a path gets no answer at all (CHP's handler fails).
 * While no proxy pod serves, connections are reset (the Service has no endpoint).
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ErrorAnswer, FrameHandler } from '../http-frame.js';
import { readText } from '../http-frame.js';
import type { JupyterHubModel } from '../jupyterhub-model.js';

/** What the proxy API needs. */
export interface ProxyApiOptions {
  model: JupyterHubModel;
  /** CONFIGPROXY_AUTH_TOKEN. */
  token: string;
}

/** An injected fault's answer, in CHP's shape (the bare reason phrase). */
export function proxyApiErrorAnswer(status: number): ErrorAnswer {
  return { contentType: 'text/plain', body: STATUS_CODES[status] ?? 'Error' };
}

function fail(res: ServerResponse, status: number, message?: string): void {
  const body = message ?? STATUS_CODES[status] ?? '';
  res.writeHead(status, { 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function empty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}

function json(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorized(req: IncomingMessage, token: string): boolean {
  return /token\s+(\S+)/.exec(req.headers.authorization ?? '')?.[1] === token;
}

/** The handler of the lab's proxy API endpoint. */
export function proxyApiHandler(options: ProxyApiOptions): FrameHandler {
  const { model, token } = options;
  return async (req, res) => {
    if (!model.proxyReady()) {
      req.socket.destroy();
      return;
    }
    const raw = req.url ?? '/';
    const queryAt = raw.indexOf('?');
    const pathname = queryAt === -1 ? raw : raw.slice(0, queryAt);
    const match = /^\/api\/routes(\/.*)?$/.exec(pathname);
    if (!match) return fail(res, 404);
    const method = (req.method ?? 'GET').toUpperCase();
    if (!['GET', 'POST', 'DELETE'].includes(method)) return fail(res, 405, 'Method not supported');
    let path: string | undefined;
    try {
      path = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
    } catch {
      return;
    }
    if (method === 'POST') {
      const text = await readText(req);
      let data: unknown;
      try {
        data = JSON.parse(text) || {};
      } catch (error) {
        return fail(res, 400, `Body not valid JSON: ${String(error)}`);
      }
      if (!authorized(req, token)) return empty(res, 403);
      const target = (data as Record<string, unknown> | null)?.['target'];
      if (typeof target !== 'string') return fail(res, 400, "Must specify 'target' as string");
      model.proxy.add(path ?? '/', { ...(data as Record<string, unknown>), target });
      return empty(res, 201);
    }
    if (!authorized(req, token)) return empty(res, 403);
    if (method === 'DELETE') {
      if (path === undefined) return;
      return empty(res, model.proxy.remove(path) ? 204 : 404);
    }
    if (path !== undefined && path.length > 0 && path !== '/') {
      const route = model.proxy.get(path);
      if (!route) return empty(res, 404);
      return json(res, route);
    }
    const query = new URLSearchParams(queryAt === -1 ? '' : raw.slice(queryAt + 1));
    const since = query.get('inactive_since') ?? query.get('inactiveSince');
    const routes = model.proxy.all();
    if (since === null) return json(res, routes);
    const cutoff = Date.parse(since);
    if (!Number.isFinite(cutoff)) return fail(res, 400, `Invalid datestamp '${since}' must be ISO8601.`);
    return json(res, Object.fromEntries(Object.entries(routes).filter(([, data]) => Date.parse(data.last_activity) < cutoff)));
  };
}
